"""Solver settings: what the CLI parses from --time-limit and --workers (standard library only,
so parsing options loads no solver)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SolverSettings:
    """Deterministic CP-SAT settings: fixed seed and workers, deterministic time limit."""

    time_limit: float = 30.0  # deterministic seconds per cluster and host model
    workers: int = 8
    seed: int = 20141015
