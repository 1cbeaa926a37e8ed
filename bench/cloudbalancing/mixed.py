"""Placement on a park of mixed machines, each with its own capacities and price (no
failover, no anti-affinity): the engine behind the cloud-balancing benchmark, which is tenant
placement over mixed host models.

1. Machine set from the LP cover relaxation (buy machines, fractionally, whose capacity
   covers the total demand, inflated by a small margin), solved with GLOP: the machines the
   LP buys are nearly those a good packing uses.
2. Construction by minimum bin slack: the LP's machines in turn (fully bought first, then
   by index), each filled with the subset of the remaining items that leaves the least
   weighted room (a bounded depth-first search over item types, largest first; a resource
   weighs (remaining demand / capacity still to fill)^4, so the scarce ones dominate).
   Left-over items go best-fit into the room left, else onto the cheapest unused machine
   that holds them, which is then filled the same way. Two margins are tried, and
   first-fit decreasing (`ffd`) as a safeguard; the cheapest wins.
3. Improvement: large-neighbourhood search with CP-SAT (lns.py) for
   machines / 4 steps, at least 100 and at most 1000; the CP-SAT assignment model instead
   when items x machines is small.

Every step is deterministic: fixed seeds, one CP-SAT worker, deterministic time limits.
"""
from __future__ import annotations

from operator import le, mul, sub

import numpy as np

from bench.cloudbalancing.lns import lns
from bench.cloudbalancing.problem import MixedProblem
from planner.solve.cover import lp_cover
from planner.solve.runner import run_solver

EXACT_MAX_PAIRS = 5_000  # items x machines for the CP-SAT assignment model
MARGINS = (0.01, 0.02)  # extra capacity asked of the LP machine set, one construction each
FILL_NODES = 300  # search nodes per machine filled by minimum bin slack
LNS_STEPS = (100, 1000)  # LNS steps: machines / 4, within these bounds


def ffd(p: MixedProblem) -> np.ndarray | None:
    """First-fit decreasing baseline: items by decreasing total relative demand, each to the first used
    machine (in opening order) where it fits, else the cheapest unused machine that holds it."""
    rel = p.demands / p.caps.max(axis=0)
    order = np.lexsort((np.arange(len(p.demands)), -rel.sum(axis=1)))
    by_cost = np.lexsort((np.arange(len(p.costs)), p.costs))
    caps, dem = p.caps.astype(np.int64), p.demands.astype(np.int64)
    room = caps.copy()
    is_open = np.zeros(len(caps), dtype=bool)
    assign = np.full(len(dem), -1, dtype=np.int64)
    open_list: list[int] = []
    for i in order:
        d = dem[i]
        if open_list:
            idx = np.asarray(open_list)
            fit = np.flatnonzero(np.all(room[idx] >= d, axis=1))
            if fit.size:
                j = int(idx[fit[0]])
                room[j] -= d
                assign[i] = j
                continue
        hit = np.flatnonzero(np.all(room[by_cost] >= d, axis=1) & ~is_open[by_cost])
        if not hit.size:
            return None
        j = int(by_cost[hit[0]])
        is_open[j] = True
        open_list.append(j)
        room[j] -= d
        assign[i] = j
    return assign


def solve_mixed(p: MixedProblem, time_limit: float = 20.0, workers: int = 8, seed: int = 20141015,
                lns_iterations: int | None = None) -> np.ndarray | None:
    """An assignment item -> machine of low total cost of the machines used, or None if none is found.

    The best construction, then the CP-SAT assignment model warm-started from it where items x machines
    is small (deterministic time limit), else `lns_iterations` LNS steps (default: grows with the machines)."""
    weights = resource_weights(p)
    candidates = [a for a in [construct(p, margin, weights) for margin in MARGINS] + [ffd(p)] if a is not None]
    best = min(candidates, key=lambda a: cost(p, a)) if candidates else None
    if len(p.demands) * len(p.caps) <= EXACT_MAX_PAIRS:
        exact = solve_assignment(p, best, time_limit, workers, seed)
        if exact is not None and (best is None or cost(p, exact) < cost(p, best)):
            best = exact
    elif best is not None:
        steps = int(np.clip(len(p.caps) // 4, *LNS_STEPS)) if lns_iterations is None else lns_iterations
        best = lns(p, best, steps, weights, seed)
    return best


def cost(p: MixedProblem, assign: np.ndarray) -> int:
    return int(p.costs[np.unique(assign)].sum())


def solve_assignment(p: MixedProblem, hint: np.ndarray | None, time_limit: float, workers: int,
                     seed: int) -> np.ndarray | None:
    """The assignment model: x[i][j] item i on machine j, used[j]; capacities; minimise the cost of used machines."""
    from ortools.sat.python import cp_model
    m, n = len(p.caps), len(p.demands)
    model = cp_model.CpModel()
    used = [model.new_bool_var(f"u{j}") for j in range(m)]
    x = [[model.new_bool_var(f"x{i}_{j}") for j in range(m)] for i in range(n)]
    for i in range(n):
        model.add_exactly_one(x[i])
        for j in range(m):
            model.add_implication(x[i][j], used[j])
    for j in range(m):
        for r in range(p.caps.shape[1]):
            model.add(sum(int(p.demands[i][r]) * x[i][j] for i in range(n)) <= int(p.caps[j][r]) * used[j])
    model.minimize(sum(int(c) * u for c, u in zip(p.costs, used)))
    if hint is not None:
        for i in range(n):
            for j in range(m):
                model.add_hint(x[i][j], int(hint[i]) == j)
        on = set(int(j) for j in hint)
        for j in range(m):
            model.add_hint(used[j], j in on)
    solver, code = run_solver(model, time_limit, workers, seed)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return np.asarray([next(j for j in range(m) if solver.value(x[i][j])) for i in range(n)], dtype=np.int64)


def resource_weights(p: MixedProblem) -> np.ndarray:
    """Weight of each resource in slack and fill: its utilisation on the LP machine set, to the fourth power
    (the resources that set is short of dominate), normalised to sum 1."""
    demand = p.demands.sum(axis=0)
    y = lp_cover(p.caps, p.costs, demand)
    w = np.minimum(demand / np.maximum(p.caps[y > 1e-6].sum(axis=0), 1), 1.0) ** 4
    return w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))


def construct(p: MixedProblem, margin: float, w: np.ndarray) -> np.ndarray | None:
    """Minimum-bin-slack filling of the LP machine set for demand x (1 + margin), then the left-overs
    (`w`: resource weights, see resource_weights)."""
    caps, dem = p.caps.astype(np.int64), p.demands.astype(np.int64)
    y = lp_cover(caps, p.costs, dem.sum(axis=0) * (1 + margin))
    chosen = np.flatnonzero(y > 1e-6)
    assign = np.full(len(dem), -1, dtype=np.int64)
    room = caps.copy()
    fill_machines(caps, dem, np.arange(len(dem)), chosen[np.lexsort((chosen, -y[chosen]))], w, assign, room)
    left = np.flatnonzero(assign < 0)
    for i in left[np.lexsort((left, -(dem[left] / caps.max(axis=0)) @ w))]:
        if assign[i] >= 0:
            continue
        d = dem[i]
        used = np.zeros(len(caps), dtype=bool)
        used[assign[assign >= 0]] = True
        fit = np.flatnonzero(used & np.all(room >= d, axis=1))
        if fit.size:  # best fit: least weighted room left
            j = fit[np.argmin(((room[fit] - d) / caps[fit]) @ w)]
            assign[i], room[j] = j, room[j] - d
            continue
        hold = np.flatnonzero(~used & np.all(caps >= d, axis=1))
        if not hold.size:
            return None
        j = hold[np.lexsort((hold, p.costs[hold]))[0]]
        assign[i], room[j] = j, room[j] - d
        fill_machines(caps, dem, np.flatnonzero(assign < 0), np.asarray([j]), w, assign, room)
    return assign


def fill_machines(caps: np.ndarray, dem: np.ndarray, items: np.ndarray, machines: np.ndarray, w: np.ndarray,
                  assign: np.ndarray, room: np.ndarray) -> None:
    """Fill `machines` in turn, each with the subset of the unplaced `items` that leaves the least weighted
    room, a resource weighing (its remaining demand / the capacity still to fill)^4, or `w` once no demand
    is left (updates assign and room in place)."""
    types, inverse = np.unique(dem[items], axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.lexsort((np.arange(len(types)), -(types / caps.max(axis=0)) @ w))  # largest first
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    types, inverse = types[order], rank[inverse]
    pools = [list(items[inverse == t][::-1]) for t in range(len(types))]
    count = np.asarray([len(pool) for pool in pools])
    need = dem[items].sum(axis=0).astype(float)
    ahead = room[machines].sum(axis=0).astype(float)
    for j in machines:
        cand = np.flatnonzero((count > 0) & np.all(types <= room[j], axis=1))
        tight = (need / np.maximum(ahead, 1)) ** 4
        wj = tight / tight.sum() if tight.sum() > 0 else w
        ahead -= room[j]
        if not cand.size:
            continue
        taken = _min_slack([tuple(int(v) for v in types[t]) for t in cand], count[cand].tolist(),
                           tuple(int(v) for v in room[j]), (wj / np.maximum(caps[j], 1)).tolist())
        for k in taken:
            t = cand[k]
            count[t] -= 1
            i = pools[t].pop()
            assign[i], room[j] = j, room[j] - dem[i]
            need -= dem[i]


def _min_slack(types: list[tuple[int, ...]], count: list[int], room: tuple[int, ...],
               weight: list[float]) -> list[int]:
    """The multiset of item types (indices, at most count[t] of type t) fitting `room` that leaves the least
    weighted room, by depth-first search with types in the given order, stopped after FILL_NODES nodes."""
    best: list = [sum(map(mul, room, weight)), []]
    taken: list[int] = []
    nodes = 0

    def dfs(start: int, left: tuple[int, ...]) -> bool:
        nonlocal nodes
        for t in range(start, len(types)):
            d = types[t]
            if not count[t] or not all(map(le, d, left)):
                continue
            if nodes >= FILL_NODES:
                return True
            nodes += 1
            rest = tuple(map(sub, left, d))
            count[t] -= 1
            taken.append(t)
            slack = sum(map(mul, rest, weight))
            if slack < best[0] - 1e-12:
                best[0], best[1] = slack, taken.copy()
            stop = dfs(t, rest)
            count[t] += 1
            taken.pop()
            if stop:
                return True
        return False

    dfs(0, room)
    return best[1]
