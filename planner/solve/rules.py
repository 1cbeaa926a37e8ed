"""The placement rules of the exact model, one CP-SAT function per rule.

Variables: used[h] (host slot h is bought), x[v][h] (VM v runs on slot h) and, per failure
scenario S, y[S][v][h] (after S, VM v runs on surviving slot h).
"""
from __future__ import annotations

from ortools.sat.python import cp_model

from planner.solve.problem import ClusterProblem

Vars = list[list[cp_model.IntVar]]


def assignment(m: cp_model.CpModel, p: ClusterProblem, x: Vars, used: list) -> None:
    """Every VM runs on exactly one bought host."""
    for v in range(len(p.items)):
        m.add_exactly_one(x[v])
        for h, var in enumerate(x[v]):
            m.add_implication(var, used[h])


def capacity(m: cp_model.CpModel, p: ClusterProblem, x: Vars, used: list) -> None:
    """A host's VMs never exceed its vCPU capacity, usable memory (never over-committed),
    local storage where storage is per host, or the hypervisor's running-VM limit."""
    cap = p.host.capacity()
    for h in range(len(used)):
        for d in range(3):
            if d == 2 and not p.per_host_storage:
                continue
            m.add(sum(it.demand(True)[d] * x[v][h] for v, it in enumerate(p.items)) <= cap[d] * used[h])
        if len(p.items) > p.host.max_vms:
            m.add(sum(x[v][h] for v in range(len(p.items))) <= p.host.max_vms)


def anti_affinity(m: cp_model.CpModel, p: ClusterProblem, x: Vars, used: list) -> None:
    """VMs of one HA group never share a host (scope host) or a rack (scope fault_domain)."""
    groups: dict[str, list[int]] = {}
    for v, it in enumerate(p.items):
        if it.group:
            groups.setdefault(it.group, []).append(v)
    for members in groups.values():
        scope = p.items[members[0]].scope
        for h in range(len(used)):
            m.add_at_most_one(x[v][h] for v in members)
        if scope == "fault_domain":
            for r in range(p.racks):
                slots = [h for h in range(len(used)) if p.rack_of(h) == r]
                m.add_at_most_one(x[v][h] for v in members for h in slots)


def failover(m: cp_model.CpModel, p: ClusterProblem, x: Vars, used: list) -> dict[tuple[int, ...], Vars]:
    """N+k (and rack loss when asked), exactly: for every scenario of failed slots, each VM of a
    failed host restarts on one surviving bought host, VMs of survivors stay, and no survivor
    exceeds its vCPU, memory or local storage capacity. Returns y per scenario."""
    cap = p.host.capacity()
    n = len(used)
    ys = {}
    for failed in p.scenarios(n):
        down = set(failed)
        y = [[m.new_bool_var("") if h not in down else None for h in range(n)] for _ in p.items]
        for v in range(len(p.items)):
            m.add_exactly_one(var for var in y[v] if var is not None)
            for h in range(n):
                if y[v][h] is not None:
                    m.add_implication(x[v][h], y[v][h])
                    m.add_implication(y[v][h], used[h])
        for h in range(n):
            if h in down:
                continue
            for d in range(3):
                if d == 2 and not p.per_host_storage:
                    continue
                m.add(sum(it.demand(True)[d] * y[v][h] for v, it in enumerate(p.items)) <= cap[d])
            if len(p.items) > p.host.max_vms:
                m.add(sum(y[v][h] for v in range(len(p.items))) <= p.host.max_vms)
        ys[failed] = y
    return ys


def symmetry_breaking(m: cp_model.CpModel, p: ClusterProblem, x: Vars, used: list) -> None:
    """Identical host slots are bought in order: slot h+1 only if slot h."""
    for h in range(len(used) - 1):
        m.add_implication(used[h + 1], used[h])


def cost(m: cp_model.CpModel, p: ClusterProblem, used: list) -> None:
    """Minimise the hosts bought (one model per cluster, so cost = count x price)."""
    m.minimize(sum(used))
