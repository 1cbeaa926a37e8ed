"""What the count models share (tenant.py's restart counts, holes.py's holes): VMs in size classes and group
types, the per-host role rules over class counts, the balanced greedy's counts as a hint, and a placement of
named VMs expanded from class counts."""
from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from planner.solve import rules
from planner.solve.heuristic import place
from planner.solve.problem import ClusterProblem, Item, Placement

HONOURS = rules.PLACEMENT | rules.RESTARTS | rules.HOST_LIMITS  # the rules the count models honour by construction

def _class_key(p: ClusterProblem):
    """An item's size class: its demand, and its role when a per-host rule names the role."""
    named = p.dedicated | {role for role, _ in p.role_caps}
    return lambda it: (it.demand(p.per_host_storage), it.role if it.role in named else "")


def _classes(p: ClusterProblem):
    """Size classes ((demand, role) keys), the plain VMs of each, and the group types with their groups
    (a type: one class, one member count, one scope and one cap per host)."""
    key = _class_key(p)
    index: dict[tuple, int] = {}
    plain: dict[int, list[str]] = defaultdict(list)
    groups: dict[str, list[Item]] = defaultdict(list)
    for it in sorted(p.items, key=lambda it: it.name):
        s = index.setdefault(key(it), len(index))
        if it.group:
            groups[it.group].append(it)
        else:
            plain[s].append(it.name)
    types: dict[tuple, list[list[str]]] = defaultdict(list)
    for g in sorted(groups):
        members = groups[g]
        classes = {index[key(m)] for m in members}
        if len(classes) != 1:
            return None  # a group mixing sizes: not for this model
        types[(classes.pop(), len(members), members[0].scope, members[0].cap)].append([m.name for m in members])
    return list(index), plain, sorted(types.items())


def _host_limits(m: cp_model.CpModel, p: ClusterProblem, role_of: list[str], totals, on: dict[int, list]) -> None:
    """Rules role-per-host (a role's classes at most its cap per host) and dedicated-hosts (a host runs
    the role's classes or others, never both) on one state: `on` maps each running host to its class
    counts, in normal running or after a failure scenario's restarts (the rules hold in both), with the
    cut: the role needs ceil(VMs / cap) hosts."""
    caps = dict(p.role_caps)
    for role in sorted(set(role_of) - {""}):
        mine = [s for s, r in enumerate(role_of) if r == role]
        if role in caps:
            for counts in on.values():
                m.add(sum(counts[s] for s in mine) <= caps[role])
        if role in p.dedicated:
            own = {h: m.new_bool_var(f"own_{role}_{h}") for h in on}
            for h, counts in on.items():
                for s, count in enumerate(counts):
                    m.add(count == 0).only_enforce_if(own[h].Not() if s in mine else own[h])
            need = sum(totals[s] for s in mine)
            m.add(sum(own.values()) >= (-(-need // caps[role]) if role in caps else min(need, 1)))


def _hint(m: cp_model.CpModel, p: ClusterProblem, n: int, classes, c) -> None:
    """Warm start: the balanced first-fit-decreasing placement's class counts, when it places everything."""
    host_of = place(p, n)
    if host_of is None:
        return
    index = {key: s for s, key in enumerate(classes)}
    key = _class_key(p)
    counts = [[0] * n for _ in classes]
    for it in p.items:
        counts[index[key(it)]][host_of[it.name]] += 1
    for s in range(len(classes)):
        for h in range(n):
            m.add_hint(c[s][h], counts[s][h])


def expand(p: ClusterProblem, n: int, plain, types, counts_plain, counts_grp, moves) -> Placement | None:
    """Named VMs from class counts: groups dealt round-robin over their host sequence, plain VMs in name order."""
    host_of: dict[str, int] = {}
    for ti, ((_, size, *_), groups) in enumerate(types):
        seq = [h for h in sorted(range(n), key=lambda h: (p.rack_of(h), h)) for _ in range(counts_grp[ti][h])]
        if len(seq) != size * len(groups):
            return None
        members = [list(g) for g in groups]
        for i, h in enumerate(seq):
            host_of[members[i % len(groups)].pop(0)] = h
    for s, names in plain.items():
        it = iter(names)
        for h in range(n):
            for _ in range(counts_plain[s][h]):
                host_of[next(it)] = h
    by_class_host: dict[tuple[int, int], list[str]] = defaultdict(list)
    index: dict[tuple, int] = {}
    key = _class_key(p)
    for it in sorted(p.items, key=lambda it: it.name):
        s = index.setdefault(key(it), len(index))
        by_class_host[(s, host_of[it.name])].append(it.name)
    restarts = {}
    for f, rows in moves.items():
        plan: dict[str, int] = {}
        for s, row in enumerate(rows):
            moving = [name for g in f for name in by_class_host.get((s, g), [])]
            targets = [h for h in range(n) for _ in range(row[h])]
            if len(moving) != len(targets):
                return None
            plan.update(zip(moving, targets))
        restarts[f] = plan
    return Placement(n=n, host_of=host_of, restarts=restarts)
