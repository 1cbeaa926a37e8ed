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
least, so reservations overlap across scenarios instead of adding up.

A host's *failure domain* is its rack under rack loss, else the host itself: what a domain restarts on g
bounds what each scenario failing one of its hosts restarts there (a rack's restarts add up its hosts'), so
the domains' restarts are all the reservations need. Plain Python (numpy's import cost a small plan 0.1 s; a
cluster has at most a few dozen hosts), per host with locals; the shares are computed as its numpy version did
(count * (1.0 / capacity), ties to the lowest host number), so the decisions stay the same
(tests/test_backup.py).
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
    hosts = _Hosts(p, n)
    limits = _Limits(p, n, hosts.domain)
    host_of: dict[str, int] = {}
    backup: dict[str, int] = {}
    for it in _order(p):
        d = hosts.demand(it)
        h = hosts.primary(d, limits.allowed(it), limits.own(it))
        if h is None:
            return None
        if scenarios:
            b = hosts.backup(h, d, limits.backup_ok(it, h))
            if b is None:
                return None
            backup[it.name] = b
            limits.back_up(it, h, b)
        host_of[it.name] = h
        hosts.add(h, d, b if scenarios else None)
        limits.add(it, h)
    found = Placement(n=n, host_of=host_of, restarts=_restarts(scenarios, host_of, backup))
    return found if rules.sound(p, found) else None


def _restarts(scenarios: list[tuple[int, ...]], host_of: dict[str, int],
              backup: dict[str, int]) -> dict[tuple[int, ...], dict[str, int]]:
    """Per scenario, its VMs (in placing order) restarted on their backups."""
    restarts: dict[tuple[int, ...], dict[str, int]] = {s: {} for s in scenarios}
    failing: dict[int, list[dict[str, int]]] = {}  # host -> the plans of the scenarios failing it
    for s, plan in restarts.items():
        for h in s:
            failing.setdefault(h, []).append(plan)
    for name, h in host_of.items():
        for plan in failing.get(h, ()):
            plan[name] = backup[name]
    return restarts


class _Hosts:
    """Per host, its load, its reservation and what each failure domain restarts on it, a list over the
    dimensions (the resources with a capacity, then the VM count when it can bind); and per demand the hosts'
    primary keys, of which only the hosts changed since are computed again (VMs alike come in runs, or
    interleave when their sizes tie)."""

    def __init__(self, p: ClusterProblem, n: int):
        res, dims, self.cap, inv = dimensions(p)
        if len(p.items) <= p.host.max_vms:  # no host holds (or restarts) more VMs than there are: no count
            dims, self.cap = res, self.cap[:len(res)]
        self.inv = inv + [0.0] * (len(dims) - len(res))  # the VM count weighs in no share
        self.dims, self.hosts = range(len(dims)), range(n)
        self.load = [[0] * len(dims) for _ in self.hosts]
        self.reserve = [[0] * len(dims) for _ in self.hosts]
        self.domain = [p.rack_of(h) for h in self.hosts] if p.rack_tolerance else list(self.hosts)
        self.restart = [[[0] * len(dims) for _ in self.hosts] for _ in range(max(self.domain, default=-1) + 1)]
        # per host h, the hosts outside h's domain with their rows (updated in place) and what h's domain restarts
        # there
        self._backups = [[(g, self.load[g], self.reserve[g], self.restart[self.domain[h]][g])
                          for g in self.hosts if self.domain[g] != self.domain[h]] for h in self.hosts]
        self._pick = [(*range(3), 3)[i] for i in dims]  # Item.demand's fields, then the count
        self._storage = p.per_host_storage
        self._demands: dict[tuple[int, int, int], tuple[int, ...]] = {}
        self._changed: list[int] = []  # the hosts whose load or reservation changed, in turn
        self._keys: dict[tuple[int, ...], tuple[list[float], int]] = {}  # demand -> (_share per host, as of
        # how many changes)

    def demand(self, it: Item) -> tuple[int, ...]:
        """The item's demand per dimension (one tuple per size)."""
        size = it.demand(self._storage)
        d = self._demands.get(size)
        if d is None:
            d = self._demands[size] = tuple((*size, 1)[i] for i in self._pick)
        return d

    def _share(self, g: int, d: tuple[int, ...]) -> float:
        """How loaded host g is once d is added to its load and reservation (its largest share of a resource);
        INF when d does not fit."""
        load, reserve, cap, inv = self.load[g], self.reserve[g], self.cap, self.inv
        most = 0.0
        for r in self.dims:
            t = load[r] + reserve[r] + d[r]
            if t > cap[r]:
                return INF
            s = t * inv[r]
            if s > most:
                most = s
        return most

    def _key(self, d: tuple[int, ...]) -> list[float]:
        """_share of each host for d, kept per demand: only the hosts changed since are computed again."""
        key, seen = self._keys.get(d, (None, 0))
        changed = self._changed[seen:]
        if key is None or len(changed) > len(self.hosts):
            key = [self._share(g, d) for g in self.hosts]
        else:
            for g in set(changed):
                key[g] = self._share(g, d)
        self._keys[d] = key, len(self._changed)
        return key

    def primary(self, d: tuple[int, ...], allowed: list[bool] | None, own: list[bool] | None) -> int | None:
        """The least loaded host once d is added among those d fits and `allowed` (None: all), and among those
        `own` when d fits any; the lowest number on a tie; None when d fits none."""
        key = self._key(d)
        if allowed is not None:
            key = [k if a else INF for k, a in zip(key, allowed)]
        if own is not None and any(own):
            mine = [k if o else INF for k, o in zip(key, own)]
            if min(mine) < INF:
                key = mine
        least = min(key)
        return None if least == INF else key.index(least)

    def backup(self, h: int, d: tuple[int, ...], ok: list[bool] | None) -> int | None:
        """The backup host outside h's domain and among `ok` (None: all) whose reservation grows least (its
        largest share of a resource) once it also restarts d beside what h's domain already restarts there,
        then the least loaded with that reservation, then the lowest number; None when d fits on none.
        A reservation that does not grow fits: load + reservation <= capacity holds on every host."""
        cap, inv, dims = self.cap, self.inv, self.dims
        best, least, lightest = None, INF, INF
        rows = self._backups[h] if ok is None else [row for row in self._backups[h] if ok[row[0]]]
        for g, load, reserve, there in rows:
            grow = share = 0.0
            for r in dims:
                was, now = reserve[r], there[r] + d[r]
                if now > was:
                    s = (now - was) * inv[r]
                    if s > least or load[r] + now > cap[r]:  # it grows more than the best's, or does not fit
                        break
                    if s > grow:
                        grow = s
                else:
                    now = was
                s = (load[r] + now) * inv[r]
                if s > share:
                    share = s
            else:
                if grow < least or share < lightest:
                    best, least, lightest = g, grow, share
        return best

    def add(self, h: int, d: tuple[int, ...], b: int | None) -> None:
        """Put d on h, restarted on b (None: no failure to survive)."""
        load = self.load[h]
        for r in self.dims:
            load[r] += d[r]
        if b is not None:
            there, reserve = self.restart[self.domain[h]][b], self.reserve[b]
            for r in self.dims:
                there[r] += d[r]
                if there[r] > reserve[r]:
                    reserve[r] = there[r]
            self._changed.append(b)
        self._changed.append(h)


class _Limits:
    """The per-host rules as flags or counts per host: anti-affinity and spread groups, and role caps and dedicated
    hosts, which also hold after each scenario's restarts onto the backups (a host's side: a dedicated role, or ''
    for the other VMs; an empty spare may back up either side, one scenario at a time). Each check gives None
    when nothing limits the VM (no group, no cap on its role, no dedicated role: the common tenant VM)."""

    def __init__(self, p: ClusterProblem, n: int, domain: list[int] | None = None):
        """`domain`: each host's failure domain (None: the host itself)."""
        self.p, self.n, self.caps = p, n, dict(p.role_caps)
        self.domain = list(range(n)) if domain is None else domain
        self.rack = [p.rack_of(h) for h in range(n)]
        self.group: dict[str, list[int]] = {}  # members per host (a rack-scope HA group: per host of the rack)
        self.role: dict[str, list[int]] = {}  # VMs per host of a capped role, and of each side
        self.pair: dict[str, list[list[int]]] = {}  # [f][b]: VMs of a role or side on domain f backed up on b
        self.reserve: dict[str, list[int]] = {}  # [b]: the most VMs of a role or side any scenario restarts on b
        self._counted: dict[str, tuple[list[str], list[str]]] = {}  # role -> (_keys, _other_sides)

    def _count(self, table: dict[str, list[int]], name: str) -> list[int]:
        return table.setdefault(name, [0] * self.n)

    def _pairs(self, name: str) -> list[list[int]]:
        return self.pair.setdefault(name, [[0] * self.n for _ in range(max(self.domain) + 1)])

    def _sides(self, role: str) -> tuple[list[str], list[str]]:
        """(the counted names of a VM of `role`: its role when capped, and its side when a role is dedicated;
        the other sides, whose hosts it keeps off)."""
        if role not in self._counted:
            dedicated = self.p.dedicated
            side = (role if role in dedicated else "") if dedicated else None
            mine = ([] if side is None else [side]) + ([role] if role in self.caps else [])
            others = sorted((set(dedicated) | {""}) - {side}) if dedicated else []
            self._counted[role] = sorted(set(mine)), others
        return self._counted[role]

    def _role_limited(self, it: Item) -> bool:
        return it.role in self.caps or bool(self.p.dedicated)

    def allowed(self, it: Item) -> list[bool] | None:
        if not it.group and not self._role_limited(it):
            return None
        ok = [True] * self.n
        if it.group:
            ok = [o and c < it.cap for o, c in zip(ok, self._count(self.group, it.group))]
        if it.role in self.caps:
            cap = self.caps[it.role]
            ok = [o and a + b < cap for o, a, b in zip(ok, self._count(self.role, it.role),
                                                      self._count(self.reserve, it.role))]
        for side in self._sides(it.role)[1]:
            ok = [o and a == 0 and b == 0 for o, a, b in zip(ok, self._count(self.role, side),
                                                             self._count(self.reserve, side))]
        return ok

    def backup_ok(self, it: Item, h: int) -> list[bool] | None:
        """The hosts that may back up `it` on h: after any scenario failing h, the role rules still hold (h's
        domain restarts the most of a role on each host)."""
        if not self._role_limited(it):
            return None
        ok = [True] * self.n
        f = self.domain[h]
        if it.role in self.caps:
            cap = self.caps[it.role]
            ok = [o and a + b < cap for o, a, b in zip(ok, self._count(self.role, it.role), self._pairs(it.role)[f])]
        for side in self._sides(it.role)[1]:
            ok = [o and a == 0 and b == 0 for o, a, b in zip(ok, self._count(self.role, side), self._pairs(side)[f])]
        return ok

    def own(self, it: Item) -> list[bool] | None:
        """The hosts a dedicated role already runs on or backs up on (filled first), else None."""
        if it.role not in self.p.dedicated:
            return None
        return [a > 0 or b > 0 for a, b in zip(self._count(self.role, it.role), self._count(self.reserve, it.role))]

    def add(self, it: Item, h: int) -> None:
        if it.group:
            count = self._count(self.group, it.group)
            if it.cap == 1 and it.scope == "fault_domain":  # rack-wide
                for g, r in enumerate(self.rack):
                    count[g] += r == self.rack[h]
            else:
                count[h] += 1
        for key in self._sides(it.role)[0]:
            self._count(self.role, key)[h] += 1

    def back_up(self, it: Item, h: int, b: int) -> None:
        for key in self._sides(it.role)[0]:
            pair = self._pairs(key)[self.domain[h]]
            pair[b] += 1
            reserve = self._count(self.reserve, key)
            reserve[b] = max(reserve[b], pair[b])
