"""Lower bounds on the hosts a cluster needs, computed without a solver.

- L1, volume: for each resource, ceil(total demand / capacity);
- L2, Martello-Toth: the bin-packing bound per resource, which counts items too large to
  share a host; at least L1;
- + k: after any k hosts fail, every VM runs on the n - k survivors, so n - k is at least
  the bin-packing bound (and with rack loss, n less its largest rack is);
- the largest anti-affinity group (its members need that many hosts; a spread group, members / its cap),
  and a role capped per host (HNV gateways: VMs / 4);
- dedicated hosts: a dedicated role's hosts run nothing else, before and after a failure (role rules hold
  in every restart plan), so the cluster needs the hosts of each dedicated role's VMs plus those of the
  others; and when the k failures all fall on one side, that side's survivors (with any empty hosts) still
  hold it, where anti-affinity and spread no longer bind but per-host role caps do.

The cover bounds of a mixed machine park (cloud balancing) are benchmark-only: bench/cloudbalancing/bounds.py.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from planner.solve.cover import integer_cover
from planner.solve.problem import ClusterProblem, Item

RESOURCE_NAMES = ("vCPU", "memory", "storage")
Cause = tuple[str, str]  # what drives a bound: its kind and what it names (a resource, group, role or roles)


def l1_bound(sizes: Sequence[int], cap: int) -> int:
    """Volume bound: ceil(sum / cap)."""
    return _l1(Counter(sizes), cap)


def l2_bound(sizes: Sequence[int], cap: int) -> int:
    """Martello and Toth's L2 for one-dimensional bin packing (at least L1)."""
    return _l2(Counter(sizes), cap)


def _l1(counts: Counter, cap: int) -> int:
    """l1_bound of the sizes counted in `counts` (size -> how many)."""
    return math.ceil(sum(v * c for v, c in counts.items()) / cap) if cap and counts else 0


def _l2(counts: Counter, cap: int) -> int:
    """l2_bound of the sizes counted in `counts` (size -> how many)."""
    if not cap or not counts:
        return 0
    values = sorted(counts)
    best = _l1(counts, cap)
    alphas = [0] + [v for v in values if v <= cap // 2]
    for a in alphas:
        j1 = j2 = 0
        w2 = w3 = 0
        for v in values:
            c = counts[v]
            if v > cap - a:
                j1 += c
            elif v > cap / 2:
                j2 += c
                w2 += c * v
            elif v >= a:
                w3 += c * v
        extra = max(0, math.ceil((w3 - (j2 * cap - w2)) / cap))
        best = max(best, j1 + j2 + extra)
    return best


def hosts_for_survivors(need: int, k: int, racks: int, rack_tolerance: bool) -> int:
    """Fewest hosts n whose survivors of every scenario (k hosts, or the largest rack) number at least `need`."""
    n = need + k
    if rack_tolerance:
        while n - math.ceil(n / racks) < need:
            n += 1
    return n


def packing_bounds(p: ClusterProblem) -> dict[str, tuple[int, int]]:
    """Per resource (and VMs per host): (L1, L2) on the hosts holding all VMs at once."""
    return _packing(p, Counter(it.demand(p.per_host_storage) for it in p.items), len(p.items))


def _packing(p: ClusterProblem, demands: Counter, vms: int) -> dict[str, tuple[int, int]]:
    """packing_bounds of `vms` VMs of the demands counted in `demands` (demand -> how many) on p's hosts."""
    cap = p.host.capacity()
    out = {}
    for d, name in enumerate(RESOURCE_NAMES):
        if not cap[d]:
            continue
        sizes: Counter = Counter()
        for demand, count in demands.items():
            sizes[demand[d]] += count
        out[name] = (_l1(sizes, cap[d]), _l2(sizes, cap[d]))
    hosts = math.ceil(vms / p.host.max_vms)
    out["VMs per host"] = (hosts, hosts)
    return out


def _apart(p: ClusterProblem, items: Sequence[Item]) -> dict[str, tuple[int, Cause]]:
    """Hosts that keeping VMs apart needs: the largest anti-affinity (or spread) group, each role capped per host."""
    out = {}
    groups = Counter(it.group for it in items if it.group)
    cap = {it.group: it.cap for it in items if it.group}
    if groups:
        name, size = max(sorted(groups.items()), key=lambda kv: -(-kv[1] // cap[kv[0]]))
        hosts = -(-size // cap[name])  # a spread group: at most cap members per host
        out[f"anti-affinity group {name} ({size} VMs" + (f", {cap[name]} per host)" if cap[name] > 1 else ")")] = \
            (hosts, ("group", name))
    caps = dict(p.role_caps)
    for role, count in sorted(Counter(it.role for it in items if it.role in caps).items()):
        out[f"{role} at most {caps[role]} per host ({count} VMs)"] = (-(-count // caps[role]), ("role", role))
    return out


def _hosts_for(p: ClusterProblem, items: Sequence[Item], after_failure: bool = False) -> int:
    """The fewest hosts that hold `items` at once (no failover); `after_failure`: as the survivors of a failure
    hold them, where anti-affinity and spread no longer bind but the per-host role caps still do."""
    packing = packing_bounds(replace(p, items=tuple(items)))
    apart = _apart(p, items)
    kept = [hosts for hosts, cause in apart.values() if not after_failure or cause[0] != "group"]
    return max([l2 for _, l2 in packing.values()] + kept)


def _dedicated(p: ClusterProblem) -> dict[str, tuple[int, Cause]]:
    """The hosts of each dedicated role's VMs and of the others (none when no role is dedicated), and after a
    failure: the k failed hosts may all be on one side (a dedicated role's hosts, or the others'), and with rack
    loss some rack holds at least 1/racks of a side's hosts (rounded up); the side's survivors plus the E empty
    hosts must then hold it; the least over E of the sides' sums."""
    roles = sorted({it.role for it in p.items} & p.dedicated)
    if not roles:
        return {}
    sides = [[it for it in p.items if it.role == role] for role in roles]
    sides += [rest] if (rest := [it for it in p.items if it.role not in p.dedicated]) else []
    normal = [_hosts_for(p, side) for side in sides]
    held = [hosts_for_survivors(_hosts_for(p, side, after_failure=True), p.k, p.racks, p.rack_tolerance)
            for side in sides]  # a side's hosts with the empty ones: a rack holds ceil(those / racks) of them
    need = min(sum(max(n, a - empty) for n, a in zip(normal, held)) + empty for empty in range(max(held) + 1))
    text = ", ".join(f"{count} dedicated to {role}" for role, count in zip(roles, normal))
    others = f" + {normal[-1]} for the other VMs" if len(sides) > len(roles) else ""
    lose = f"{p.k} host(s)" + (" or a rack" if p.rack_tolerance else "") if p.k else "a rack"
    failover = f", each side able to lose {lose}" if need > sum(normal) else ""
    return {f"hosts {text}{others}{failover}": (need, ("dedicated", ",".join(roles)))}


def host_lower_bound(p: ClusterProblem) -> tuple[int, str]:
    """The fewest hosts any valid placement can use, and what forces that number."""
    bound, reason, _ = max(bound_causes(p), key=lambda b: b[0])
    return bound, reason


def bound_causes(p: ClusterProblem) -> list[tuple[int, str, Cause]]:
    """Every bound host_lower_bound takes the largest of, with the kind of what drives it: ("capacity" | "failover"
    | "rack", resource), ("group", name), ("role", role) or ("dedicated", roles), so that a clash can be named from
    the bounds alone."""
    if not p.items:
        return [(0, "no VMs", ("none", ""))]
    bins = packing_bounds(p)
    resource, (need, _) = max(bins.items(), key=lambda kv: kv[1][0])
    reasons = {f"{resource} volume ({need} hosts)": (need, ("capacity", resource))}
    l2_resource, (_, l2) = max(bins.items(), key=lambda kv: kv[1][1])
    if l2 > need:
        reasons[f"{l2_resource} bin packing (Martello-Toth L2, {l2} hosts)"] = (l2, ("capacity", l2_resource))
    reasons.update(_apart(p, p.items))
    reasons.update(_dedicated(p))
    reasons[f"{resource} volume ({need} hosts) + {p.k} failover host(s)"] = (need + p.k, ("failover", resource))
    if l2 > need:
        reasons[f"{l2_resource} bin packing (Martello-Toth L2, {l2} hosts) + {p.k} failover host(s)"] = \
            (l2 + p.k, ("failover", l2_resource))
    if p.rack_tolerance:
        reasons[f"{resource} volume ({need} hosts) surviving the loss of a rack of {p.racks}"] = \
            (hosts_for_survivors(need, p.k, p.racks, True), ("rack", resource))
        if l2 > need:
            reasons[f"{l2_resource} bin packing (Martello-Toth L2, {l2} hosts) surviving the loss of a rack "
                    f"of {p.racks}"] = (hosts_for_survivors(l2, p.k, p.racks, True), ("rack", l2_resource))
    return [(hosts, reason, cause) for reason, (hosts, cause) in reasons.items()]


def pooled_cost_bound(problems: Sequence[ClusterProblem]) -> float:
    """A lower bound on the term cost of the VMs of `problems` (one per cluster and host model) over ANY partition
    into clusters of any host models: each cluster's survivors of k failures hold its VMs, so every resource's
    whole demand costs at least its cheapest price per unit, and k spare hosts at least the cheapest host each."""
    if not problems:
        return 0.0
    items = {it.name: it for p in problems for it in p.items}
    hosts = {p.host.model: p for p in problems}
    demands = Counter(it.demand(problems[0].per_host_storage) for it in items.values())
    fractional = 0.0
    for d in range(len(RESOURCE_NAMES)):
        demand = sum(need[d] * count for need, count in demands.items())
        prices = [p.host.unit_cost / p.host.capacity()[d] for p in hosts.values() if p.host.capacity()[d]]
        if demand and prices:
            fractional = max(fractional, demand * min(prices))
    fractional = max(fractional, len(items) * min(p.host.unit_cost / p.host.max_vms for p in hosts.values()))
    k = min(p.k for p in problems)
    bound = fractional + k * min(p.host.unit_cost for p in hosts.values())
    if len(hosts) == 1:  # one model: whole hosts, and the pooled bin-packing bound (every partition packs the VMs)
        p = problems[0]
        packed = max(l2 for _, l2 in _packing(p, demands, len(items)).values())
        bound = max(bound, (packed + k) * p.host.unit_cost)
    else:  # any mix: the survivors of every cluster are whole hosts that hold all the VMs, and so do all the hosts
        # after the worst failures of any one cluster (cover.py)
        models, vms, local = [q.host for q in hosts.values()], list(items.values()), problems[0].per_host_storage
        most = len(vms) + k + 1  # no cheapest cover needs more hosts of a model
        bound = max(bound, integer_cover(vms, local, models, most) + k * min(t.unit_cost for t in models),
                    integer_cover(vms, local, models, most, k) if k else 0.0)
    return bound
