"""Covers: buy machines whose capacities cover a demand at least cost.

Shared by the mixed-model compute clusters (planner/solve/mixed.py) and the whole design's pooled bound
(bounds.py), where the integer cover bounds what any mix of host models costs, and the cloud-balancing
benchmark's engine (bench/cloudbalancing/mixed.py), which fills the LP cover's machine set.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from planner.solve.problem import HostType, Item
from planner.solve.runner import run_solver

CENTS = 100
COVER_TIME = 1.0  # deterministic seconds for the integer cover (its bound holds whenever it stops)


def lp_cover(caps: np.ndarray, costs: np.ndarray, need: np.ndarray, most: np.ndarray | None = None) -> np.ndarray:
    """The LP cover's machine amounts y (min costs.y, caps^T y >= need, 0 <= y <= most, default 1) by GLOP; `most`
    itself when even every machine falls short."""
    from ortools.linear_solver import pywraplp
    most = np.ones(len(costs)) if most is None else np.asarray(most, dtype=float)
    lp = pywraplp.Solver.CreateSolver("GLOP")
    y = [lp.NumVar(0.0, float(top), "") for top in most]
    for r in range(caps.shape[1]):
        lp.Add(lp.Sum([int(c) * v for c, v in zip(caps[:, r], y)]) >= float(need[r]))
    lp.Minimize(lp.Sum([int(c) * v for c, v in zip(costs, y)]))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return most
    return np.asarray([v.solution_value() for v in y])


def integer_cover_bound(caps: np.ndarray, costs: np.ndarray, need: np.ndarray, most: int) -> int:
    """A lower bound on min costs.x over whole machine counts x (at most `most` of each machine type) with
    caps^T x >= need: CP-SAT's proven bound (the optimum when it finishes), hinted with the LP cover rounded up;
    0 when no such x exists."""
    from ortools.sat.python import cp_model
    m = cp_model.CpModel()
    x = [m.new_int_var(0, most, f"x{j}") for j in range(len(costs))]
    for r in range(caps.shape[1]):
        m.add(sum(int(c) * v for c, v in zip(caps[:, r], x)) >= int(need[r]))
    m.minimize(sum(int(c) * v for c, v in zip(costs, x)))
    for v, amount in zip(x, lp_cover(caps, costs, need, np.full(len(costs), most))):
        m.add_hint(v, min(most, int(np.ceil(amount - 1e-9))))
    solver, code = run_solver(m, COVER_TIME, 1, 0)
    return int(solver.best_objective_bound) if code != cp_model.INFEASIBLE else 0


def integer_cover(items: Sequence[Item], per_host_storage: bool, models: Sequence[HostType], most: int) -> float:
    """The least term cost of whole hosts of `models` (at most `most` of each) whose capacities hold `items`."""
    dims = [i for i in range(3) if all(t.capacity()[i] for t in models)]
    caps = np.asarray([[t.capacity()[i] for i in dims] + [t.max_vms] for t in models], dtype=np.int64)
    need = np.asarray([sum(it.demand(per_host_storage)[i] for it in items) for i in dims] + [len(items)])
    costs = np.asarray([math.floor(t.unit_cost * CENTS) for t in models], dtype=np.int64)  # never above
    return integer_cover_bound(caps, costs, need, most) / CENTS
