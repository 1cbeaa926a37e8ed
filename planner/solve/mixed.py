"""Compute clusters that mix host models (hardware.mix_models_in_cluster).

The count model (tenant.py) over host *slots* that may each hold any offered model or stay empty: y[h][m]
slot h holds model m; used slots are a prefix (so slot h keeps rack h mod racks), within a rack ordered by
model; a slot's capacity is that of its model (0 when empty); the objective is the term cost of the models
bought. Every k-subset of the slots fails in turn, so N+k is exact for any mix: the failed hosts are whichever
k hurt most, the largest included (a subset holding an empty slot is a weaker copy of one that does not).
Slots: at most max_hosts, and no more than the best one-model design's cost buys of the cheapest model.

The bound holds for any mix: after the k cheapest hosts fail the survivors hold every VM, so the cost is at
least the integer cover of the demand (cover.py) plus k cheapest hosts; and the hosts bought hold every VM
after one of each model bought and k - 1 of the smallest fail (volume only). CP-SAT's own bound when higher;
when the bound reaches the one-model design, CP-SAT is not run.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.solve.counts import _class_key, _classes
from planner.solve.cover import CENTS, integer_cover
from planner.solve.problem import MAX_RESTARTS, ClusterProblem, HostType, Placement
from planner.solve.tenant import MAX_COUNT_MODEL_VARIABLES, OneModel, _solve_count, count_model_applies


@dataclass
class MixResult:
    placement: Placement | None  # None: no mix found cheaper than the one-model design
    cost: float
    bound: float  # a lower bound on the cost of any mix of the models
    optimal: bool
    deterministic_time: float


class Mix(OneModel):
    """Slots that hold one of `models` each, or nothing (see the module docstring)."""

    def __init__(self, p: ClusterProblem, models: list[HostType], slots: int, hint: Placement | None,
                 bound: float = 0.0):
        super().__init__(p, slots)
        self.models, self.given, self.least = models, hint, math.floor(bound * CENTS)
        self.cost = [math.floor(t.unit_cost * CENTS) for t in models]  # its bound never above the true one
        self.bound, self.optimal = 0.0, False

    def build(self, m: cp_model.CpModel) -> None:
        self.y = [[m.new_bool_var(f"y{h}_{j}") for j in range(len(self.models))] for h in range(self.n)]
        self.used = [m.new_bool_var(f"u{h}") for h in range(self.n)]
        for h in range(self.n):
            m.add(sum(self.y[h]) == self.used[h])
            if h + 1 < self.n:
                m.add(self.used[h] >= self.used[h + 1])
        m.add(sum(self.used) >= self.p.k + 1)
        for i in range(3):  # redundant: every scenario's survivors have the capacity of all the VMs
            need = sum(it.demand(self.p.per_host_storage)[i] for it in self.p.items)
            for f in self.p.scenarios(self.n) if need else ():
                m.add(sum(self.cap(h, i) for h in range(self.n) if h not in f) >= need)
        cost = sum(c * v for row in self.y for c, v in zip(self.cost, row))
        m.add(cost >= self.least)  # redundant (the cover bound): CP-SAT stops when a mix reaches it
        m.minimize(cost)

    def cap(self, h: int, i: int):
        return sum(t.capacity()[i] * v for t, v in zip(self.models, self.y[h]))

    def most(self, i: int) -> int:
        return max(t.capacity()[i] for t in self.models)

    def order(self, m: cp_model.CpModel, h: int, g: int, load) -> None:
        """Within a rack: bought slots first, by model."""
        rank = len(self.models)
        m.add(sum(j * v for j, v in enumerate(self.y[h])) + rank * (1 - self.used[h])
              <= sum(j * v for j, v in enumerate(self.y[g])) + rank * (1 - self.used[g]))

    def hint(self, m: cp_model.CpModel, classes, c) -> None:
        """The one-model design, when given (it is a solution of this model)."""
        pl = self.given
        if pl is None:
            return
        model = [t.model for t in self.models].index(pl.host(self.p, 0).model)
        index, key = {k: s for s, k in enumerate(classes)}, _class_key(self.p)
        counts = [[0] * self.n for _ in classes]
        for it in self.p.items:
            counts[index[key(it)]][pl.host_of[it.name]] += 1
        for s, row in enumerate(c):
            for h, var in enumerate(row):
                m.add_hint(var, counts[s][h])
        for h in range(self.n):
            m.add_hint(self.used[h], h < pl.n)
            for j in range(len(self.models)):
                m.add_hint(self.y[h][j], h < pl.n and j == model)

    def result(self, solver: cp_model.CpSolver, moves: dict) -> tuple[int, dict, tuple]:
        """The bought prefix, each of its scenarios' restarts (a rack's are its slots' rack's), and its models."""
        self.bound = solver.best_objective_bound / CENTS
        self.optimal = solver.objective_value <= solver.best_objective_bound + 1e-6  # proven
        n = sum(solver.value(u) for u in self.used)
        kept = {}
        for f in self.p.scenarios(n):
            source = f if f in moves else tuple(range(f[0] % self.p.racks, self.n, self.p.racks))
            kept[f] = [row[:n] for row in moves[source]]
        models = tuple(next(t for t, v in zip(self.models, self.y[h]) if solver.value(v)) for h in range(n))
        return n, kept, models


def solve_mixed(candidates: list[ClusterProblem], best: Placement, best_cost: float, time_limit: float,
                workers: int, seed: int) -> MixResult:
    """The cheapest mix of the candidates' host models for their cluster found from `best` (the cheapest one-model
    placement, of cost `best_cost`), and a bound on any mix."""
    p = candidates[0]
    models = sorted({q.host for q in candidates}, key=lambda t: (t.unit_cost, t.model))
    bound = cover_bound(p, models)
    cheapest = models[0].unit_cost
    slots = min(p.max_hosts, math.floor(best_cost / cheapest + 1e-9)) if cheapest else p.max_hosts
    if bound >= best_cost - 0.005:  # no mix can cost less: the one-model design is optimal
        return MixResult(None, best_cost, best_cost, True, 0.0)
    parts = _classes(p)
    if (not count_model_applies(p) or parts is None or len(models) < 2 or p.restart_count(slots) > MAX_RESTARTS
            or p.scenario_count(slots) * slots * len(parts[0]) > MAX_COUNT_MODEL_VARIABLES):
        return MixResult(None, best_cost, min(bound, best_cost), best_cost <= bound + 0.01, 0.0)
    mix = Mix(p, models, slots, best, bound)
    status, placement, used = _solve_count(p, slots, *parts, time_limit, workers, seed, slots=mix)
    if placement is None:
        return MixResult(None, best_cost, min(bound, best_cost), False, used)
    cost = sum(t.unit_cost for t in placement.models)
    bound = min(max(bound, mix.bound), cost)
    if cost >= best_cost - 0.005:
        return MixResult(None, best_cost, min(bound, best_cost), mix.optimal, used)
    return MixResult(placement, cost, bound, mix.optimal, used)


def cover_bound(p: ClusterProblem, models: list[HostType]) -> float:
    """Whole hosts of the models that hold the cluster's VMs after any k fail (planner/solve/cover.py): the integer
    cover of the demand by at most max_hosts - k hosts plus k cheapest, or of the demand with its worst failures."""
    survivors = integer_cover(p.items, p.per_host_storage, models, max(p.max_hosts - p.k, 0))
    return max(survivors + p.k * models[0].unit_cost,
               integer_cover(p.items, p.per_host_storage, models, p.max_hosts, p.k) if p.k else 0.0)
