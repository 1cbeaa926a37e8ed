"""CPU-second budgets for the tests that guard against a slow algorithm coming back.

A budget is written in seconds of the machine the figures were measured on (a 2-core development VM, where the
calibration workload below takes REFERENCE_SECONDS) and scaled by how much slower the machine running the tests
is on that workload; each budget sits at about three times its measured cost and well below the regression it
catches (named at each use). Speed targets themselves live in bench/, not here.
"""
from __future__ import annotations

import functools
import time

REFERENCE_SECONDS = 0.050  # best of five of _workload() on the development VM (session 7)


def _workload() -> None:
    table: dict[int, list[int]] = {}
    for i in range(120_000):
        table.setdefault(i % 997, []).append(i * 7 % 1013)
    for values in table.values():
        values.sort()


@functools.cache
def slowdown() -> float:
    """How many times slower than the reference machine this one runs pure Python (never below 1)."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        _workload()
        best = min(best, time.process_time() - start)
    return max(1.0, best / REFERENCE_SECONDS)


def cpu_budget(seconds: float) -> float:
    """`seconds` on the reference machine, in this machine's CPU seconds."""
    return seconds * slowdown()
