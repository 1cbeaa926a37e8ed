"""Covers: buy machines whose capacities cover a demand at least cost.

Shared by the mixed-model compute clusters (planner/solve/mixed.py) and the whole design's pooled bound
(bounds.py), where the integer cover bounds what any mix of host models costs, and the cloud-balancing
benchmark's engine (bench/cloudbalancing/mixed.py), which fills the LP cover's machine set.
numpy is imported where a function needs it: a plan whose bounds never call them (poc) does without it (0.18 s).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from planner.solve.problem import HostType, Item
from planner.solve.runner import run_solver

if TYPE_CHECKING:
    import numpy as np

CENTS = 100
COVER_TIME = 1.0  # deterministic seconds for the integer cover (its bound holds whenever it stops)


def lp_cover(caps: np.ndarray, costs: np.ndarray, need: np.ndarray, most: np.ndarray | None = None) -> np.ndarray:
    """The LP cover's machine amounts y (min costs.y, caps^T y >= need, 0 <= y <= most, default 1) by GLOP; `most`
    itself when even every machine falls short."""
    import numpy as np
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


def integer_cover_bound(caps: np.ndarray, costs: np.ndarray, need: np.ndarray, most: int, k: int = 0) -> int:
    """A lower bound on min costs.x over whole machine counts x (at most `most` of each machine type) with
    caps^T x >= need, and with `k` > 0 still after any k machines fail: for each type bought, after one of it
    and k - 1 of the smallest fail (a necessary condition, so the bound holds). CP-SAT's proven bound (the optimum
    when it finishes), hinted with the LP cover rounded up; 0 when no such x exists."""
    import numpy as np
    from ortools.sat.python import cp_model
    m = cp_model.CpModel()
    x = [m.new_int_var(0, most, f"x{j}") for j in range(len(costs))]
    for r in range(caps.shape[1]):
        m.add(sum(int(c) * v for c, v in zip(caps[:, r], x)) >= int(need[r]))
    if k:
        m.add(sum(x) >= k + 1)
        smallest = caps.min(axis=0)
        for j, v in enumerate(x):
            bought = m.new_bool_var(f"b{j}")
            m.add(v >= 1).only_enforce_if(bought)
            m.add(v == 0).only_enforce_if(bought.Not())
            for r in range(caps.shape[1]):
                lost = int(caps[j, r]) + (k - 1) * int(smallest[r])
                m.add(sum(int(c) * w for c, w in zip(caps[:, r], x)) >= int(need[r]) + lost).only_enforce_if(bought)
    m.minimize(sum(int(c) * v for c, v in zip(costs, x)))
    if not k:
        for v, amount in zip(x, lp_cover(caps, costs, need, np.full(len(costs), most))):
            m.add_hint(v, min(most, int(np.ceil(amount - 1e-9))))
    solver, code = run_solver(m, COVER_TIME, 1, 0)
    return int(solver.best_objective_bound) if code != cp_model.INFEASIBLE else 0


def integer_cover(items: Sequence[Item], per_host_storage: bool, models: Sequence[HostType], most: int,
                  k: int = 0) -> float:
    """The least term cost of whole hosts of `models` (at most `most` of each) whose capacities hold `items`, and
    with `k`, still after any k of them fail (integer_cover_bound)."""
    import numpy as np
    dims = [i for i in range(3) if all(t.capacity()[i] for t in models)]
    caps = np.asarray([[t.capacity()[i] for i in dims] + [t.max_vms] for t in models], dtype=np.int64)
    need = np.asarray([sum(it.demand(per_host_storage)[i] for it in items) for i in dims] + [len(items)])
    costs = np.asarray([math.floor(t.unit_cost * CENTS) for t in models], dtype=np.int64)  # never above
    return integer_cover_bound(caps, costs, need, most, k) / CENTS
