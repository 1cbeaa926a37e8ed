"""Byte-stable zip archives (xlsx, pptx): fixed entry times, attributes and order, no clock inside."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stable_zip(data: bytes, transform: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """`data` (a zip) rewritten with every entry at ZIP_TIME, mode 644, deflated, in its order;
    `transform(name, content)` may rewrite an entry's content on the way."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type, entry.create_system, entry.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
            content = src.read(info.filename)
            dst.writestr(entry, transform(info.filename, content) if transform else content)
    return out.getvalue()
