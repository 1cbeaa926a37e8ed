"""The hole model: a small CP-SAT count model for management and edge clusters, balanced in one solve.

Like the count model (tenant.py) it counts VMs per size class per host, ``c[s][h]``, but instead of a
restart count per scenario, class and survivor it gives each host fixed *holes*: ``q[s][h]``, the VMs of
class s that host h keeps room for, jointly within its capacity next to its own load, and within the
per-host role rules with its own VMs. Every failure scenario restarts the failed hosts' VMs of class s
into the survivors' class-s holes, so the holes must cover them:

    for every scenario f and class s:  sum of q[s][h] over the survivors >= sum of c[s][g] over f.

A solution is a sound design (the restart plans fill the holes); the model only asks more than the
count model (holes do not change with the scenario), so "infeasible" here proves nothing and the count
model takes over. It has O(hosts x classes) variables plus O(scenarios x classes) constraints, so it
solves in a fraction of a second where the count model's restart variables took seconds to presolve,
and it minimises the busiest host's vCPU load in the same solve (the design is balanced as the rules
allow within the model).
"""
from __future__ import annotations

from ortools.sat.python import cp_model

from planner.solve import rules
from planner.solve.counts import HONOURS, _classes, _hint, _host_limits, expand
from planner.solve.problem import ClusterProblem, Placement
from planner.solve.runner import run_solver

WORKERS = 1  # one interleaved worker: the model is small; the same result on any machine


def solve_holes(p: ClusterProblem, n: int, time_limit: float, seed: int) -> tuple[Placement | None, float]:
    """A balanced placement of p on n hosts with holes for every scenario's restarts, or None; and the
    deterministic time used."""
    parts = _classes(p)
    if parts is None or rules.declines(p, HONOURS) or not p.items or n <= p.k:
        return None, 0.0
    classes, plain, types = parts
    scenarios = p.scenarios(n)
    if any(len(f) >= n for f in scenarios):
        return None, 0.0
    demands = [d for d, _ in classes]
    S, hosts = len(demands), range(n)
    m = cp_model.CpModel()
    n_plain = [len(plain.get(s, [])) for s in range(S)]
    totals = [n_plain[s] + sum(size * len(gr) for (c, size, *_), gr in types if c == s) for s in range(S)]
    c = [[m.new_int_var(0, totals[s], f"c{s}_{h}") for h in hosts] for s in range(S)]
    q = [[m.new_int_var(0, totals[s], f"q{s}_{h}") for h in hosts] for s in range(S)]
    gv = []
    for ti, ((s, size, scope, per_host), groups) in enumerate(types):
        row = [m.new_int_var(0, len(groups) * per_host, f"g{ti}_{h}") for h in hosts]
        m.add(sum(row) == size * len(groups))
        if scope == "fault_domain" and per_host == 1:
            for r in range(p.racks):
                m.add(sum(row[h] for h in hosts if p.rack_of(h) == r) <= len(groups))
        gv.append((s, row))
    pv = [[m.new_int_var(0, n_plain[s], f"p{s}_{h}") for h in hosts] for s in range(S)]
    for s in range(S):
        m.add(sum(pv[s]) == n_plain[s])
        for h in hosts:
            m.add(c[s][h] == pv[s][h] + sum(row[h] for t, row in gv if t == s))
    cap = p.host.capacity()
    resources = [i for i in range(3) if cap[i]]
    max_vms = p.host.max_vms if sum(totals) > p.host.max_vms else 0

    def load(h, i, with_holes=False):
        return sum(demands[s][i] * (c[s][h] + q[s][h] if with_holes else c[s][h]) for s in range(S) if demands[s][i])

    for h in hosts:
        for i in resources:
            m.add(load(h, i, True) <= cap[i])
        if max_vms:
            m.add(sum(c[s][h] + q[s][h] for s in range(S)) <= max_vms)
    _host_limits(m, p, [r for _, r in classes], totals, {h: [c[s][h] + q[s][h] for s in range(S)] for h in hosts})
    for f in scenarios:
        down = set(f)
        for s in range(S):
            if totals[s]:
                m.add(sum(q[s][h] for h in hosts if h not in down) >= sum(c[s][g] for g in f))
    main = resources[0]
    for h in hosts:
        if h + p.racks < n:
            m.add(load(h, main) >= load(h + p.racks, main))
    peak = m.new_int_var(0, cap[main], "peak")
    for h in hosts:
        m.add(load(h, main) <= peak)
    m.minimize(peak)
    _hint(m, p, n, classes, c)
    solver, code = run_solver(m, time_limit, WORKERS, seed)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    counts = [[solver.value(v) for v in row] for row in c]
    holes = [[solver.value(v) for v in row] for row in q]
    moves = {f: [_deal(sum(counts[s][g] for g in f), holes[s], set(f)) for s in range(S)] for f in scenarios}
    placement = expand(p, n, plain, types, [[solver.value(v) for v in row] for row in pv],
                       [[solver.value(v) for v in row] for _, row in gv], moves)
    if placement is None or not rules.sound(p, placement):
        return None, solver.deterministic_time
    return placement, solver.deterministic_time


def _deal(need: int, holes: list[int], down: set[int]) -> list[int]:
    """`need` restarts dealt round-robin over the survivors' holes: how many each host takes (fewer in all when
    the holes run out, which `expand` then refuses)."""
    out = [0] * len(holes)
    while need and any(h not in down and out[h] < room for h, room in enumerate(holes)):
        for h, room in enumerate(holes):
            if need and h not in down and out[h] < room:
                out[h] += 1
                need -= 1
    return out
