"""Lower bounds on the hosts a cluster needs, computed without a solver."""
from __future__ import annotations

import math
from collections import Counter

from planner.solve.problem import ClusterProblem


def host_lower_bound(p: ClusterProblem) -> tuple[int, str]:
    """The fewest hosts any valid placement can use, and what forces that number."""
    if not p.items:
        return 0, "no VMs"
    cap = p.host.capacity()
    totals = [sum(it.demand(p.per_host_storage)[d] for it in p.items) for d in range(3)]
    volume = {name: math.ceil(totals[d] / cap[d]) if cap[d] else 0
              for d, name in enumerate(("vCPU", "memory", "storage"))}
    volume["VMs per host"] = math.ceil(len(p.items) / p.host.max_vms)
    resource, need = max(volume.items(), key=lambda kv: kv[1])
    reasons = {f"{resource} volume ({need} hosts)": need}
    groups = Counter(it.group for it in p.items if it.group)
    if groups:
        name, size = max(sorted(groups.items()), key=lambda kv: kv[1])
        reasons[f"anti-affinity group {name} ({size} VMs)"] = size
    n = need + p.k
    reasons[f"{resource} volume ({need} hosts) + {p.k} failover host(s)"] = n
    if p.rack_tolerance:
        while n - math.ceil(n / p.racks) < need:
            n += 1
        reasons[f"{resource} volume ({need} hosts) surviving the loss of a rack of {p.racks}"] = n
    reason, bound = max(reasons.items(), key=lambda kv: kv[1])
    return max(bound, p.k + 1), reason
