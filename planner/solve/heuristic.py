"""Fast placement: balanced first-fit-decreasing with anti-affinity, and greedy restarts.

Used for tenant clusters, and as the starting hint of the exact CP-SAT model.
"""
from __future__ import annotations

from heapq import heapify, heappop, heappush, heapreplace
from itertools import chain, groupby
from operator import itemgetter
from typing import NamedTuple

from planner.solve import rules
from planner.solve.problem import ClusterProblem, Item, Placement

HONOURS = rules.PLACEMENT | rules.RESTARTS | rules.HOST_LIMITS  # the rules `place_with_failover` honours


def _order(p: ClusterProblem) -> list[Item]:
    """The items largest first (their largest share of a host's resource), then by name."""
    cap, local = p.host.capacity(), p.per_host_storage
    sizes: dict[tuple[int, int, int], float] = {}  # demand -> -size (a cluster's VMs are of a few sizes)

    def key(it: Item) -> tuple[float, str]:
        d = it.demand(local)
        if d not in sizes:
            sizes[d] = -max(x / c for x, c in zip(d, cap) if c)
        return sizes[d], it.name

    return sorted(p.items, key=key)


def _fit_key(cap: tuple[int, int, int], max_vms: int, lh: list[int], vms: int,
             d: tuple[int, int, int]) -> float | None:
    """How loaded a host with load `lh` and `vms` VMs is once `d` is added (its largest share of any resource of
    capacity `cap`); None when `d` does not fit there."""
    c0, c1, c2 = cap
    a, b, c = lh[0] + d[0], lh[1] + d[1], lh[2] + d[2]
    if vms >= max_vms or a > c0 or b > c1 or c > c2:
        return None
    return max(a / c0 if c0 else 0.0, b / c1 if c1 else 0.0, c / c2 if c2 else 0.0)  # shares are >= 0


class _Hosts:
    """The hosts' loads while placing, and per VM demand a heap of (how loaded a host is once that demand is
    added, host), so finding the least loaded host pops a heap instead of scanning every host. A host's entries
    go stale when its load changes and are refreshed when they reach the top; loads only grow, so a host the
    demand no longer fits leaves that demand's heap."""

    def __init__(self, p: ClusterProblem, n: int):
        self.cap, self.max_vms = p.host.capacity(), p.host.max_vms
        self.load = [[0, 0, 0] for _ in range(n)]
        self.count = [0] * n
        self.version = [0] * n
        self.heaps: dict[tuple[int, int, int], list[tuple[float, int, int]]] = {}

    def _entry(self, h: int, d: tuple[int, int, int]) -> tuple[float, int, int] | None:
        key = _fit_key(self.cap, self.max_vms, self.load[h], self.count[h], d)
        return None if key is None else (key, h, self.version[h])

    def least_loaded(self, d: tuple[int, int, int], ok) -> int | None:
        """The host left least loaded (largest share of any resource) once `d` is added there, among those it
        fits and `ok(host)` allows; the lowest number on a tie; None when there is none."""
        heap = self.heaps.get(d)
        if heap is None:
            heap = self.heaps[d] = [e for h in range(len(self.load)) if (e := self._entry(h, d))]
            heapify(heap)
        skipped, found = [], None
        while heap:
            _, h, seen = heap[0]
            if seen != self.version[h]:  # stale: the host's load changed since
                heappop(heap)
                entry = self._entry(h, d)
                if entry:
                    heappush(heap, entry)
            elif ok(h):
                found = h
                break
            else:
                skipped.append(heappop(heap))
        for entry in skipped:
            heappush(heap, entry)
        return found

    def add(self, h: int, d: tuple[int, int, int]) -> None:
        row = self.load[h]
        row[0], row[1], row[2] = row[0] + d[0], row[1] + d[1], row[2] + d[2]
        self.count[h] += 1
        self.version[h] += 1


def grouped_first(p: ClusterProblem):
    """A sort key (stable over `_order`): largest first, and among VMs of one size the rack-scoped groups, then
    the other groups, then the rest, so the members with the fewest allowed hosts go while hosts have room."""
    cap = p.host.capacity()

    def key(it: Item):
        size = max(d / c for d, c in zip(it.demand(p.per_host_storage), cap) if c)
        return -size, 0 if it.group and it.scope == "fault_domain" else 1 if it.group else 2

    return key


def place(p: ClusterProblem, n: int, thin: bool = True, grouped: bool = False) -> dict[str, int] | None:
    """Put every item on one of n hosts, least-loaded first, honouring capacity, anti-affinity, spread
    groups, per-role host limits and dedicated hosts (`thin`: a dedicated role spread for its restarts;
    `grouped`: within a size, group members first, `grouped_first`)."""
    hosts = _Hosts(p, n)
    taken_host: dict[str, list[int]] = {}  # group -> its members per host
    taken_rack: dict[str, set[int]] = {}
    roles_on: list[dict[str, int]] = [{} for _ in range(n)]
    caps = _placing_caps(p) if thin else dict(p.role_caps)
    host_of: dict[str, int] = {}
    for it in sorted(_order(p), key=grouped_first(p)) if grouped else _order(p):
        d = it.demand(p.per_host_storage)

        def ok(h: int, it: Item = it) -> bool:
            return _allowed(p, it, h, taken_host, taken_rack, roles_on[h], caps)

        best = None
        if it.role in p.dedicated:  # fill the role's own hosts first, so they stay few
            best = hosts.least_loaded(d, lambda h, role=it.role: bool(roles_on[h].get(role)) and ok(h))
        best = hosts.least_loaded(d, ok) if best is None else best
        if best is None:
            return None
        host_of[it.name] = best
        hosts.add(best, d)
        roles_on[best][it.role] = roles_on[best].get(it.role, 0) + 1
        if it.group:
            taken_host.setdefault(it.group, [0] * n)[best] += 1
            taken_rack.setdefault(it.group, set()).add(p.rack_of(best))
    return host_of


def _placing_caps(p: ClusterProblem) -> dict[str, int]:
    """Per-host caps while placing: a capped role on dedicated hosts is spread thin enough (e per host, the most
    with (its hosts - k) x cap >= its VMs) that its VMs on any k failed hosts can restart on its other hosts,
    which no other role may take."""
    caps = dict(p.role_caps)
    for role, cap in p.role_caps:
        count = sum(1 for it in p.items if it.role == role)
        if p.k and role in p.dedicated:
            caps[role] = next((e for e in range(cap, 0, -1) if (-(-count // e) - p.k) * cap >= count), 1)
    return caps


def _allowed(p: ClusterProblem, it: Item, h: int, taken_host: dict[str, list[int]], taken_rack: dict[str, set[int]],
             roles: dict[str, int], caps: dict[str, int]) -> bool:
    """Whether item `it` may join host h (its VMs per role: `roles`) under the placement rules."""
    members = taken_host.get(it.group or "")
    if members is not None and members[h] >= it.cap:
        return False
    if it.group and it.cap == 1 and it.scope == "fault_domain" and p.rack_of(h) in taken_rack.get(it.group, ()):
        return False
    return _role_fits(p, it, roles, caps)


def _role_fits(p: ClusterProblem, it: Item, roles: dict[str, int], caps: dict[str, int]) -> bool:
    """Whether item `it` may join a host running `roles` (VMs per role) under role-per-host and dedicated-hosts,
    the rules that hold after a failure too."""
    if roles.get(it.role, 0) >= caps.get(it.role, roles.get(it.role, 0) + 1):
        return False
    if it.role in p.dedicated:
        return not set(roles) - {it.role}
    return not p.dedicated & set(roles)


class Base(NamedTuple):
    """A placement's loads, VM counts and VMs per role per host, and per host its VMs in restart order (largest
    vCPU + memory share first, then by name) as (rank in that order, demand, role, item)."""

    load: list[list[int]]
    count: list[int]
    roles: list[dict[str, int]]
    on_host: list[list[tuple[int, tuple[int, int, int], str, Item]]]


def restart(p: ClusterProblem, n: int, failed: tuple[int, ...], base: Base) -> dict[str, int] | None:
    """Greedy restart of the failed hosts' items onto the survivors with the most room, largest first, one VM at
    a time on the survivor left least loaded that it fits and may join (the lowest number on a tie). A run of
    VMs of one size and role keeps its candidate hosts in a heap: only the chosen host's key changes."""
    down = set(failed)
    load = [list(row) for row in base.load]
    count = list(base.count)
    caps = dict(p.role_caps)
    ruled = bool(caps or p.dedicated)  # else every VM may join every host
    roles_on = [dict(r) for r in base.roles] if ruled else base.roles
    cap, max_vms = p.host.capacity(), p.host.max_vms
    survivors = [h for h in range(n) if h not in down]
    plan: dict[str, int] = {}
    for (d, _), same in groupby(sorted(chain.from_iterable(base.on_host[h] for h in failed)), key=itemgetter(1, 2)):
        run = list(map(itemgetter(3), same))
        heap = []
        for h in survivors:
            ok = not ruled or _role_fits(p, run[0], roles_on[h], caps)
            key = _fit_key(cap, max_vms, load[h], count[h], d) if ok else None
            if key is not None:
                heap.append((key, h))
        heapify(heap)
        for it in run:
            if not heap:
                return None
            h = heap[0][1]
            plan[it.name] = h
            if ruled:
                roles_on[h][it.role] = roles_on[h].get(it.role, 0) + 1
            count[h] += 1
            row = load[h]
            row[0], row[1], row[2] = row[0] + d[0], row[1] + d[1], row[2] + d[2]
            ok = not ruled or _role_fits(p, it, roles_on[h], caps)
            key = _fit_key(cap, max_vms, row, count[h], d) if ok else None
            if key is None:
                heappop(heap)
            else:  # the host's next key replaces its entry at the top
                heapreplace(heap, (key, h))
    return plan


def _loads(p: ClusterProblem, n: int, host_of: dict[str, int]) -> Base:
    load = [[0, 0, 0] for _ in range(n)]
    count = [0] * n
    roles: list[dict[str, int]] = [{} for _ in range(n)]
    on_host: list[list] = [[] for _ in range(n)]
    cap = p.host.capacity()
    order = sorted(p.items, key=lambda it: (-(it.vcpu / cap[0] + it.memory_mb / cap[1]), it.name))
    for rank, it in enumerate(order):
        h, d = host_of[it.name], it.demand(p.per_host_storage)
        on_host[h].append((rank, d, it.role, it))
        count[h] += 1
        roles[h][it.role] = roles[h].get(it.role, 0) + 1
        load[h] = [a + b for a, b in zip(load[h], d)]
    return Base(load, count, roles, on_host)


def place_with_failover(p: ClusterProblem, n: int) -> Placement | None:
    """A placement on n hosts whose every failure scenario has a greedy restart plan, or None
    (also when a rule it does not know applies to p)."""
    if (p.items and n <= p.k) or rules.declines(p, HONOURS):
        return None
    found = _with_restarts(p, n, place(p, n))
    if found is None and p.dedicated and p.k:  # dedicated roles packed, k empty spares that any role may take
        found = _with_restarts(p, n, place(p, n - p.k, thin=False))
    return found


def _with_restarts(p: ClusterProblem, n: int, host_of: dict[str, int] | None) -> Placement | None:
    """The placement `host_of` on n hosts with a greedy restart plan per scenario, when every one has one."""
    if host_of is None:
        return None
    base = _loads(p, n, host_of)
    plans = {}
    for failed in p.scenarios(n):
        if len(failed) >= n:
            return None
        plan = restart(p, n, failed, base)
        if plan is None:
            return None
        plans[failed] = plan
    found = Placement(n=n, host_of=host_of, restarts=plans)
    return found if rules.sound(p, found) else None


def smallest_placement(p: ClusterProblem, start: int) -> Placement | None:
    """The first host count from `start` up to the cluster maximum that the heuristic can place."""
    for n in range(max(start, 1), p.max_hosts + 1):
        found = place_with_failover(p, n)
        if found:
            return found
    return None
