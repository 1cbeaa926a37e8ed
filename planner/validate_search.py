"""The validator's restart search: can the VMs of failed hosts restart on the survivors?

Standard library only, like validate.py, which uses it (whatif too).
"""
from __future__ import annotations

import math

UNDECIDED = "undecided"
EPS = 1e-6                 # tolerance on sums of fractional sizes
INF = math.inf


def vm_demand(vm: dict) -> tuple:
    """(vcpu, memory_gb, storage_gb) of a design.json VM."""
    return vm["vcpu"], vm["memory_gb"], vm.get("storage_gb") or 0


def add(a, b) -> tuple:
    return tuple(x + y for x, y in zip(a, b))


def _fits(demand, free) -> bool:
    return all(x <= f + EPS for x, f in zip(demand, free))


def find_restart_packing(vms: list[dict], residual: dict[str, tuple], *, node_limit: int = 200_000):
    """:func:`restart_search`'s packing alone."""
    return restart_search(vms, residual, node_limit)[0]


def restart_search(vms: list[dict], residual: dict[str, tuple], node_limit: int, room: dict[str, tuple] | None = None,
                   need=None) -> tuple:
    """Exhaustive restart search: place each VM (name, vcpu, memory_gb[, storage_gb]) on one host
    whose residual (vcpu, memory[, storage]) still fits it; a host without a storage figure has
    unlimited storage. `room` (host -> tuple) and `need` (VM -> tuple) add resources of the same
    length to every host and VM (validate_roles: the role rules). Returns ({vm: host}, None when PROVEN impossible, or UNDECIDED once
    `node_limit` placements have been tried; and the placements tried). Deterministic depth-first search: VMs by decreasing
    normalised size, hosts by name; prunes when remaining demand exceeds total free capacity,
    skips hosts whose free capacity equals one already tried at this depth, and places identical
    consecutive VMs on non-decreasing hosts (both only drop symmetric copies of a branch)."""
    hosts = sorted(residual)
    free = [tuple(residual[h]) + (INF,) * (3 - len(residual[h])) + (room[h] if room else ()) for h in hosts]
    dims = len(free[0]) if free else 3
    total = tuple(sum(max(0, f[d]) for f in free) for d in range(dims))

    def size(demand):
        return max([x / t for x, t in zip(demand[:3], total) if 0 < t < INF] + [0])

    items = sorted(((str(vm["name"]), vm_demand(vm) + (need(vm) if need else ())) for vm in vms),
                   key=lambda it: (-size(it[1]), it[1], it[0]))
    n = len(items)
    left = [(0,) * dims] * (n + 1)  # left[i]: total demand of items i..n-1
    for i in range(n - 1, -1, -1):
        left[i] = add(left[i + 1], items[i][1])
    placed, saved, tried = [-1] * n, [None] * n, [set() for _ in range(n)]
    nodes, i, start = 0, 0, 0
    while i < n:
        demand, choice = items[i][1], None
        if all(x <= t + EPS for x, t in zip(left[i], total)):
            choice = next((c for c in range(start, len(hosts))
                           if free[c] not in tried[i] and _fits(demand, free[c])), None)
        if choice is None:  # no host left for item i: backtrack
            if i == 0:
                return None, nodes
            i -= 1
            free[placed[i]], total = saved[i]
            start = placed[i] + 1
            continue
        if nodes >= node_limit:
            return UNDECIDED, nodes
        nodes += 1
        tried[i].add(free[choice])
        saved[i] = (free[choice], total)
        free[choice] = tuple(f - x for f, x in zip(free[choice], demand))
        total = tuple(t - x for t, x in zip(total, demand))
        placed[i] = choice
        i += 1
        if i < n:
            tried[i].clear()
            start = choice if items[i][1] == demand else 0
    return {name: hosts[placed[j]] for j, (name, _) in enumerate(items)}, nodes
