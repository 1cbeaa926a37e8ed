"""The `stampplan` command line: a thin typer app over plan, validate and schema."""
from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer

from planner.design_file import load_design, read_json
from planner.errors import CheckFailed, Infeasible, InputError, StampplanError, Terminated
from planner.terminal import SafeConsole, styled

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Design and prove the management stamp of a Microsoft private cloud.")
out = SafeConsole(width=None if sys.stdout.isatty() else 120)  # user text is never markup: see planner.terminal
err = SafeConsole(stderr=True, soft_wrap=True)


FORCE = typer.Option("--force", help="Replace an existing file even if stampplan did not write it")


def _version(show: bool) -> None:
    if show:
        from importlib.metadata import version

        out.print(f"stampplan {version('stampplan')}")
        raise typer.Exit(0)


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                   help="Print the version and exit")] = False) -> None:
    """Design and prove the management stamp of a Microsoft private cloud."""


def command(func: Callable) -> Callable:
    """Register a command whose every outcome becomes one of the README's exit codes."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        signal.signal(signal.SIGTERM, _terminate)  # from here on SIGTERM stops the command as Ctrl-C does
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except StampplanError as error:
            _report(error)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt as stop:
            what = "terminated" if isinstance(stop, Terminated) else "interrupted"
            err.print(f"{what} before anything was written: any previous output is left as it was")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(143 if isinstance(stop, Terminated) else 130)  # a stopped CP-SAT search can abort in
            # interpreter teardown; leave at once
        except Exception as error:  # noqa: BLE001 - never show a traceback
            err.print(styled("internal error:", "red", f"{type(error).__name__}: {error} (please report it)"))
            raise typer.Exit(1) from None

    return app.command()(run)


@command
def plan(
    requirements: Annotated[Path, typer.Argument(help="Requirements file (YAML)")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Output folder [default: outputs/<name>]")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="CP-SAT deterministic time limit per cluster "
                                                             "and host model (deterministic seconds)")] = 30.0,
    workers: Annotated[int, typer.Option(min=1, max=64, help="CP-SAT workers (fixed for reproducible output)")] = 8,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines")] = False,
) -> None:
    """Plan a stamp: size it, place every VM, prove N+k, write design.json and the artifacts."""
    from planner.model.load import load_requirements

    req = load_requirements(requirements)  # before importing the solver: bad input fails fast
    from planner.output import default_folder, refuse_foreign_folder, write_folder
    from planner.pipeline import build
    from planner.settings import SolverSettings
    from planner.summary import print_design, print_verdict

    target = out_dir or default_folder(requirements)
    refuse_foreign_folder(target)  # before the solve, and again just before the swap
    start = time.monotonic()

    def progress(message: str) -> None:
        if not quiet:
            err.print(f"[{time.monotonic() - start:6.1f}s] {message}")

    built = build(req, SolverSettings(time_limit=time_limit, workers=workers), progress,
                  lambda msg: err.print(styled("note:", "yellow", msg)))
    print_design(built.design, out)
    print_verdict(built.verdict, built.unmet, out)
    if not built.sound:
        raise CheckFailed("the planned design failed its own validation, so nothing was written: "
                          "see the violations above")
    write_folder(target, built.files)
    out.print(f"Wrote {target}/: {', '.join(sorted(built.files))}")


@command
def validate(
    design: Annotated[Path, typer.Argument(help="design.json to prove sound")],
    requirements: Annotated[Optional[Path], typer.Option(help="Also prove the design answers these requirements")]
    = None,
) -> None:
    """Prove a design sound from design.json alone (and that it answers its requirements)."""
    from planner.summary import print_verdict
    from planner.validate import validate_design

    data = read_json(design)
    unmet = []
    if requirements is not None:
        from planner.conformance import check_requirements
        from planner.model.load import load_requirements

        unmet = check_requirements(data, load_requirements(requirements))
    verdict = validate_design(data)
    print_verdict(verdict, unmet, out)
    if not verdict.sound or unmet:
        raise typer.Exit(1)


@command
def schema() -> None:
    """Print the JSON Schema of requirements files (for editors that validate YAML)."""
    from planner.model.requirements import Requirements

    out.print_json(json.dumps(Requirements.model_json_schema()), indent=2)


@command
def check(
    folder: Annotated[Path, typer.Argument(help="Folder of requirements files")] = Path("profiles"),
    outputs: Annotated[Path, typer.Option(help="Folder of the committed outputs")] = Path("outputs"),
    junit: Annotated[Optional[Path], typer.Option(help="Also write JUnit XML here")] = None,
    update: Annotated[bool, typer.Option("--update", help="Rewrite the committed outputs")] = False,
    time_limit: Annotated[float, typer.Option(min=0.1, help="As for plan")] = 30.0,
    workers: Annotated[int, typer.Option(min=1, max=64, help="As for plan")] = 8,
) -> None:
    """CI mode: plan every requirements file, prove each design, compare with the committed outputs."""
    from rich.table import Table

    from planner.check import check_profile, junit_xml
    from planner.settings import SolverSettings

    if junit and (junit.is_dir() or junit.is_symlink()):
        raise InputError(f"--junit {junit}: is a folder or a link; give a file name")
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []
    if not files:
        raise InputError(f"{folder}: no requirements files (*.yaml) found")
    settings, results = SolverSettings(time_limit=time_limit, workers=workers), []
    for path in files:
        err.print(f"checking {path} ...")
        results.append(check_profile(path, outputs, settings, update, lambda msg: err.print(f"note: {msg}")))
    table = Table(title=f"stampplan check {folder}")
    for col in ("profile", "status", "hosts", "cost", "seconds", "drift / problems"):
        table.add_column(col, justify="right" if col in ("hosts", "cost", "seconds") else "left")
    for r in results:
        shown = "; ".join(r.details[:3]) + (f"; +{len(r.details) - 3} more" if len(r.details) > 3 else "")
        colour = "green" if r.passed else "red"
        table.add_row(r.profile, styled(r.status, colour), str(r.hosts), f"{r.cost:,.0f}",
                      f"{r.seconds:.1f}", shown)
    out.print(table)
    if junit:
        write_report(junit, junit_xml(results))
    if not all(r.passed for r in results):
        raise CheckFailed(f"{sum(not r.passed for r in results)} of {len(results)} profile(s) failed or drifted")


@command
def whatif(
    design: Annotated[Path, typer.Argument(help="design.json")],
    fail: Annotated[Optional[str], typer.Option("--fail", help="Hosts that fail at once, comma-separated")] = None,
    fail_rack: Annotated[Optional[str], typer.Option("--fail-rack", help="A fault domain (rack) that is lost")]
    = None,
    drain: Annotated[Optional[str], typer.Option("--drain", help="Drain this host for patching first")] = None,
    details: Annotated[bool, typer.Option("--details", help="List every VM even when many move")] = False,
) -> None:
    """What if hosts or a rack fail (after draining a host)? Where each VM restarts; exit 1 if not all do."""
    from planner.cli_print import print_whatif
    from planner.whatif import what_if

    hosts = [h.strip() for h in (fail or "").split(",") if h.strip()]
    result = what_if(read_json(design), hosts, fail_rack, drain)
    print_whatif(result, out, details)
    if not result.survived:
        raise typer.Exit(1)


@command
def headroom(
    design: Annotated[Path, typer.Argument(help="design.json")],
    size: Annotated[str, typer.Option("--size", help="Tenant VM size (catalog or custom_vm_sizes)")] = "medium",
) -> None:
    """How many more tenant VMs of a size fit per compute cluster with every N+k promise kept."""
    from planner.cli_print import print_headroom
    from planner.headroom import headroom as compute_headroom
    from planner.headroom import vm_size

    data = read_json(design)
    chosen = vm_size(data, size)
    print_headroom(chosen, compute_headroom(data, chosen), out)


@command
def diff(
    old: Annotated[Path, typer.Argument(help="The old design.json")],
    new: Annotated[Path, typer.Argument(help="The new design.json")],
    every: Annotated[bool, typer.Option("--all", help="List every change, not the first 20 of each kind")] = False,
) -> None:
    """What changed between two designs: hosts, VMs moved, role counts, cost; exit 1 when they differ."""
    from planner.cli_print import print_diff
    from planner.diff import diff_designs

    result = diff_designs(read_json(old), read_json(new), str(old), str(new))
    print_diff(result, out, str(old), str(new), every)
    if not result.empty:
        raise typer.Exit(1)


@command
def bom(
    design: Annotated[Path, typer.Argument(help="design.json to draw the bill of materials from")],
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Workbook to write [default: "
                                                                   "<design name>-bom.xlsx here]")] = None,
    force: Annotated[bool, FORCE] = False,
) -> None:
    """Write the Excel bill of materials: hosts, VMs, SQL, licences, IP plan, failover, live totals."""
    from planner.output import beside_name, write_files
    from planner.licensing import licensing
    from planner.render.workbook import requirements_of, workbook

    loaded = load_design(design)
    with inconsistent_design(design):
        data = workbook(loaded)
    target = out_file or Path(beside_name(loaded.name, "bom.xlsx"))
    write_files(target.parent, {target.name: data}, force)
    totals = licensing(loaded, requirements_of(loaded)).totals()
    hardware = sum(h.price for h in loaded.hosts)
    out.print(f"Wrote {target}: {len(loaded.hosts)} hosts, {len(loaded.vms):,} VMs; hardware {hardware:,.0f}, "
              f"licences {sum(totals.values()):,.0f} (Windows Server {totals['windows_server']:,.0f}, System Center "
              f"{totals['system_center']:,.0f}, SQL Server {totals['sql_server']:,.0f})", soft_wrap=True)


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
    view: Annotated[str, typer.Option(help="physical | logical | network")] = "physical",
    fmt: Annotated[str, typer.Option("--format", help="dot | svg | png | pdf")] = "svg",
    theme: Annotated[str, typer.Option(help="light | dark")] = "light",
    slide: Annotated[bool, typer.Option("--slide", help="Fit a 16:9 slide with readable fonts")] = False,
    page: Annotated[Optional[str], typer.Option(help="One page: overview or a cluster [default: every page]")]
    = None,
    fail: Annotated[Optional[str], typer.Option("--fail", help="Draw these hosts failing (comma-separated)")] = None,
    fail_rack: Annotated[Optional[str], typer.Option("--fail-rack", help="Draw this rack failing")] = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="File to write, - for stdout [default: "
                                                                   "<design name>-<view>.<format> here]")] = None,
    force: Annotated[bool, FORCE] = False,
) -> None:
    """Draw one view of a design (physical, logical or network), or a failure, with Graphviz."""
    from planner.output import beside_name, write_files
    from planner.render.diagram import check, drawings
    from planner.render.diagram.failover import Failure
    from planner.whatif import what_if

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
        sys.stdout.buffer.write(next(iter(pages.values())))
        sys.stdout.flush()
        return
    target = out_file or Path(beside_name(loaded.name, f"{'failover' if failure else view}.{fmt}"))
    files = {target.stem + suffix + target.suffix: data for suffix, data in pages.items()}
    write_files(target.parent, files, force)
    out.print(f"Wrote {', '.join(str(target.parent / name) for name in files)}: {view} view, {theme} theme"
              + (", 16:9 slide" if slide else ""))


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


def write_report(path: Path, data: bytes) -> None:
    """Write a report file (JUnit XML), or InputError saying why it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error.strerror or error}") from None


@contextlib.contextmanager
def inconsistent_design(path: Path):
    """Turn a renderer tripping over an inconsistent design into a clear InputError."""
    try:
        yield
    except (KeyError, IndexError, StopIteration, ValueError) as error:
        raise InputError(f"{path}: the design is inconsistent ({type(error).__name__}: {error}); "
                         f"`stampplan validate` names the problem") from None


def _report(error: StampplanError) -> None:
    if isinstance(error, Infeasible):
        err.print(styled("cannot be met:", "red", error))
        if error.clashes:
            err.print("The requirements that clash, and what would relax each:")
            for field, value, relax in error.clashes:
                err.print(f"  {field} = {json.dumps(value, default=str)}: {relax}")
    else:
        err.print(styled("error:", "red", error))


def _terminate(_signum, _frame) -> None:
    raise Terminated()


def main() -> None:
    """Console entry point."""
    app()
