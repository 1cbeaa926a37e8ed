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
least, so reservations overlap across scenarios instead of adding up. numpy is imported by the functions that
use it: a plan that never calls them (poc) does without it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from planner.solve import rules
from planner.solve.heuristic import _order
from planner.solve.problem import ClusterProblem, Item, Placement

if TYPE_CHECKING:
    import numpy as np

HONOURS = rules.PLACEMENT | rules.RESTARTS | rules.HOST_LIMITS  # what `place_backup` honours (k <= 1)


def applies(p: ClusterProblem) -> bool:
    """Whether the engine can place p: at most one host failure, and no rule it does not know."""
    return p.k <= 1 and not rules.declines(p, HONOURS)


def dimensions(p: ClusterProblem) -> tuple[list[int], list[int], np.ndarray, np.ndarray]:
    """(the resources with a capacity, those and the VM count, their capacities, 1 / each resource's capacity)."""
    import numpy as np
    cap = p.host.capacity()
    res = [i for i in range(3) if cap[i]]
    dims = res + [3]
    capv = np.array(list(cap) + [p.host.max_vms], dtype=np.int64)[dims]
    return res, dims, capv, 1.0 / capv[:len(res)]


def place_backup(p: ClusterProblem, n: int) -> Placement | None:
    """A placement on n hosts with a backup host per VM covering every scenario, or None."""
    import numpy as np
    if not applies(p) or (p.items and n <= p.k):
        return None
    scenarios = p.scenarios(n)
    if any(len(s) >= n for s in scenarios):
        return None
    res, dims, capv, inv = dimensions(p)
    rack = np.array([p.rack_of(h) for h in range(n)])
    racks = p.rack_tolerance
    needs_backup = bool(scenarios)
    load = np.zeros((n, len(dims)), dtype=np.int64)
    reserve = np.zeros((n, len(dims)), dtype=np.int64)
    pair = np.zeros((n, n, len(dims)), dtype=np.int64)  # pair[f, g]: restart load of f's VMs backed up on g
    rack_pair = np.zeros((p.racks, n, len(dims)), dtype=np.int64)  # the same per failed rack
    limits = _Limits(p, n, rack)
    host_of: dict[str, int] = {}
    backup: dict[str, int] = {}
    for it in _order(p):
        d = np.array(list(it.demand(p.per_host_storage)) + [1], dtype=np.int64)[dims]
        total = load + reserve + d
        ok = (total <= capv).all(axis=1) & limits.allowed(it)
        if not ok.any():
            return None
        own = limits.own(it) & ok
        key = np.where(own if own.any() else ok, (total[:, :len(res)] * inv).max(axis=1), np.inf)
        h = int(np.argmin(key))  # least loaded after adding the VM; lowest host number on a tie
        if needs_backup:
            need = pair[h] + d
            if racks:
                need = np.maximum(need, rack_pair[rack[h]] + d)
            new = np.maximum(reserve, need)
            fits = (load + new <= capv).all(axis=1)
            fits[h] = False
            fits &= limits.backup_ok(it, h)
            if racks:
                fits &= rack != rack[h]
            if not fits.any():
                return None
            grow = ((new - reserve)[:, :len(res)] * inv).max(axis=1)
            room = ((load + new)[:, :len(res)] * inv).max(axis=1)
            cand = np.flatnonzero(fits)
            b = int(cand[np.lexsort((cand, room[cand], grow[cand]))[0]])  # least reservation growth, then room
            pair[h, b] += d
            if racks:
                rack_pair[rack[h], b] += d
            reserve[b] = new[b]
            backup[it.name] = b
            limits.back_up(it, h, b)
        host_of[it.name] = h
        load[h] += d
        limits.add(it, h)
    restarts = {}
    for s in scenarios:
        down = set(s)
        restarts[s] = {name: backup[name] for name, h in host_of.items() if h in down}
    found = Placement(n=n, host_of=host_of, restarts=restarts)
    return found if rules.sound(p, found) else None


class _Limits:
    """The per-host rules as masks over hosts: anti-affinity and spread groups, and role caps and dedicated hosts,
    which also hold after each scenario's restarts onto the backups (a host's side: a dedicated role, or '' for
    the other VMs; an empty spare may back up either side, one scenario at a time)."""

    def __init__(self, p: ClusterProblem, n: int, rack: np.ndarray):
        self.p, self.n, self.rack, self.caps = p, n, rack, dict(p.role_caps)
        self.group: dict[str, np.ndarray] = {}  # members per host (a rack-scope HA group: per host of the rack)
        self.role: dict[str, np.ndarray] = {}  # VMs per host of a capped role, and of each side
        self.pair: dict[str, np.ndarray] = {}  # [f, b]: VMs of a role or side on f backed up on b
        self.rack_pair: dict[str, np.ndarray] = {}  # [r, b]: the same per failed rack
        self.reserve: dict[str, np.ndarray] = {}  # [b]: the most VMs of a role or side any scenario restarts on b

    def _count(self, table: dict[str, np.ndarray], name: str, shape=None) -> np.ndarray:
        import numpy as np
        return table.setdefault(name, np.zeros(shape or self.n, dtype=np.int64))

    def _keys(self, it: Item) -> list[str]:
        """The counted names of a VM: its role when capped, and its side when a role is dedicated."""
        side = [it.role if it.role in self.p.dedicated else ""] if self.p.dedicated else []
        return sorted(set(side + ([it.role] if it.role in self.caps else [])))

    def _other_sides(self, it: Item) -> list[str]:
        return sorted((set(self.p.dedicated) | {""}) - {it.role if it.role in self.p.dedicated else ""}) \
            if self.p.dedicated else []

    def allowed(self, it: Item) -> np.ndarray:
        import numpy as np
        ok = np.ones(self.n, dtype=bool)
        if it.group:
            ok &= self._count(self.group, it.group) < it.cap
        if it.role in self.caps:
            ok &= self._count(self.role, it.role) + self._count(self.reserve, it.role) < self.caps[it.role]
        for side in self._other_sides(it):
            ok &= (self._count(self.role, side) == 0) & (self._count(self.reserve, side) == 0)
        return ok

    def backup_ok(self, it: Item, h: int) -> np.ndarray:
        """The hosts that may back up `it` on h: after any scenario failing h, the role rules still hold."""
        import numpy as np
        ok = np.ones(self.n, dtype=bool)
        scenarios = [(self.pair, (self.n, self.n), h)] + \
            ([(self.rack_pair, (self.p.racks, self.n), self.rack[h])] if self.p.rack_tolerance else [])
        for table, shape, f in scenarios:
            if it.role in self.caps:
                ok &= self._count(self.role, it.role) + self._count(table, it.role, shape)[f] < self.caps[it.role]
            for side in self._other_sides(it):
                ok &= (self._count(self.role, side) == 0) & (self._count(table, side, shape)[f] == 0)
        return ok

    def own(self, it: Item) -> np.ndarray:
        """The hosts a dedicated role already runs on or backs up on (filled first), else none."""
        import numpy as np
        if it.role not in self.p.dedicated:
            return np.zeros(self.n, dtype=bool)
        return (self._count(self.role, it.role) > 0) | (self._count(self.reserve, it.role) > 0)

    def add(self, it: Item, h: int) -> None:
        if it.group:
            rack_wide = it.cap == 1 and it.scope == "fault_domain"
            self._count(self.group, it.group)[(self.rack == self.rack[h]) if rack_wide else h] += 1
        for key in self._keys(it):
            self._count(self.role, key)[h] += 1

    def back_up(self, it: Item, h: int, b: int) -> None:
        for key in self._keys(it):
            pair = self._count(self.pair, key, (self.n, self.n))
            pair[h, b] += 1
            most = pair[h, b]
            if self.p.rack_tolerance:
                rack_pair = self._count(self.rack_pair, key, (self.p.racks, self.n))
                rack_pair[self.rack[h], b] += 1
                most = max(most, rack_pair[self.rack[h], b])
            reserve = self._count(self.reserve, key)
            reserve[b] = max(reserve[b], most)
