"""Tenant (compute) cluster placement at scale: a compact CP-SAT count model.

Tenant VMs of one size are interchangeable, so the model does not decide which VM goes
where, only how many VMs of each *size class* each host runs:

- ``plain[s][h]``: VMs of class s without an anti-affinity group on host h;
- ``grp[t][h]``: for a *group type* t (groups of one class, one member count and one
  scope, e.g. the availability sets of one VM Role), how many of those groups have a
  member on host h (at most the number of groups of that type, and for scope
  ``fault_domain`` at most that many per rack);
- per-host rules: a class per role that a rule names, so "at most 4 gateways per host" bounds the
  role's classes per host, and a host dedicated to a role (a boolean per host) runs only its classes
  or only others; a spread group type (at most `cap` members per host) counts up to cap x groups;
- ``mv[f][s][h]``: for failure scenario f, how many VMs of class s of the failed hosts
  restart on survivor h.

Capacity holds per host before and after every scenario; redundant *room* cuts (per class, the
whole VMs each host still has room for; the survivors' room covers the failed hosts' VMs) let
CP-SAT prove tight host counts impossible. The model has
O(hosts x classes x scenarios) variables, independent of the number of VMs, so 3 000 VMs
on 64 hosts is a model of a few tens of thousands of small integers where the VM x host
boolean model has millions. A solution is expanded into named VMs deterministically
(groups dealt round-robin over a host sequence, which keeps members on distinct hosts or
racks), and into one restart plan per scenario. Host counts are tried from the lower bound
upward; a host count CP-SAT proves infeasible raises the proven bound. Identical hosts are
ordered by load within each rack (symmetry breaking); the balanced heuristic's placement is
the hint (warm start) and the fallback.
"""
from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.solve import backup, heuristic, rules
from planner.solve.backup import applies, place_backup
from planner.solve.backup2 import place_backup2
from planner.solve.counts import HONOURS, _classes, _hint, _host_limits, expand
from planner.solve.heuristic import place_with_failover
from planner.solve.holes import solve_holes
from planner.solve.problem import ClusterProblem, Placement
from planner.solve.runner import run_solver
from planner.solve.spares import place_spares

MAX_COUNT_MODEL_VARIABLES = 400_000  # restart counts: scenarios x hosts x classes
STEP_TIME_LIMIT = 6.0  # deterministic seconds per host count tried, or a fifth of a larger time limit
HOLES_FROM = 2_000  # count model variables from which a balanced cluster tries the hole model first (holes.py);
# with k >= 2 or rack loss it always does: the count models of a 31-VM N+2 edge cluster on 11 hosts and of a
# 49-VM edge cluster surviving a rack on 17 took 6 and 2.3 CPU s, the hole model 0.1 and 0.04
HOLES_TIME_LIMIT = 0.25  # deterministic seconds of the hole model per host count: its placement comes at once,
# the rest balances it (a 118-VM N+2 cluster: the busiest host at 54 vCPU in 0.03 s, the optimum 52 in 2.3 s)


@dataclass
class TenantResult:
    placement: Placement | None
    bound: int  # proven fewest hosts (at least the lower bound given)
    status: str  # "optimal" | "feasible" | "none" | "declined" (a rule no engine here knows applies)
    method: str  # "cp-sat" (count model) | "heuristic"
    deterministic_time: float


def count_model_applies(p: ClusterProblem) -> bool:
    """Whether the count model can place p (every anti-affinity group is of one VM size, and it knows every rule)."""
    return _classes(p) is not None and not rules.declines(p, HONOURS)


def _model_size(p: ClusterProblem, n: int, n_classes: int) -> int:
    return p.scenario_count(n) * n * n_classes + n * n_classes


def solve_tenant(p: ClusterProblem, lb: int, time_limit: float, workers: int, seed: int,
                 balance: bool = False) -> TenantResult:
    """The fewest hosts found for p (from lb upward), with a restart plan for every scenario.

    Per host count from the lower bound: the greedies (k <= 1: the restart-aware one; k >= 2: the balanced
    heuristic with greedy restarts, then, for clusters not balanced, hot spares (spares.py) and the restart-aware
    greedy for two failures, backup2.py), then the compact CP-SAT count model when it is small, then (k <= 1) the
    balanced heuristic. The count model comes after every greedy at k >= 2: at 50 hosts and more it takes minutes
    and gigabytes where the greedies take seconds. `balance` (management and edge clusters): the count model also
    minimises the busiest host's vCPU load, and with k >= 2, rack loss or many restart variables the hole model
    (holes.py), which balances in one small solve, comes before it; hot spares (empty hosts) are never a balanced
    answer.
    """
    if all(rules.declines(p, honours) for honours in (HONOURS, backup.HONOURS, heuristic.HONOURS)):
        return TenantResult(None, lb, "declined", "none", 0.0)
    parts = _classes(p)
    total_time = 0.0
    bound = max(lb, p.k + 1 if p.items else 0, 1)
    budget = time_limit  # deterministic seconds for all count models of this cluster and host model
    step = max(STEP_TIME_LIMIT, time_limit / 5)
    proven = True
    for n in range(bound, p.max_hosts + 1):
        if balance:  # spread first: the restart-aware greedy packs VMs and may leave a host empty
            found = place_with_failover(p, n) or (place_backup(p, n) if applies(p) else None)
        else:
            found = place_backup(p, n) if applies(p) else (place_with_failover(p, n) or place_spares(p, n)
                                                            or place_backup2(p, n))
        if found is not None:
            return _result(found, bound, "heuristic", total_time)
        size = _model_size(p, n, len(parts[0])) if parts is not None else 0
        if balance and (p.k >= 2 or p.rack_tolerance or size >= HOLES_FROM):
            found, used = solve_holes(p, n, HOLES_TIME_LIMIT, seed)
            total_time += used
            if found is not None:
                return _result(found, bound, "cp-sat", total_time)
        if parts is not None and budget > 0 and size <= MAX_COUNT_MODEL_VARIABLES:
            classes, plain, types = parts
            status, placement, used = _solve_count(p, n, classes, plain, types,
                                                   min(step, budget), workers, seed, balance)
            total_time += used
            budget -= used
            if status == "infeasible":
                if proven:
                    bound = n + 1
                continue
            if placement is not None:
                return _result(placement, bound, "cp-sat", total_time)
        proven = False
        found = place_with_failover(p, n) if applies(p) else None
        if found is not None:
            return _result(found, bound, "heuristic", total_time)
    return TenantResult(None, bound, "none", "heuristic", total_time)


def _result(pl: Placement, bound: int, method: str, det_time: float) -> TenantResult:
    return TenantResult(pl, bound, "optimal" if pl.n <= bound else "feasible", method, det_time)


class OneModel:
    """The count model's hosts: n hosts of p's one model (mixed.py: slots that may hold any of several)."""

    def __init__(self, p: ClusterProblem, n: int):
        self.p, self.n = p, n

    def build(self, m: cp_model.CpModel) -> None:
        """Add the hosts' own variables and constraints (none for one model)."""

    def cap(self, h: int, i: int):
        """Host h's capacity of resource i: a number, or an expression of the model it holds."""
        return self.p.host.capacity()[i]

    def most(self, i: int) -> int:
        return self.p.host.capacity()[i]

    def order(self, m: cp_model.CpModel, h: int, g: int, load) -> None:
        """Symmetry breaking between hosts h < g of one rack: by vCPU, then memory load."""
        m.add(load(h) >= load(g))

    def hint(self, m: cp_model.CpModel, classes, c) -> None:
        _hint(m, self.p, self.n, classes, c)

    def result(self, solver: cp_model.CpSolver, moves: dict) -> tuple[int, dict, tuple]:
        """The hosts bought, each scenario's restart counts over them, and their models (empty: all p's)."""
        return self.n, moves, ()


def _solve_count(p: ClusterProblem, n: int, classes, plain, types, time_limit: float, workers: int, seed: int,
                 balance: bool = False, slots: OneModel | None = None):
    """The count model on n hosts (or `slots`): (status, placement, deterministic time); "declined" when a rule
    it does not know applies to p."""
    if rules.declines(p, HONOURS):
        return "declined", None, 0.0
    slots = slots or OneModel(p, n)
    n = slots.n
    demands = [d for d, _ in classes]
    S = len(demands)
    hosts = range(n)
    m = cp_model.CpModel()
    slots.build(m)
    n_plain = [len(plain.get(s, [])) for s in range(S)]
    pv = [[m.new_int_var(0, n_plain[s], f"p{s}_{h}") if n_plain[s] else None for h in hosts] for s in range(S)]
    gv = []
    for ti, ((s, size, scope, per_host), groups) in enumerate(types):
        count = len(groups)
        row = [m.new_int_var(0, count * per_host, f"g{ti}_{h}") for h in hosts]  # members dealt round-robin
        m.add(sum(row) == size * count)
        if scope == "fault_domain" and per_host == 1:
            for r in range(p.racks):
                m.add(sum(row[h] for h in hosts if p.rack_of(h) == r) <= count)
        gv.append((s, row))
    for s in range(S):
        if n_plain[s]:
            m.add(sum(pv[s]) == n_plain[s])
    cnt = [[[] for _ in hosts] for _ in range(S)]  # terms of the class count per host
    for s in range(S):
        for h in hosts:
            if pv[s][h] is not None:
                cnt[s][h].append(pv[s][h])
    for s, row in gv:
        for h in hosts:
            cnt[s][h].append(row[h])
    total_of_class = [n_plain[s] + sum(size * len(gr) for (c, size, *_), gr in types if c == s) for s in range(S)]
    c = [[m.new_int_var(0, total_of_class[s], f"c{s}_{h}") for h in hosts] for s in range(S)]
    for s in range(S):
        for h in hosts:
            m.add(c[s][h] == sum(cnt[s][h]))
    resources = [i for i in range(3) if slots.most(i)]
    max_vms = p.host.max_vms if sum(total_of_class) > p.host.max_vms else 0  # every model runs as many VMs

    def load(h, i):
        return sum(demands[s][i] * c[s][h] for s in range(S) if demands[s][i])

    for h in hosts:
        for i in resources:
            m.add(load(h, i) <= slots.cap(h, i))
        if max_vms:
            m.add(sum(c[s][h] for s in range(S)) <= max_vms)
    role_of = [r for _, r in classes]
    _host_limits(m, p, role_of, total_of_class, {h: [c[s][h] for s in range(S)] for h in hosts})
    scenarios = p.scenarios(n)
    mv: dict[tuple[int, ...], list[list]] = {}
    for f in scenarios:
        down = set(f)
        if len(down) >= n:
            return "infeasible", None, 0.0
        rows = []
        for s in range(S):
            rows.append([m.new_int_var(0, total_of_class[s], f"r{f}_{s}_{h}") if h not in down else None
                         for h in hosts])
            m.add(sum(v for v in rows[s] if v is not None) == sum(c[s][g] for g in f))
        for h in hosts:
            if h in down:
                continue
            for i in resources:
                m.add(load(h, i) + sum(demands[s][i] * rows[s][h] for s in range(S) if demands[s][i])
                      <= slots.cap(h, i))
            if max_vms:
                m.add(sum(c[s][h] + rows[s][h] for s in range(S)) <= max_vms)
        _host_limits(m, p, role_of, total_of_class,
                     {h: [c[s][h] + rows[s][h] for s in range(S)] for h in hosts if h not in down})
        mv[f] = rows
    _room_cuts(m, p, slots, demands, total_of_class, c, load, resources)
    main = resources[0]  # symmetry breaking: hosts of one rack are interchangeable
    for h in hosts:
        if h + p.racks < n:
            slots.order(m, h, h + p.racks, lambda g: load(g, main))
    slots.hint(m, classes, c)
    solver, code = run_solver(m, time_limit, workers, seed)
    used = solver.deterministic_time
    if code == cp_model.INFEASIBLE:
        return "infeasible", None, used
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "unknown", None, used
    if balance:  # a second solve from the first solution: the busiest host's vCPU load as low as it goes
        solver, extra = _balanced(m, solver, [load(h, main) for h in hosts], slots.most(main), time_limit - used,
                                  seed)
        used += extra
    counts_plain = [[solver.value(pv[s][h]) if pv[s][h] is not None else 0 for h in hosts] for s in range(S)]
    counts_grp = [[solver.value(v) for v in row] for _, row in gv]
    moves = {f: [[solver.value(v) if v is not None else 0 for v in rows[s]] for s in range(S)]
             for f, rows in mv.items()}
    bought, moves, models = slots.result(solver, moves)
    placement = expand(p, bought, plain, types, counts_plain, counts_grp, moves)
    if placement is None:
        return "unknown", None, used
    placement.models = models
    if not rules.sound(p, placement):
        return "unknown", None, used
    return "feasible", placement, used


def _balanced(m: cp_model.CpModel, first: cp_model.CpSolver, loads, cap: int, time_limit: float,
              seed: int) -> tuple[cp_model.CpSolver, float]:
    """Minimise the largest of `loads` from `first`'s solution (`first` again if that finds nothing),
    and the deterministic time it took. One worker: interleaved workers overran the limit by whole
    batches (a 118-VM N+2 cluster: 4.9 deterministic s against 1.5, 28 CPU s; one worker: proven in 1.5)."""
    m.clear_hints()
    for i in range(len(m.proto.variables)):
        var = m.get_int_var_from_proto_index(i)
        m.add_hint(var, first.value(var))
    peak = m.new_int_var(0, cap, "peak")
    for load in loads:
        m.add(load <= peak)
    m.minimize(peak)
    solver, code = run_solver(m, max(time_limit, 0.0), 1, seed)
    return (solver if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else first), solver.deterministic_time


def _room_cuts(m: cp_model.CpModel, p: ClusterProblem, slots: OneModel, demands, totals, c, load,
               resources) -> None:
    """Redundant cuts: room[s][h], the whole VMs of class s host h still has room for, bounds what any
    scenario can restart there, so the survivors' room must cover the failed hosts' VMs of class s."""
    n = slots.n
    for s, d in enumerate(demands):
        if not totals[s]:
            continue
        most = min(slots.most(i) // d[i] for i in resources if d[i])
        room = [m.new_int_var(0, most, f"room{s}_{h}") for h in range(n)]
        for h in range(n):
            for i in resources:
                if d[i]:
                    m.add(d[i] * room[h] <= slots.cap(h, i) - load(h, i))
        for f in p.scenarios(n):
            down = set(f)
            m.add(sum(room[g] for g in range(n) if g not in down) >= sum(c[s][h] for h in f))
