"""diagrams.pdf (issue 17): every page of every view in one PDF, in order, one A3 landscape sheet each, byte-identical
on re-run, a name the plan folder owns."""
from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from planner.model.design import Design
from planner.output import PLAN
from planner.render import diagram
from planner.render.diagram import dot as diagram_dot
from planner.render.diagram.book import book
from planner.render.diagram.dot import A3_POINTS

from conftest import ROOT

pytestmark = pytest.mark.skipif(diagram_dot.shutil.which("dot") is None, reason="Graphviz dot is not installed")


@pytest.fixture(scope="module")
def medium() -> dict[str, bytes]:
    design = Design.model_validate(json.loads((ROOT / "outputs/medium/design.json").read_text(encoding="utf-8")))
    return {"design": design, **diagram.artifacts(design)}


def test_every_page_in_order_on_a3_landscape(medium):
    names = [diagram.page_name(v, p) for v in diagram.VIEWS for p in diagram.pages(medium["design"], v)]
    assert names[:2] == ["physical", "physical-mgmt01"] and names[-2:] == ["logical", "network"]
    pages = PdfReader(io.BytesIO(medium[diagram.BOOK])).pages
    assert len(pages) == len(names)
    for name, page in zip(names, pages):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == A3_POINTS, name
        alone = PdfReader(io.BytesIO(medium[f"diagrams/{name}.pdf"])).pages[0]
        assert page.extract_text() == alone.extract_text(), name


def test_each_page_pdf_is_no_larger_than_a3_landscape(medium):
    """Was: Graphviz's PDF device adds a 36 pt margin: medium's logical.pdf was 1262 x 791 pt, wider than A3."""
    for name, data in medium.items():
        if name.startswith("diagrams/") and name.endswith(".pdf"):
            box = PdfReader(io.BytesIO(data)).pages[0].mediabox
            assert float(box.width) <= A3_POINTS[0] + 1 and float(box.height) <= A3_POINTS[1] + 1, name


def test_byte_identical_on_re_run_with_no_date_or_random_id(medium):
    pdfs = [medium[f"diagrams/{diagram.page_name(v, p)}.pdf"]
            for v in diagram.VIEWS for p in diagram.pages(medium["design"], v)]
    assert book(pdfs) == book(pdfs) == medium[diagram.BOOK]
    assert b"/ID" not in medium[diagram.BOOK] and b"/CreationDate" not in medium[diagram.BOOK]
    assert PLAN.names.fullmatch(diagram.BOOK)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils' pdftoppm is not installed")
def test_a_sheet_renders_as_a3_landscape_with_the_drawing_on_it(medium, tmp_path):
    (tmp_path / "book.pdf").write_bytes(medium[diagram.BOOK])
    subprocess.run(["pdftoppm", "-f", "2", "-l", "2", "-r", "24", "-gray", str(tmp_path / "book.pdf"),
                    str(tmp_path / "sheet")], check=True, timeout=60)
    image = next(tmp_path.glob("sheet*.pgm")).read_bytes()
    _, size, _, pixels = image.split(b"\n", 3)
    width, height = map(int, size.split())
    assert (width, height) == (round(A3_POINTS[0] / 3), round(A3_POINTS[1] / 3))  # 24 dpi
    assert sum(1 for p in pixels if p < 128) > 500  # ink: the drawing is on the sheet
