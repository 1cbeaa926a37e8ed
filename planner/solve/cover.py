"""The LP cover: buy machines, fractionally, whose capacities cover a demand at least cost (GLOP).

Shared by the mixed-model compute clusters (planner/solve/mixed.py: a lower bound on any mix of host models)
and the cloud-balancing benchmark's engine (bench/cloudbalancing/mixed.py: the machine set to fill).
"""
from __future__ import annotations

import numpy as np


def lp_cover(caps: np.ndarray, costs: np.ndarray, need: np.ndarray, most: np.ndarray | None = None) -> np.ndarray:
    """The LP cover's machine amounts y (min costs.y, caps^T y >= need, 0 <= y <= most, default 1) by GLOP; `most`
    itself when even every machine falls short."""
    return _solve(caps, costs, need, most)[0]


def lp_cover_bound(caps: np.ndarray, costs: np.ndarray, need: np.ndarray, most: np.ndarray) -> float:
    """A lower bound on the cost of any integral cover with at most `most` of each machine: the Lagrangian
    need.u - sum_j most_j max(0, caps_j.u - costs_j) at GLOP's duals u >= 0 (valid for any u, so GLOP's
    tolerances cannot make it overstate); 0 when the LP fails."""
    _, u = _solve(caps, costs, need, most)
    reduced = np.maximum(0.0, caps.astype(float) @ u - costs)
    return max(0.0, float(need @ u - np.asarray(most, dtype=float) @ reduced))


def _solve(caps: np.ndarray, costs: np.ndarray, need: np.ndarray, most) -> tuple[np.ndarray, np.ndarray]:
    from ortools.linear_solver import pywraplp
    most = np.ones(len(costs)) if most is None else np.asarray(most, dtype=float)
    lp = pywraplp.Solver.CreateSolver("GLOP")
    y = [lp.NumVar(0.0, float(top), "") for top in most]
    rows = [lp.Add(lp.Sum([int(c) * v for c, v in zip(caps[:, r], y)]) >= float(need[r])) for r in range(caps.shape[1])]
    lp.Minimize(lp.Sum([int(c) * v for c, v in zip(costs, y)]))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return most, np.zeros(caps.shape[1])
    return (np.asarray([v.solution_value() for v in y]),
            np.maximum(0.0, np.asarray([row.dual_value() for row in rows])))
