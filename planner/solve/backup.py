"""Restart-aware first-fit-decreasing for N+1 (and rack loss): every VM gets a primary host
and a backup host, and every host reserves room for the worst scenario's restarts onto it.

With k <= 1, the failure scenarios containing a host h are {h} and (with rack loss) h's
rack. A VM on h gets a backup host b outside every scenario containing h. For host g, the
restart load of scenario S is the sum over the VMs on S whose backup is g; g's
*reservation* is the largest of these over the scenarios (per resource). A placement where
load[g] + reservation[g] <= capacity for every g survives every scenario, with "restart
on the backup" as the certificate. VMs go largest first to the host with the most room
(balanced), honouring anti-affinity, spread groups, per-role host caps and dedicated hosts (a dedicated
role fills its own hosts first, so they stay few); the backup is the host whose reservation grows
least, so reservations overlap across scenarios instead of adding up. Plain Python over lists, a resource's
row of hosts at a time (numpy's import cost a small plan 0.1 s; a cluster has at most a few dozen hosts); the
shares are computed as its numpy version did (count * (1.0 / capacity)), so the decisions stay the same.
"""
from __future__ import annotations

from planner.solve import rules
from planner.solve.heuristic import _order
from planner.solve.problem import ClusterProblem, Item, Placement

HONOURS = rules.PLACEMENT | rules.RESTARTS | rules.HOST_LIMITS  # what `place_backup` honours (k <= 1)
INF = float("inf")


def applies(p: ClusterProblem) -> bool:
    """Whether the engine can place p: at most one host failure, and no rule it does not know."""
    return p.k <= 1 and not rules.declines(p, HONOURS)


def dimensions(p: ClusterProblem) -> tuple[list[int], list[int], list[int], list[float]]:
    """(the resources with a capacity, those and the VM count, their capacities, 1 / each resource's capacity)."""
    cap = p.host.capacity()
    res = [i for i in range(3) if cap[i]]
    dims = res + [3]
    capv = [(*cap, p.host.max_vms)[i] for i in dims]
    return res, dims, capv, [1.0 / c for c in capv[:len(res)]]


def place_backup(p: ClusterProblem, n: int) -> Placement | None:
    """A placement on n hosts with a backup host per VM covering every scenario, or None."""
    if not applies(p) or (p.items and n <= p.k):
        return None
    scenarios = p.scenarios(n)
    if any(len(s) >= n for s in scenarios):
        return None
    res, dims, capv, inv = dimensions(p)
    hosts = range(n)
    limits = _Limits(p, n)
    rack = limits.rack
    racks = p.rack_tolerance
    needs_backup = bool(scenarios)
    # per resource (the rows), a list over hosts
    load = _table(len(dims), n)
    reserve = _table(len(dims), n)
    pair = [_table(len(dims), n) for _ in hosts]  # pair[f][r][g]: restart load of f's VMs backed up on g
    rack_pair = [_table(len(dims), n) for _ in range(p.racks if racks else 0)]  # the same per failed rack
    host_of: dict[str, int] = {}
    backup: dict[str, int] = {}
    for it in _order(p):
        d = [(*it.demand(p.per_host_storage), 1)[i] for i in dims]
        h = _primary(load, reserve, d, capv, inv, limits.allowed(it), limits.own(it))
        if h is None:
            return None
        if needs_backup:
            fits = limits.backup_ok(it, h)
            fits[h] = False
            if racks:
                fits = [f and r != rack[h] for f, r in zip(fits, rack)]
            found = _backup(load, reserve, pair[h], rack_pair[rack[h]] if racks else None, d, capv, inv, fits)
            if found is None:
                return None
            b, new = found
            for r, x in enumerate(d):
                pair[h][r][b] += x
                if racks:
                    rack_pair[rack[h]][r][b] += x
                reserve[r][b] = new[r]
            backup[it.name] = b
            limits.back_up(it, h, b)
        host_of[it.name] = h
        for r, x in enumerate(d):
            load[r][h] += x
        limits.add(it, h)
    restarts = {}
    for s in scenarios:
        down = set(s)
        restarts[s] = {name: backup[name] for name, h in host_of.items() if h in down}
    found = Placement(n=n, host_of=host_of, restarts=restarts)
    return found if rules.sound(p, found) else None


def _table(rows: int, n: int) -> list[list[int]]:
    return [[0] * n for _ in range(rows)]


def _most(rows: list[list[float]]) -> list[float]:
    """The largest of each column."""
    most = rows[0]
    for row in rows[1:]:
        most = [a if a > b else b for a, b in zip(most, row)]
    return most


def _primary(load: list[list[int]], reserve: list[list[int]], d: list[int], capv: list[int], inv: list[float],
             allowed: list[bool], own: list[bool]) -> int | None:
    """The host least loaded once d is added (its largest share of a resource) among those d fits and `allowed`,
    and among those `own` when d fits any; the lowest number on a tie; None when d fits none."""
    total = [[a + b + x for a, b in zip(lr, rr)] for lr, rr, x in zip(load, reserve, d)]
    ok = allowed
    for row, c in zip(total, capv):
        ok = [o and t <= c for o, t in zip(ok, row)]
    share = _most([[t * x for t in row] for row, x in zip(total, inv)])
    key = [s if o else INF for s, o in zip(share, ok)]
    if any(own):
        mine = [k if o else INF for k, o in zip(key, own)]
        if min(mine) < INF:
            key = mine
    least = min(key)
    return None if least == INF else key.index(least)


def _backup(load: list[list[int]], reserve: list[list[int]], pair: list[list[int]], rack_pair: list[list[int]] | None,
            d: list[int], capv: list[int], inv: list[float], fits: list[bool]) -> tuple[int, list[int]] | None:
    """(the backup host among `fits` whose reservation grows least once it holds d beside `pair` (what the VM's
    host, and with `rack_pair` its rack, already restarts on each host), then the least loaded, then the lowest
    number; its new reservation per resource), or None when d fits on none."""
    if rack_pair is not None:  # what any scenario failing the VM's host restarts on each host
        pair = [[a if a > b else b for a, b in zip(pr, rr)] for pr, rr in zip(pair, rack_pair)]
    new = [[a if a > b + x else b + x for a, b in zip(rr, pr)] for rr, pr, x in zip(reserve, pair, d)]
    for lr, nr, c in zip(load, new, capv):
        fits = [f and a + b <= c for f, a, b in zip(fits, lr, nr)]
    grow = _most([[(a - b) * x for a, b in zip(nr, rr)] for nr, rr, x in zip(new, reserve, inv)])
    key = [gr if f else INF for f, gr in zip(fits, grow)]
    least = min(key)
    if least == INF:
        return None
    ties = [g for g, k in enumerate(key) if k == least]
    b = ties[0] if len(ties) == 1 else min(ties, key=lambda g: max([(lr[g] + nr[g]) * x for lr, nr, x
                                                                     in zip(load, new, inv)]))
    return b, [row[b] for row in new]


class _Limits:
    """The per-host rules as flags or counts per host: anti-affinity and spread groups, and role caps and dedicated
    hosts, which also hold after each scenario's restarts onto the backups (a host's side: a dedicated role, or ''
    for the other VMs; an empty spare may back up either side, one scenario at a time)."""

    def __init__(self, p: ClusterProblem, n: int):
        self.p, self.n, self.rack, self.caps = p, n, [p.rack_of(h) for h in range(n)], dict(p.role_caps)
        self.group: dict[str, list[int]] = {}  # members per host (a rack-scope HA group: per host of the rack)
        self.role: dict[str, list[int]] = {}  # VMs per host of a capped role, and of each side
        self.pair: dict[str, list[list[int]]] = {}  # [f][b]: VMs of a role or side on f backed up on b
        self.rack_pair: dict[str, list[list[int]]] = {}  # [r][b]: the same per failed rack
        self.reserve: dict[str, list[int]] = {}  # [b]: the most VMs of a role or side any scenario restarts on b

    def _count(self, table: dict[str, list[int]], name: str) -> list[int]:
        return table.setdefault(name, [0] * self.n)

    def _rows(self, table: dict[str, list[list[int]]], name: str, rows: int) -> list[list[int]]:
        return table.setdefault(name, [[0] * self.n for _ in range(rows)])

    def _keys(self, it: Item) -> list[str]:
        """The counted names of a VM: its role when capped, and its side when a role is dedicated."""
        side = [it.role if it.role in self.p.dedicated else ""] if self.p.dedicated else []
        return sorted(set(side + ([it.role] if it.role in self.caps else [])))

    def _other_sides(self, it: Item) -> list[str]:
        return sorted((set(self.p.dedicated) | {""}) - {it.role if it.role in self.p.dedicated else ""}) \
            if self.p.dedicated else []

    def allowed(self, it: Item) -> list[bool]:
        ok = [True] * self.n
        if it.group:
            ok = [o and c < it.cap for o, c in zip(ok, self._count(self.group, it.group))]
        if it.role in self.caps:
            cap = self.caps[it.role]
            ok = [o and a + b < cap for o, a, b in zip(ok, self._count(self.role, it.role),
                                                      self._count(self.reserve, it.role))]
        for side in self._other_sides(it):
            ok = [o and a == 0 and b == 0 for o, a, b in zip(ok, self._count(self.role, side),
                                                             self._count(self.reserve, side))]
        return ok

    def backup_ok(self, it: Item, h: int) -> list[bool]:
        """The hosts that may back up `it` on h: after any scenario failing h, the role rules still hold."""
        ok = [True] * self.n
        scenarios = [(self.pair, self.n, h)] + \
            ([(self.rack_pair, self.p.racks, self.rack[h])] if self.p.rack_tolerance else [])
        for table, rows, f in scenarios:
            if it.role in self.caps:
                cap = self.caps[it.role]
                ok = [o and a + b < cap for o, a, b in zip(ok, self._count(self.role, it.role),
                                                          self._rows(table, it.role, rows)[f])]
            for side in self._other_sides(it):
                ok = [o and a == 0 and b == 0 for o, a, b in zip(ok, self._count(self.role, side),
                                                                 self._rows(table, side, rows)[f])]
        return ok

    def own(self, it: Item) -> list[bool]:
        """The hosts a dedicated role already runs on or backs up on (filled first), else none."""
        if it.role not in self.p.dedicated:
            return [False] * self.n
        return [a > 0 or b > 0 for a, b in zip(self._count(self.role, it.role), self._count(self.reserve, it.role))]

    def add(self, it: Item, h: int) -> None:
        if it.group:
            count = self._count(self.group, it.group)
            if it.cap == 1 and it.scope == "fault_domain":  # rack-wide
                for g, r in enumerate(self.rack):
                    count[g] += r == self.rack[h]
            else:
                count[h] += 1
        for key in self._keys(it):
            self._count(self.role, key)[h] += 1

    def back_up(self, it: Item, h: int, b: int) -> None:
        for key in self._keys(it):
            pair = self._rows(self.pair, key, self.n)
            pair[h][b] += 1
            most = pair[h][b]
            if self.p.rack_tolerance:
                rack_pair = self._rows(self.rack_pair, key, self.p.racks)
                rack_pair[self.rack[h]][b] += 1
                most = max(most, rack_pair[self.rack[h]][b])
            reserve = self._count(self.reserve, key)
            reserve[b] = max(reserve[b], most)
