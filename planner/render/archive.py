"""Byte-stable zip archives (xlsx, pptx): fixed entry times, attributes and order, no clock inside."""
from __future__ import annotations

import io
import zipfile

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stable_zip(data: bytes) -> bytes:
    """`data` (a zip) rewritten with every entry at ZIP_TIME, mode 644, deflated, in its order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type, entry.create_system, entry.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
