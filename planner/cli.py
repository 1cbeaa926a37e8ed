"""The `stampplan` command line: a thin typer app over plan, validate, check, the design reviews and sweep;
the artifact commands are in cli_artifacts.py, the app and its exit codes in cli_app.py."""
from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from planner.cli_app import app, command, err, out, write_report
from planner.design_file import read_json
from planner.errors import CheckFailed, InputError
from planner.terminal import styled


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
    from planner.render_ahead import RenderAhead

    start = time.monotonic()

    def progress(message: str) -> None:
        if not quiet:
            err.print(f"[{time.monotonic() - start:6.1f}s] {message}")

    with RenderAhead() as ahead:  # forked first: the child imports the renderers while this process loads the
        # requirements and the solver (and is ended at once should they be refused)
        from planner.model.load import load_requirements
        from planner.output import default_folder, refuse_foreign_folder, write_folder

        req = load_requirements(requirements)  # before importing the solver: bad input fails fast
        target = out_dir or default_folder(requirements)
        refuse_foreign_folder(target)  # before the solve, and again just before the swap
        from planner.pipeline import build
        from planner.settings import SolverSettings
        from planner.summary import print_design, print_verdict

        built = build(req, SolverSettings(time_limit=time_limit, workers=workers), progress,
                      lambda msg: err.print(styled("note:", "yellow", msg)), ahead=ahead)
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
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep file (YAML): a base requirements file and axes or options")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Output folder [default: outputs/<name>]")] = None,
    jobs: Annotated[Optional[int], typer.Option(min=1, max=256, help="Variants planned at once [default: the "
                                                                      "cores]")] = None,
    engine: Annotated[str, typer.Option(help="local (process pool) | ray")] = "local",
    address: Annotated[Optional[str], typer.Option(help="Ray cluster to join (with --engine ray)")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Keep the variants already planned in --out")] = False,
    time_limit: Annotated[float, typer.Option(min=0.1, help="As for plan")] = 30.0,
    workers: Annotated[int, typer.Option(min=1, max=64, help="As for plan")] = 8,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines")] = False,
) -> None:
    """Plan variants of a requirements file in parallel and compare them (table, workbook, Pareto plot)."""
    from planner.cli_print import print_sweep
    from planner.output import default_folder
    from planner.settings import SolverSettings
    from planner.sweep.session import run_sweep

    if engine not in ("local", "ray"):
        raise InputError(f"--engine {engine!r}: choose local or ray")
    if address and engine != "ray":
        raise InputError("--address is the Ray cluster to join: give it with --engine ray")
    target = out_dir or default_folder(sweep_file)
    start = time.monotonic()
    rows, seconds = run_sweep(sweep_file, target, SolverSettings(time_limit=time_limit, workers=workers), engine,
                              jobs or os.cpu_count() or 1, address, resume,
                              (lambda m: None) if quiet else (lambda m: err.print(f"[{time.monotonic() - start:6.1f}s] {m}")))
    print_sweep(rows, seconds, out)
    out.print(f"Wrote {target}/: sweep.json, comparison.csv/.md/.xlsx, pareto.svg/.png, options.pptx, "
              f"variants/*/design.json")


from planner import cli_artifacts  # noqa: E402,F401 - registers diagram, bom, checklist, deck, report after these


def main() -> None:
    """Console entry point."""
    try:
        app()
    finally:
        gc.freeze()  # the interpreter's exit would otherwise collect over every object the modules loaded: 0.3 s
