"""The slide deck: chosen slides in order, text 18 pt or larger, both themes, stable bytes, the PDF."""
from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from pptx import Presentation
from pptx.util import Pt
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError
from planner.output import owned_file
from planner.model.design import Design
from planner.render.deck import SECTIONS, deck
from planner.render.deck import pdf as deck_pdf
from planner.render.deck.slides import fit
from planner.render.theme import THEMES

from conftest import ROOT

runner = CliRunner()
NO_PICTURES = ("title", "requirements", "overview", "failover", "cost", "decisions", "risks")
has_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


def load(profile: str) -> Design:
    return Design.model_validate_json((ROOT / "outputs" / profile / "design.json").read_text(encoding="utf-8"))


def runs(data: bytes):
    prs = Presentation(io.BytesIO(data))
    return prs, [run for slide in prs.slides for shape in slide.shapes for run in _runs(shape)]


def _runs(shape):
    frames = [shape.text_frame] if shape.has_text_frame else []
    if shape.has_table:
        frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
    return [run for frame in frames for para in frame.paragraphs for run in para.runs]


@pytest.mark.parametrize("profile,theme", [("small", "light"), ("multi-stamp", "dark"), ("service-provider", "light")])
def test_every_text_run_is_18_pt_or_more_and_slides_follow_the_choice(profile, theme):
    design = load(profile)
    prs, found = runs(deck(design, NO_PICTURES, theme))
    stamps = len(design.stamps)
    assert len(prs.slides) == len(NO_PICTURES) - 1 + stamps  # the overview is one slide per stamp
    assert (prs.slide_width, prs.slide_height) == (Pt(960), Pt(540))  # 16:9
    assert found and all(run.font.size is not None and run.font.size >= Pt(18) for run in found)
    assert all(str(run.font.color.rgb) != THEMES[theme].background.lstrip("#") for run in found)
    background = prs.slides[0].background.fill.fore_color.rgb
    assert str(background) == THEMES[theme].background.lstrip("#")
    titles = [slide.shapes[0].text_frame.text for slide in prs.slides]
    assert titles[0] == design.name and titles[-1].startswith("Open risks")
    assert [t for t in titles if t.startswith("The design: ")] == [f"The design: {s.name}" for s in design.stamps]


def test_a_presenter_picks_and_orders_slides():
    prs, _ = runs(deck(load("small"), ("cost", "title"), "dark"))
    assert [s.shapes[0].text_frame.text for s in prs.slides] == ["Cost summary", "fabrikam-small"]


@has_dot
def test_same_design_same_bytes_with_no_clock_inside():
    design = load("small")
    first, second = deck(design), deck(design.model_copy(deep=True))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "<dc:creator>stampplan</dc:creator>" in core and "2014-10-15T00:00:00Z" in core
    prs, found = runs(first)
    assert len(prs.slides) == len(SECTIONS) and all(run.font.size >= Pt(18) for run in found)


def test_long_text_is_cut_to_one_line():
    assert fit("short", 3.0) == "short"
    cut = fit("x" * 400, 3.0)
    assert cut.endswith("…") and len(cut) < 60


def test_unknown_slides_or_theme_exit_2_naming_the_choices(tmp_path):
    design = str(ROOT / "outputs/poc/design.json")
    result = runner.invoke(app, ["deck", design, "--slides", "title,agenda", "--out", str(tmp_path / "d.pptx")])
    assert result.exit_code == 2 and "agenda" in result.output and "failover" in result.output
    result = runner.invoke(app, ["deck", design, "--theme", "sepia", "--out", str(tmp_path / "d.pptx")])
    assert result.exit_code == 2 and "light, dark" in result.output
    with pytest.raises(InputError):
        deck(load("poc"), ("nope",))


def test_cli_writes_beside_and_replaces_only_its_own_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    design = str(ROOT / "outputs/poc/design.json")
    args = ["deck", design, "--slides", "title,risks"]
    assert runner.invoke(app, args).exit_code == 0
    written = tmp_path / "contoso-poc-deck.pptx"
    assert written.is_file()
    assert runner.invoke(app, args).exit_code == 0  # its own file: replaced
    foreign = tmp_path / "mine.pptx"
    foreign.write_bytes(b"my own slides")
    result = runner.invoke(app, [*args, "--out", str(foreign)])
    assert result.exit_code == 2 and "--force" in result.output and foreign.read_bytes() == b"my own slides"
    assert runner.invoke(app, [*args, "--out", str(foreign), "--force"]).exit_code == 0


def test_pdf_without_libreoffice_exits_2_naming_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(deck_pdf.shutil, "which", lambda name: None)
    result = runner.invoke(app, ["deck", str(ROOT / "outputs/poc/design.json"), "--pdf",
                                 "--out", str(tmp_path / "d.pptx")])
    assert result.exit_code == 2 and "libreoffice-impress-nogui" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice or poppler-utils is not installed")
def test_pdf_has_the_same_slides_and_is_marked_as_stampplans(tmp_path):
    out = tmp_path / "d.pptx"
    args = ["deck", str(ROOT / "outputs/small/design.json"), "--slides", "title,failover", "--pdf",
            "--theme", "dark", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "d.pdf").read_bytes()
    _check_xref(pdf)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(tmp_path / "d.pdf"), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page*.png"))) == 2
    assert owned_file(tmp_path / "d.pdf")  # marked in the head: a later --pdf replaces it without --force


def _check_xref(pdf: bytes) -> None:
    """Every in-use cross-reference entry points at its object: the mark moved them right."""
    table = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf).group(1))
    assert pdf[table:].startswith(b"xref")
    lines = pdf[table:pdf.index(b"trailer", table)].split(b"\n")
    first = int(lines[1].split()[0])
    for number, line in enumerate(lines[2:], first):
        entry = re.match(rb"(\d{10}) \d{5} n", line)
        if entry:
            assert pdf[int(entry.group(1)):].startswith(b"%d 0 obj" % number)


@pytest.mark.skipif(importlib.util.find_spec("lxml") is None, reason="lxml is not installed")
def test_workbook_bytes_do_not_depend_on_lxml_that_python_pptx_brings():
    """openpyxl writes other XML when lxml is importable; stampplan always writes the committed bytes."""
    code = ("import sys, lxml; from planner.model.design import Design; from planner.render.workbook import workbook; "
            "sys.stdout.buffer.write(workbook(Design.model_validate_json(open(sys.argv[1]).read())))")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "outputs/poc/design.json")], capture_output=True,
                          cwd=ROOT, check=True, env={k: v for k, v in os.environ.items() if k != "OPENPYXL_LXML"})
    assert done.stdout == (ROOT / "outputs/poc/bom.xlsx").read_bytes()


def test_cost_slide_names_the_currency_of_the_requirements():
    design = load("small")
    design.requirements["cost"] = {"currency": "EUR"}
    prs, _ = runs(deck(design, ("cost",)))
    (table,) = [shape.table for shape in prs.slides[0].shapes if shape.has_table]
    amounts = [row.cells[1].text_frame.text for row in list(table.rows)[1:]]
    assert table.cell(0, 1).text_frame.text == "cost (EUR)" and all(a.endswith(" EUR") for a in amounts)


@pytest.mark.parametrize("profile", ["medium", "service-provider"])
def test_cost_slide_and_report_total_is_the_designs_term_cost(profile):
    """The deck summed hardware and licences and left out Software Assurance: 803 786 against 826 088."""
    from planner.model.requirements import Requirements
    from planner.render.costing import cost_lines

    design = load(profile)
    lines = cost_lines(design, Requirements.model_validate(design.requirements))
    assert round(sum(amount for _, amount in lines), 2) == design.cost["total"]
    _, text = runs(deck(design, ("cost",)))
    assert any(f"{design.cost['total']:,.0f}" in run.text for run in text)
