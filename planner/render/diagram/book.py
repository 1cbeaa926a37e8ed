"""diagrams.pdf: every page of every view in one PDF, in order, each centred on an A3 landscape sheet, for a
presenter or a printer. Joined with pypdf from the page PDFs `dot` draws (each already fitted to A3), without
redrawing them; pypdf adds no date and, unencrypted, no /ID, so the same pages give the same bytes; its Creator is stampplan."""
from __future__ import annotations

import io

from planner.render.diagram.dot import A3_POINTS


def book(pdfs: list[bytes]) -> bytes:
    """One PDF of the first page of each of `pdfs`, in order, its media box widened to A3 landscape around it."""
    from pypdf import PdfReader, PdfWriter  # 0.2 s to import: only when a plan writes the book
    from pypdf.generic import RectangleObject

    writer = PdfWriter()
    for data in pdfs:
        page = writer.add_page(PdfReader(io.BytesIO(data)).pages[0])
        box = page.mediabox
        width, height = max(A3_POINTS[0], float(box.width)), max(A3_POINTS[1], float(box.height))
        left = float(box.left) - (width - float(box.width)) / 2
        bottom = float(box.bottom) - (height - float(box.height)) / 2
        page.mediabox = RectangleObject([round(left, 2), round(bottom, 2), round(left + width, 2),
                                         round(bottom + height, 2)])
        page.cropbox = page.mediabox
    writer.add_metadata({"/Creator": "stampplan"})  # in the file's head: output.owned_file knows it as stampplan's
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
