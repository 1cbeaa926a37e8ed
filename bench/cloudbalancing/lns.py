"""Large-neighbourhood search for the mixed-machine placement (mixed.py).

Each step frees the items of a few used machines and re-places them exactly with CP-SAT on
those machines plus a few unused efficient ones:
- the seed: a used machine drawn with probability growing with its waste, price times the
  weighted share of its capacity left idle (squared, so badly filled machines dominate);
- partners: used machines drawn by their weighted room, where the seed's items could go;
- candidates: unused machines drawn among the cheapest per weighted capacity.
CP-SAT minimises the cost, then the load left on the seed, so steps that cannot close a
machine still drain the worst-filled one until a later step closes it (an ejection chain).
The result is kept when it costs no more. Deterministic: a fixed-seed generator, one worker,
a deterministic time limit per step.
"""
from __future__ import annotations

import numpy as np

from bench.cloudbalancing.problem import MixedProblem
from planner.solve.runner import run_solver

STEP_TIME = 0.05  # deterministic seconds per step
PARTNERS = 3
CANDIDATES = 6
SEED_LOAD_SCALE = 1000  # the seed's priced load, in thousandths of its priced capacity


def lns(p: MixedProblem, assign: np.ndarray, steps: int, weights: np.ndarray, seed: int = 20141015) -> np.ndarray:
    """`steps` LNS steps from `assign`; `weights` per resource value capacity and load (see mixed.py)."""
    rng = np.random.default_rng(seed)
    caps, dem = p.caps.astype(np.int64), p.demands.astype(np.int64)
    m = len(caps)
    price = weights / np.maximum(caps.mean(axis=0), 1e-9)
    value = caps @ price
    efficiency = p.costs / np.maximum(value, 1e-12)
    by_efficiency = np.lexsort((np.arange(m), efficiency))
    assign = assign.copy()
    load = np.zeros_like(caps)
    np.add.at(load, assign, dem)
    for _ in range(steps):
        used_mask = np.bincount(assign, minlength=m) > 0
        used = np.flatnonzero(used_mask)
        if len(used) < 2:
            break
        waste = p.costs[used] * (1 - (load[used] @ price) / value[used])
        chance = waste ** 2 + 1e-9
        seed_machine = int(rng.choice(used, p=chance / chance.sum()))
        room = ((caps[used] - load[used]) / np.maximum(caps[used], 1)) @ weights + 1e-9
        room[used == seed_machine] = 0
        partners = rng.choice(used, size=min(PARTNERS, len(used) - 1), replace=False, p=room / room.sum())
        pool = by_efficiency[~used_mask[by_efficiency]][:4 * CANDIDATES]
        extra = rng.choice(pool, size=min(CANDIDATES, len(pool)), replace=False) if len(pool) else pool
        freed = np.concatenate([[seed_machine], np.sort(partners)]).astype(np.int64)
        machines = np.concatenate([freed, np.sort(extra)]).astype(np.int64)
        items = np.flatnonzero(np.isin(assign, freed))
        placed = _resolve(p, assign, items, machines, len(freed), price, seed)
        if placed is not None:
            np.subtract.at(load, assign[items], dem[items])
            assign[items] = placed
            np.add.at(load, placed, dem[items])
    return assign


def _resolve(p: MixedProblem, assign: np.ndarray, items: np.ndarray, machines: np.ndarray, freed: int,
             price: np.ndarray, seed: int) -> np.ndarray | None:
    """Re-place `items` on `machines` (the first `freed` of them hold them now) at least cost, then least
    load on machines[0]; the new machine of each item, or None when CP-SAT finds nothing cheaper or equal."""
    from ortools.sat.python import cp_model
    caps, dem = p.caps[machines].astype(np.int64), p.demands[items].astype(np.int64)
    fits = np.all(caps[None, :, :] >= dem[:, None, :], axis=2)
    model = cp_model.CpModel()
    use = [model.new_bool_var("") for _ in machines]
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for a in range(len(items)):
        for b in np.flatnonzero(fits[a]):
            x[a, int(b)] = model.new_bool_var("")
            model.add_implication(x[a, int(b)], use[b])
        model.add_exactly_one([x[a, int(b)] for b in np.flatnonzero(fits[a])])
    for b in range(len(machines)):
        on = [a for a in range(len(items)) if (a, b) in x]
        for r in range(caps.shape[1]):
            model.add(sum(int(dem[a, r]) * x[a, b] for a in on) <= int(caps[b, r]) * use[b])
    spend = sum(int(p.costs[j]) * use[b] for b, j in enumerate(machines))
    share = np.rint(SEED_LOAD_SCALE * (dem @ price) / max(float(caps[0] @ price), 1e-12)).astype(np.int64)
    seed_load = sum(int(share[a]) * x[a, 0] for a in range(len(items)) if (a, 0) in x)
    model.minimize(spend * (int(share.sum()) + 1) + seed_load)
    where = {int(j): b for b, j in enumerate(machines)}
    for (a, b), var in x.items():
        model.add_hint(var, where[int(assign[items[a]])] == b)
    for b in range(len(machines)):
        model.add_hint(use[b], b < freed)
    solver, code = run_solver(model, STEP_TIME, 1, seed, interleave=False)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    before = int(p.costs[machines[:freed]].sum())
    if sum(int(p.costs[j]) for b, j in enumerate(machines) if solver.value(use[b])) > before:
        return None
    return np.asarray([machines[next(b for b in range(len(machines)) if (a, b) in x and solver.value(x[a, b]))]
                       for a in range(len(items))], dtype=np.int64)
