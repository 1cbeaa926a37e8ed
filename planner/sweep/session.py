"""`stampplan sweep`: expand the sweep file, plan what is not planned yet, write the folder (also after Ctrl-C)."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from planner.errors import Interrupted, Terminated
from planner.output import refuse_foreign_folder, write_folder
from planner.settings import SolverSettings
from planner.sweep.compare import Row
from planner.sweep.folder import finished, sweep_files
from planner.sweep.run import Outcome, run, settings_tasks
from planner.sweep.spec import load_sweep


def run_sweep(path: Path, target: Path, settings: SolverSettings, engine: str, jobs: int, address: str | None,
              resume: bool, progress: Callable[[str], None]) -> tuple[list[Row], dict[str, float]]:
    """Plan every variant of the sweep file into `target`; the rows compared and each variant's plan time.

    Ctrl-C (or SIGTERM) stops planning; the finished variants are written all the same, then Interrupted."""
    base, variants = load_sweep(path)
    refuse_foreign_folder(target)
    outcomes = finished(target, variants, settings) if resume else {}
    todo = [v for v in variants if v.slug not in outcomes]
    names = {v.slug: v.name for v in variants}
    if outcomes:
        progress(f"{len(outcomes)} of {len(variants)} variants already planned in {target}: kept")
    progress(f"planning {len(todo)} variant(s) with {engine} ({jobs} at a time)")
    start, seconds = time.monotonic(), {}

    def done(outcome: Outcome) -> None:
        outcomes[outcome.slug] = outcome
        seconds[outcome.slug] = outcome.seconds
        count = len(seconds)
        elapsed = time.monotonic() - start
        eta = elapsed / count * (len(todo) - count)
        progress(f"[{count}/{len(todo)}] {names[outcome.slug]}: {outcome.status} in {outcome.seconds:.1f} s"
                 + (f"; about {_duration(eta)} left" if count < len(todo) else ""))

    stop = None
    try:
        run(settings_tasks(todo, settings), engine, jobs, address, done)
    except KeyboardInterrupt as interrupt:
        stop = interrupt
    files, rows = sweep_files(path.stem, base, variants, outcomes, settings)
    write_folder(target, files)
    if stop is not None:
        raise Interrupted(f"stopped: {len(outcomes)} of {len(variants)} variants planned and kept in {target}; "
                          f"run the same command with --resume to plan the rest",
                          signal=15 if isinstance(stop, Terminated) else 2)
    return rows, seconds


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
