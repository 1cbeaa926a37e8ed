"""Byte-stable archives: zips (xlsx, pptx) with fixed entry times, attributes and order, no clock inside;
PDFs marked as stampplan's, with fixed dates."""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
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


FIXED_PDF_DATE = b"20141015000000"  # the date the zips' documents carry too (2014-10-15)


def marked_pdf(pdf: bytes, mark: bytes) -> bytes:
    """The PDF with `mark` (a `%...` comment line) after its header, so that stampplan may replace it
    later (planner.output.owned_file reads the head); the cross-reference offsets move with it. A PDF
    without a plain cross-reference table is returned as it is."""
    start = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf)
    if not pdf.startswith(b"%PDF-") or start is None or pdf[int(start.group(1)):][:4] != b"xref":
        return pdf
    cut = pdf.index(b"\n") + 1
    shift = len(mark)
    table = int(start.group(1))
    end = pdf.index(b"trailer", table)
    entries = re.sub(rb"(\d{10}) (\d{5}) n", lambda m: b"%010d %s n" % (int(m.group(1)) + shift, m.group(2)),
                     pdf[table:end])
    return (pdf[:cut] + mark + pdf[cut:table] + entries + pdf[end:start.start()]
            + b"startxref\n%d\n%%%%EOF\n" % (table + shift))


def fixed_pdf_dates(pdf: bytes) -> bytes:
    """The PDF with its creation and modification dates set to FIXED_PDF_DATE (same length: offsets hold)."""
    return re.sub(rb"/(CreationDate|ModDate) ?\(D:\d{14}", lambda m: m.group(0)[:-14] + FIXED_PDF_DATE, pdf)


def marked_png(png: bytes, mark: bytes) -> bytes:
    """The PNG with a `Software` text chunk holding `mark` right after its header chunk (IHDR), so that
    stampplan may replace it later (planner.output.owned_file reads the head)."""
    signature, ihdr_end = b"\x89PNG\r\n\x1a\n", 8 + 25  # 8-byte signature, then IHDR: length, type, 13 bytes, CRC
    if not png.startswith(signature) or png[12:16] != b"IHDR":
        return png
    body = b"tEXt" + b"Software\x00" + mark
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return png[:ihdr_end] + chunk + png[ihdr_end:]
