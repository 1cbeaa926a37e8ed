"""How many more tenant VMs of one size fit per compute cluster, every promise kept.

The VMs already placed stay where they are. New VMs are added one at a time, each on the host
left least loaded (the planner's balanced rule; ties to the host listed first). A count fits
when every host stays within capacity, the cluster's shared storage and the Hyper-V and VMM
limits hold, and every failure scenario of the cluster (every k hosts, every rack when
promised) has a restart packing found by the validator's own search. A binary search gives
the count N that fits while N + 1 does not. Imports no solver.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from planner.catalog import is_tenant_role, load_catalog
from planner.errors import InputError
from planner.stamps import stamp_capacity
from planner.validate import EPS, DesignIndex, check_scenario, cluster_scenarios, index_design
from planner.whatif import usable_index


@dataclass(frozen=True)
class Size:
    name: str
    vcpu: float
    memory_gb: float
    storage_gb: float


@dataclass
class Room:
    """The headroom of one compute cluster."""

    cluster: str
    hosts: int
    promise: str
    tenant_vms: int
    fits: int
    stopped_by: str                # what stops one more VM, in a word or two
    stops: str                     # ... and in a sentence
    placed: dict[str, int]         # host -> new VMs, for `fits`
    vcpu: tuple[float, float]      # utilisation now, after adding `fits`
    memory: tuple[float, float]


def vm_size(design: dict, name: str) -> Size:
    """A size from the design's requirements (custom sizes included) or the catalog."""
    from planner.catalog import load_catalog

    table = dict(load_catalog().sizes)
    try:
        from planner.model.requirements import Requirements

        table = Requirements.model_validate(design.get("requirements") or {}).vm_size_table()
    except Exception:  # noqa: BLE001 - a design without (valid) requirements: the catalog's sizes
        pass
    if name not in table:
        raise InputError(f"unknown VM size {name!r} (known: {', '.join(sorted(table))})")
    s = table[name]
    return Size(name, s.vcpu, s.memory_gb, s.storage_gb)


def headroom(design: dict, size: Size) -> list[Room]:
    """The headroom of every compute cluster of the design, each on its own."""
    idx = usable_index(design)
    return [_room(design, idx, name, size) for name, c in idx.clusters.items() if c.get("purpose") == "compute"]


def add_vms(design: dict, cluster: str, size: Size, n: int) -> dict:
    """The design with `n` more VMs of `size` in `cluster`, placed by the balanced rule; the
    cluster's failover plans are dropped (the validator then searches each scenario)."""
    hosts = _sequence(usable_index(design), cluster, size, design, n)[0]
    if len(hosts) < n:
        raise ValueError(f"only {len(hosts)} VMs of size {size.name} have room in {cluster}")
    out = dict(design)
    out["vms"] = list(design["vms"]) + _new_vms(cluster, size, hosts)
    out["failover_plans"] = [p for p in design.get("failover_plans") or [] if p.get("cluster") != cluster]
    return out


def check_added(design: dict, cluster: str, size: Size, n: int) -> str:
    """"" when `n` more VMs fit in `cluster` with every promise kept, else why not."""
    idx = usable_index(design)
    hosts, why = _sequence(idx, cluster, size, design, n)
    return why if len(hosts) < n else _scenarios_fail(design, idx, cluster, size, hosts)


# ------------------------------------------------------------------ internals ----

def _limits(design: dict) -> tuple[float, float, float]:
    """Running VMs per host and per cluster (Hyper-V), VMs per VMM stamp; infinite when unknown."""
    catalog, version = load_catalog(), design.get("system_center")
    try:
        return (catalog.limit("host_max_vms", version).value, catalog.limit("cluster_max_vms", version).value,
                stamp_capacity(version).max_vms)
    except Exception:  # noqa: BLE001 - unknown version: no product limits
        return math.inf, math.inf, math.inf


def _sequence(idx: DesignIndex, cluster: str, size: Size, design: dict, limit: int) -> tuple[list[str], str]:
    """Hosts for up to `limit` new VMs, one at a time on the least loaded host with room; and,
    when fewer than `limit` have room, what ran out."""
    hosts = idx.members[cluster]
    per_host, per_cluster, per_stamp = _limits(design)
    stamp = idx.clusters[cluster]["stamp"]
    stamp_vms = sum(len(idx.vms_on[h]) for c, m in idx.members.items() if idx.clusters[c]["stamp"] == stamp
                    for h in m)
    cluster_vms = sum(len(idx.vms_on[h]) for h in hosts)
    shared = [h for h in hosts if idx.hosts[h].get("usable_storage_gb") is None]
    storage_room = math.inf
    if shared and size.storage_gb > 0:
        free = (idx.clusters[cluster].get("shared_storage_gb") or 0) - sum(idx.load[h][2] for h in shared)
        storage_room = max(0, math.floor(free / size.storage_gb + EPS))
    caps = {h: idx.capacity(h) for h in hosts}
    load = {h: list(idx.load[h]) for h in hosts}
    count = {h: len(idx.vms_on[h]) for h in hosts}
    demand = (size.vcpu, size.memory_gb, size.storage_gb)
    out: list[str] = []
    while len(out) < limit:
        if cluster_vms + len(out) >= per_cluster:
            return out, f"VMs per cluster: Hyper-V runs at most {per_cluster:g} VMs per cluster"
        if stamp_vms + len(out) >= per_stamp:
            return out, f"VMs per stamp: one VMM server manages at most {per_stamp:g} VMs ({stamp})"
        storage_full = sum(1 for h in out if h in shared) >= storage_room
        best, key = None, None
        for h in hosts:
            after = [load[h][d] + demand[d] for d in range(3)]
            if count[h] >= per_host or any(after[d] > caps[h][d] + EPS for d in range(3)) or \
                    (storage_full and h in shared):
                continue
            k = max([after[d] / caps[h][d] for d in range(2) if caps[h][d]] + [0])
            if key is None or k < key - EPS:
                best, key = h, k
        if best is None:
            if storage_full:
                total = idx.clusters[cluster].get("shared_storage_gb") or 0
                return out, f"shared storage: the cluster's {total:g} GB are used up"
            return out, _full(hosts, load, caps, count, per_host, demand)
        out.append(best)
        count[best] += 1
        for d in range(3):
            load[best][d] += demand[d]
    return out, ""


def _full(hosts: list[str], load: dict, caps: dict, count: dict, per_host: float, demand: tuple) -> str:
    """What no host has room for, e.g. "vCPU: no host has room for one more in normal running"."""
    short = [name for d, name in enumerate(("vCPU", "memory", "local storage"))
             if any(load[h][d] + demand[d] > caps[h][d] + EPS for h in hosts)]
    if any(count[h] >= per_host for h in hosts):
        short.append(f"Hyper-V's {per_host:g} VMs per host")
    return f"{' / '.join(short) or 'capacity'}: no host has room for one more in normal running"


def _new_vms(cluster: str, size: Size, hosts: list[str]) -> list[dict]:
    return [{"name": f"NEW-{cluster}-{size.name}-{i + 1:04d}", "role": "tenant", "cluster": cluster, "host": h,
             "vcpu": size.vcpu, "memory_gb": size.memory_gb, "storage_gb": size.storage_gb, "size": size.name}
            for i, h in enumerate(hosts)]


def _sub_design(design: dict, idx: DesignIndex, cluster: str, extra: list[dict]) -> dict:
    """Just the cluster, its hosts and VMs (plus `extra`), without failover plans."""
    return {"format": design.get("format"), "stamps": [], "clusters": [idx.clusters[cluster]],
            "hosts": [idx.hosts[h] for h in idx.members[cluster]],
            "vms": [vm for h in idx.members[cluster] for vm in idx.vms_on[h]] + extra,
            "anti_affinity_groups": design.get("anti_affinity_groups") or [], "failover_plans": []}


def _scenarios_fail(design: dict, idx: DesignIndex, cluster: str, size: Size, hosts: list[str]) -> str:
    """"" when every failure scenario of the cluster, with new VMs on `hosts`, has a restart packing
    found by the validator's search; else the first scenario that has none."""
    sub_idx, _ = index_design(_sub_design(design, idx, cluster, _new_vms(cluster, size, hosts)))
    scenarios, violations, undecided = cluster_scenarios(sub_idx, cluster)
    if violations or undecided:
        return (violations or undecided)[0].message
    for failed in scenarios:
        result = check_scenario(sub_idx, cluster, failed)
        if result.status != "searched":
            return f"{result.finding.subject}: {result.finding.message}"
    return ""


def _room(design: dict, idx: DesignIndex, cluster: str, size: Size) -> Room:
    c = idx.clusters[cluster]
    hosts = idx.members[cluster]
    seq, full = _sequence(idx, cluster, size, design, 100_000)
    today = _scenarios_fail(design, idx, cluster, size, [])
    last = _scenarios_fail(design, idx, cluster, size, seq) if seq else today
    if today:
        fits, kind, stops = 0, "failover today", f"the design does not keep its promise today: {today}"
    elif not last:
        fits, kind, stops = len(seq), full.split(":")[0] or "-", full or "the search stopped at 100 000 more"
    else:  # invariant: lo fits, hi does not
        lo, hi, why = 0, len(seq), last
        while hi - lo > 1:
            mid = (lo + hi) // 2
            reason = _scenarios_fail(design, idx, cluster, size, seq[:mid])
            if reason:
                hi, why = mid, reason
            else:
                lo = mid
        fits, kind, stops = lo, f"failover (N+{c['failures_tolerated']}" + (
            " or rack loss)" if c.get("fault_domain_tolerance") else ")"), why
    placed: dict[str, int] = {}
    for h in seq[:fits]:
        placed[h] = placed.get(h, 0) + 1
    cap = [sum(idx.capacity(h)[d] for h in hosts) for d in (0, 1)]
    now = [sum(idx.load[h][d] for h in hosts) for d in (0, 1)]
    add = (fits * size.vcpu, fits * size.memory_gb)
    util = [(now[d] / cap[d] if cap[d] else 0.0, (now[d] + add[d]) / cap[d] if cap[d] else 0.0) for d in (0, 1)]
    tenant = sum(1 for h in hosts for vm in idx.vms_on[h] if is_tenant_role(str(vm.get("role", ""))))
    promise = f"N+{c['failures_tolerated']}" + (" +rack" if c.get("fault_domain_tolerance") else "")
    return Room(cluster, len(hosts), promise, tenant, fits, kind, stops, placed, util[0], util[1])
