"""Solver settings: what the CLI parses from --time-limit and --workers (standard library only,
so parsing options loads no solver); and how often a plan's process collects garbage."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# A large design holds a million objects (VMs, restart maps, renderers' rows) that live to the end; the default
# thresholds (700, 10, 10) rescan them ~10 times, a fifth of multi-stamp's plan and render CPU time (issue 18).
# Young cycles are still collected every GC_THRESHOLDS[0] allocations; peak memory is unchanged.
GC_THRESHOLDS = (50_000, 20, 10)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Within: the cyclic garbage collector runs at GC_THRESHOLDS (the thresholds before are restored after)."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass
class SolverSettings:
    """Deterministic CP-SAT settings: fixed seed and workers, deterministic time limit."""

    time_limit: float = 30.0  # deterministic seconds per cluster and host model
    workers: int = 8
    seed: int = 20141015
