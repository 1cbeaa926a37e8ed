"""Placement on a park of mixed machines, each with its own capacities and price (no
failover, no anti-affinity): the tenant-placement core when host models may be mixed, and
the engine behind the cloud-balancing benchmark.

1. Dual prices per resource from the LP cover bound (planner/solve/bounds.py) value every
   item and every machine; machines are ranked by price per priced capacity.
2. Construction: items by decreasing priced size, each to the open machine where it fits
   best (least priced room left); when none fits, the best-ranked unopened machine that
   holds it is opened.
3. Improvement (deterministic, bounded passes): close a machine by moving its items into
   the others' room (best fit, largest first); swap a machine for a cheaper unused one that
   holds its load; repeat until a pass changes nothing.

Vectorised with numpy so 30 000 items on 10 000 machines stays within seconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.solve.bounds import lp_cover_dual
from planner.solve.exact import run_solver


@dataclass(frozen=True)
class MixedProblem:
    caps: np.ndarray  # machines x resources
    costs: np.ndarray  # machines
    demands: np.ndarray  # items x resources


def ffd(p: MixedProblem) -> np.ndarray | None:
    """First-fit decreasing baseline: items by decreasing total relative demand, each to the first used
    machine (in opening order) where it fits, else the cheapest unused machine that holds it."""
    rel = p.demands / p.caps.max(axis=0)
    order = np.lexsort((np.arange(len(p.demands)), -rel.sum(axis=1)))
    by_cost = np.lexsort((np.arange(len(p.costs)), p.costs))
    return _greedy(p.caps.astype(np.int64), p.demands, order, by_cost, lambda fitting, room, d: fitting[0])


def _greedy(caps: np.ndarray, dem: np.ndarray, order: np.ndarray, rank: np.ndarray, pick) -> np.ndarray | None:
    """Place items in `order`: on the open machine `pick(fitting machines, their room, demand)` chooses
    among those it fits, else on the first unopened machine of `rank` that holds it; None if none does."""
    room = caps.copy()
    is_open = np.zeros(len(caps), dtype=bool)
    assign = np.full(len(dem), -1, dtype=np.int64)
    open_list: list[int] = []
    for i in order:
        d = dem[i]
        if open_list:
            idx = np.asarray(open_list)
            fit = np.all(room[idx] >= d, axis=1)
            if fit.any():
                j = int(pick(idx[fit], room[idx][fit], d))
                room[j] -= d
                assign[i] = j
                continue
        hit = np.flatnonzero(np.all(room[rank] >= d, axis=1) & ~is_open[rank])
        if not hit.size:
            return None
        j = int(rank[hit[0]])
        is_open[j] = True
        open_list.append(j)
        room[j] -= d
        assign[i] = j
    return assign


EXACT_MAX_PAIRS = 5_000  # items x machines for the CP-SAT assignment model


LNS_ITERATIONS = 250
LNS_STEP_TIME = 0.15  # deterministic seconds per neighbourhood


def solve_mixed(p: MixedProblem, passes: int = 3, time_limit: float = 20.0, workers: int = 8,
                seed: int = 20141015, lns_iterations: int = LNS_ITERATIONS) -> np.ndarray | None:
    """An assignment item -> machine of low total cost of the machines used, or None if none is found.

    The greedy construction and improvement; then, where items x machines is small, the CP-SAT
    assignment model warm-started from it (deterministic time limit)."""
    candidates = [a for a in (_construct(p, passes, "priced"), _construct(p, passes, "cover"), ffd(p))
                  if a is not None]
    base = ffd(p)
    if base is not None:
        candidates.append(improve(p, base, _norm_price(p), passes))
    best = min(candidates, key=lambda a: cost(p, a)) if candidates else None
    if len(p.demands) * len(p.caps) <= EXACT_MAX_PAIRS:
        exact = solve_assignment(p, best, time_limit, workers, seed)
        if exact is not None and (best is None or cost(p, exact) < cost(p, best)):
            best = exact
    elif best is not None and lns_iterations:
        best = lns(p, best, lns_iterations, seed, step_time=LNS_STEP_TIME)
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


def _norm_price(p: MixedProblem) -> np.ndarray:
    """Each resource priced by its share of the total demand."""
    return 1.0 / np.maximum(p.demands.sum(axis=0), 1).astype(float)


def _construct(p: MixedProblem, passes: int, how: str) -> np.ndarray | None:
    caps = p.caps.astype(np.int64)
    dem = p.demands.astype(np.int64)
    m, n = len(caps), len(dem)
    if how == "priced":
        _, u = lp_cover_dual(caps.tolist(), p.costs.tolist(), dem.sum(axis=0).tolist())
        price = np.asarray(u, dtype=float)
        scale = 1.0 / np.maximum(caps.max(axis=0), 1)
        price = price + 1e-3 * scale * (p.costs.mean() if m else 1.0)  # every resource counts a little
        value = caps @ price
    else:  # the share of the whole demand a machine covers in its scarcest resource
        price = _norm_price(p)
        value = (caps * price).min(axis=1)
    rank = np.lexsort((np.arange(m), p.costs / np.maximum(value, 1e-12)))
    weight = dem @ price
    order = np.lexsort((np.arange(n), -weight))
    assign = _greedy(caps, dem, order, rank, lambda fitting, room, d: fitting[np.argmin((room - d) @ price)])
    if assign is None:
        return None
    return improve(p, assign, price, passes)


def improve(p: MixedProblem, assign: np.ndarray, price: np.ndarray, passes: int = 3) -> np.ndarray:
    """Close machines by moving their items into the others' room; swap machines for cheaper unused ones."""
    caps = p.caps.astype(np.int64)
    dem = p.demands.astype(np.int64)
    m = len(caps)
    assign = assign.copy()
    room = caps.copy()
    np.subtract.at(room, assign, dem)
    for _ in range(passes):
        changed = False
        used = np.unique(assign)
        load = caps[used] - room[used]
        # try to close the machines that are most expensive per priced load first
        worth = p.costs[used] / np.maximum(load @ price, 1e-9)
        for j in used[np.lexsort((used, -worth))]:
            items = np.flatnonzero(assign == j)
            if not items.size:
                continue
            items = items[np.lexsort((items, -(dem[items] @ price)))]
            others = np.unique(assign)
            others = others[others != j]
            if not others.size:
                continue
            trial = room[others].copy()
            moves = []
            ok = True
            for i in items:
                d = dem[i]
                fit = np.all(trial >= d, axis=1)
                if not fit.any():
                    ok = False
                    break
                left = (trial[fit] - d) @ price
                t = np.flatnonzero(fit)[np.argmin(left)]
                trial[t] -= d
                moves.append((i, int(others[t])))
            if ok:
                for i, t in moves:
                    assign[i] = t
                room[others] = trial
                room[j] = caps[j]
                changed = True
        # swap a used machine for the cheapest unused one that holds its load
        used_mask = np.zeros(m, dtype=bool)
        used_mask[np.unique(assign)] = True
        for j in np.unique(assign):
            load = caps[j] - room[j]
            cand = np.flatnonzero(~used_mask & np.all(caps >= load, axis=1) & (p.costs < p.costs[j]))
            if cand.size:
                t = int(cand[np.lexsort((cand, p.costs[cand]))[0]])
                assign[assign == j] = t
                room[t] = caps[t] - load
                room[j] = caps[j]
                used_mask[j], used_mask[t] = False, True
                changed = True
        if not changed:
            break
    return assign


def lns(p: MixedProblem, assign: np.ndarray, iterations: int, seed: int = 20141015, free_used: int = 6,
        candidates: int = 8, step_time: float = 0.2) -> np.ndarray:
    """Large-neighbourhood search: free the items of a few used machines, re-place them exactly with CP-SAT
    on those machines plus a few unused efficient ones; keep the result when it costs no more.
    Deterministic: a fixed-seed generator, one worker, a deterministic time limit per step."""
    from ortools.sat.python import cp_model
    rng = np.random.default_rng(seed)
    caps = p.caps.astype(np.int64)
    dem = p.demands.astype(np.int64)
    m = len(caps)
    price = _norm_price(p)
    eff = p.costs / np.maximum((caps * price).min(axis=1), 1e-12)
    eff_rank = np.lexsort((np.arange(m), eff))
    assign = assign.copy()
    for _ in range(iterations):
        used = np.unique(assign)
        if len(used) < 2:
            break
        load = np.zeros_like(caps)
        np.add.at(load, assign, dem)
        util = (load[used] / np.maximum(caps[used], 1)).max(axis=1)
        weight = (1.05 - util) * p.costs[used]
        weight = weight / weight.sum()
        pick = rng.choice(used, size=min(free_used, len(used)), replace=False, p=weight)
        is_used = np.zeros(m, dtype=bool)
        is_used[used] = True
        pool = eff_rank[~is_used[eff_rank]][:candidates * 5]
        extra = rng.choice(pool, size=min(candidates, len(pool)), replace=False) if len(pool) else np.array([], int)
        machines = np.concatenate([np.sort(pick), np.sort(extra)]).astype(np.int64)
        items = np.flatnonzero(np.isin(assign, pick))
        if not items.size:
            continue
        model = cp_model.CpModel()
        use = [model.new_bool_var(f"u{j}") for j in range(len(machines))]
        x = [[model.new_bool_var("") for _ in machines] for _ in items]
        for a, i in enumerate(items):
            model.add_exactly_one(x[a])
            fits = np.all(caps[machines] >= dem[i], axis=1)
            for b in range(len(machines)):
                if not fits[b]:
                    model.add(x[a][b] == 0)
                else:
                    model.add_implication(x[a][b], use[b])
        for b, j in enumerate(machines):
            for r in range(caps.shape[1]):
                model.add(sum(int(dem[i][r]) * x[a][b] for a, i in enumerate(items)) <= int(caps[j][r]) * use[b])
        # symmetry: identical free machines are used in order
        model.minimize(sum(int(p.costs[j]) * use[b] for b, j in enumerate(machines)))
        pos = {int(j): b for b, j in enumerate(machines)}
        for a, i in enumerate(items):
            for b in range(len(machines)):
                model.add_hint(x[a][b], pos[int(assign[i])] == b)
        for b, j in enumerate(machines):
            model.add_hint(use[b], b < len(pick))
        solver, code = run_solver(model, step_time, 1, seed, interleave=False)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        before = int(p.costs[pick].sum())
        if solver.objective_value < before:
            for a, i in enumerate(items):
                assign[i] = machines[next(b for b in range(len(machines)) if solver.value(x[a][b]))]
    return assign
