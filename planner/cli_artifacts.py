"""The artifact commands: diagram, bom, checklist, deck and report write one artifact of a design.json
beside the user (never into a plan folder), replacing only what stampplan wrote."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from planner.cli_app import FORCE, command, inconsistent_design, out
from planner.errors import InputError
from planner.design_file import load_design, read_json


@command
def bom(
    design: Annotated[Path, typer.Argument(help="design.json to draw the bill of materials from")],
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Workbook to write [default: "
                                                                   "<design name>-bom.xlsx here]")] = None,
    force: Annotated[bool, FORCE] = False,
) -> None:
    """Write the Excel bill of materials: hosts, VMs, SQL, licences, IP plan, failover, live totals."""
    from planner.output import beside_name, write_files
    from planner.render.workbook import workbook

    loaded = load_design(design)
    with inconsistent_design(design):
        data = workbook(loaded)
    target = out_file or Path(beside_name(loaded.name, "bom.xlsx"))
    write_files(target.parent, {target.name: data}, force)
    out.print(f"Wrote {target}: {len(loaded.hosts)} hosts, {len(loaded.vms):,} VMs; total cost {loaded.cost_line()}",
              soft_wrap=True)


@command
def checklist(
    design: Annotated[Path, typer.Argument(help="design.json to draw the build checklist from")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Folder for checklist.md, checklist.csv and "
                                                                  "decisions.md [default: <design name>-checklist/ "
                                                                  "here]")] = None,
    force: Annotated[bool, FORCE] = False,
) -> None:
    """Write the build checklist (Markdown task list, CSV for Jira / Azure DevOps) and the decision log."""
    from planner.output import beside_name, write_files
    from planner.render.checklist import artifacts

    loaded = load_design(design)
    with inconsistent_design(design):
        files = artifacts(loaded)
    target = out_dir or Path(beside_name(loaded.name, "checklist"))
    write_files(target, files, force)
    out.print(f"Wrote {target}/: {', '.join(sorted(files))}")


@command
def diagram(
    design: Annotated[Path, typer.Argument(help="design.json to draw")],
    view: Annotated[Optional[str], typer.Option(help="physical | logical | network [default: physical]")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="dot | svg | png | pdf [default: svg]")] = None,
    theme: Annotated[str, typer.Option(help="light | dark")] = "light",
    slide: Annotated[bool, typer.Option("--slide", help="Fit a 16:9 slide with readable fonts")] = False,
    page: Annotated[Optional[str], typer.Option(help="One page: overview or a cluster [default: every page]")]
    = None,
    fail: Annotated[Optional[str], typer.Option("--fail", help="Draw these hosts failing (comma-separated)")] = None,
    fail_rack: Annotated[Optional[str], typer.Option("--fail-rack", help="Draw this rack failing")] = None,
    book: Annotated[bool, typer.Option("--book", help="Every page of every view in one A3 PDF, as plan's "
                                                      "diagrams.pdf")] = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="File to write, - for stdout [default: "
                                                                   "<design name>-<view>.<format> here, with --book "
                                                                   "<design name>-diagrams.pdf]")] = None,
    force: Annotated[bool, FORCE] = False,
) -> None:
    """Draw one view of a design (physical, logical or network), or a failure, with Graphviz; or the whole book."""
    from planner.output import beside_name, write_files
    from planner.render.diagram import check, drawings
    from planner.render.diagram.failover import Failure
    from planner.whatif import what_if

    if book:
        _book(design, out_file, force, theme, view=view, format=fmt, slide=slide, page=page, fail=fail,
              fail_rack=fail_rack)
        return
    view, fmt = view or "physical", fmt or "svg"
    check(view=view, fmt=fmt, theme=theme)
    failure = None
    if fail or fail_rack:
        result = what_if(read_json(design), [h.strip() for h in (fail or "").split(",") if h.strip()], fail_rack)
        failure = Failure(tuple(result.failed), result.restarts(), f"rack {fail_rack}" if fail_rack else fail or "")
    loaded = load_design(design)
    with inconsistent_design(design):
        pages = drawings(loaded, view, fmt, theme, slide, page, failure)
    if out_file is not None and str(out_file) == "-":
        if len(pages) > 1:
            raise InputError(f"the {view} view has {len(pages)} pages: choose one with --page to write to stdout")
        _stdout(next(iter(pages.values())))
        return
    target = out_file or Path(beside_name(loaded.name, f"{'failover' if failure else view}.{fmt}"))
    files = {target.stem + suffix + target.suffix: data for suffix, data in pages.items()}
    write_files(target.parent, files, force)
    out.print(f"Wrote {', '.join(str(target.parent / name) for name in files)}: {view} view, {theme} theme"
              + (", 16:9 slide" if slide else ""))


def _book(design: Path, out_file: Optional[Path], force: bool, theme: str, **others) -> None:
    """`diagram --book`: plan's diagrams.pdf alone; the options that choose one drawing (`others`) are refused."""
    from planner.output import beside_name, write_files
    from planner.render.diagram import BOOK, diagram_book

    given = [f"--{name.replace('_', '-')}" for name, value in others.items() if value]
    if given:
        raise InputError(f"--book draws every page of every view: drop {', '.join(given)}")
    loaded = load_design(design)
    with inconsistent_design(design):
        data = diagram_book(loaded, theme)
    if out_file is not None and str(out_file) == "-":
        _stdout(data)
        return
    target = out_file or Path(beside_name(loaded.name, BOOK))
    write_files(target.parent, {target.name: data}, force)
    out.print(f"Wrote {target}: every page of every view, {theme} theme")


def _stdout(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


@command
def deck(
    design: Annotated[Path, typer.Argument(help="design.json to present")],
    slides: Annotated[Optional[str], typer.Option(help="Slides in order, comma-separated: title, requirements, "
                                                       "overview, physical, logical, network, failover, cost, "
                                                       "decisions, risks [default: all]")] = None,
    theme: Annotated[str, typer.Option(help="light | dark")] = "light",
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write the slides as a PDF (needs LibreOffice)")] = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Deck to write [default: <design name>-deck.pptx "
                                                                   "here]")] = None,
    force: Annotated[bool, FORCE] = False,
) -> None:
    """Write the slide deck (16:9 pptx, light or dark, text 18 pt or larger), and its PDF with --pdf."""
    from planner.output import beside_name, write_files
    from planner.render.deck import deck as build_deck, parse_slides
    from planner.render.deck.pdf import soffice, to_pdf

    chosen = parse_slides(slides)
    if pdf:
        soffice()  # before the work: a missing LibreOffice fails fast
    loaded = load_design(design)
    with inconsistent_design(design):
        data = build_deck(loaded, chosen, theme)
    target = out_file or Path(beside_name(loaded.name, "deck.pptx"))
    files = {target.name: data} | ({target.with_suffix(".pdf").name: to_pdf(data)} if pdf else {})
    write_files(target.parent, files, force)
    out.print(f"Wrote {', '.join(str(target.parent / name) for name in files)}: {len(chosen)} section(s), "
              f"{theme} theme")


@command
def report(
    design: Annotated[Path, typer.Argument(help="design.json to write up")],
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print the document to PDF (needs Chromium)")] = False,
    doc_version: Annotated[Optional[str], typer.Option(help="Document version [default: document.version]")] = None,
    doc_date: Annotated[Optional[str], typer.Option(help="Issue date, YYYY-MM-DD [default: document.date]")] = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Document to write [default: <design name>-"
                                                                   "report.html here]")] = None,
    force: Annotated[bool, FORCE] = False,
) -> None:
    """Write the design document (report.html, printable), and its PDF with --pdf."""
    from planner.output import beside_name, write_files
    from planner.render.report import document_control, page
    from planner.render.report.pdf import chromium, to_pdf

    if pdf:
        chromium()  # before the work: a missing Chromium fails fast
    loaded = load_design(design)
    with inconsistent_design(design):
        html = page(loaded, document_control(loaded, doc_version, doc_date))
    target = out_file or Path(beside_name(loaded.name, "report.html"))
    files = {target.name: html.encode()} | ({target.with_suffix(".pdf").name: to_pdf(html)} if pdf else {})
    write_files(target.parent, files, force)
    out.print(f"Wrote {', '.join(str(target.parent / name) for name in files)}")
