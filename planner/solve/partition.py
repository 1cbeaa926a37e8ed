"""The compute partition of each stamp, and its split-free lower bound on the stamp's compute hosts.

A stamp's tenant units (a tenant VM, or a VM Role deployment, which never splits; sizing.py) form one
sequence. The partition chooses one host model for the stamp's compute clusters, how many clusters of
each size tier, and cuts the sequence in order: every cluster but the last is filled to the volume its
usable hosts hold (less FILL_SLACK for packing losses), the last takes the rest. So a tenant spans at most
a few clusters of its stamp (its VMM cloud spans their host groups) and no cluster passes the per-cluster
VM limit.

Tiers (catalog `compute_n2_above_hosts`, a planning decision): a cluster of up to 16 hosts tolerates
availability.compute.host_failures; a larger one at least 2 (N+2).

Split-free bound, for one host model: V = the volume bound of the whole stamp (per resource
ceil(demand / host capacity), and VMs per host); every cluster holds at most its tier's usable hosts of
volume and the per-cluster VM limit, and has its tier's spare hosts, so the stamp needs at least
V + the fewest spares of any count of clusters per tier that holds V and the VMs. The stamp's bound is
the least over the host models (its compute clusters share one model).
"""
from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, replace
from itertools import accumulate

from planner.catalog import load_catalog
from planner.cost import unit_cost
from planner.model.requirements import Requirements
from planner.sizing import ComputePlan, Sizing, host_capacity
from planner.solve.problem import MAX_RESTARTS, ClusterProblem, restarts_per_vm

FILL_SLACK = 0.1  # hosts of volume a filled cluster leaves free for packing losses (at most its share of the room)
RESOURCES = ("vCPU", "memory", "storage", "VMs per host")


@dataclass(frozen=True)
class Tier:
    """Compute clusters of at most `max_hosts` hosts that tolerate `k` host failures."""

    max_hosts: int
    k: int
    usable: int  # hosts of volume such a cluster holds: max_hosts less its failover spares
    max_vms: int  # the per-cluster VM limit, and what keeps its restart plans within MAX_RESTARTS


@dataclass(frozen=True)
class StampPartition:
    """A stamp's compute clusters and the split-free bound on their cost."""

    stamp: str
    model: str
    plans: list[ComputePlan]
    bound_cost: float  # the least split-free bound over the host models
    reason: str  # the arithmetic of the bound


def tiers(req: Requirements) -> list[Tier]:
    """The cluster size tiers on offer: up to compute_n2_above_hosts hosts at the required k, larger at N+2."""
    most, k = req.hardware.max_hosts_per_cluster, req.availability.compute.host_failures
    small = load_catalog().limit("compute_n2_above_hosts", "any").value
    sizes = [(most, k)] if k == 0 or k >= 2 or most <= small else [(small, k), (most, 2)]
    limit = load_catalog().limit("cluster_max_vms", req.system_center).value
    return [Tier(n, kk, _usable(req, n, kk), _max_vms(req, n, kk, limit)) for n, kk in sizes]


def _max_vms(req: Requirements, n: int, k: int, limit: int) -> int:
    """At most `limit` VMs, and few enough that the plans of every failure scenario of an `n`-host cluster restart
    at most MAX_RESTARTS VMs in all."""
    per_vm = restarts_per_vm(n, k, req.availability.survive_rack_loss)
    return min(limit, MAX_RESTARTS // per_vm) if per_vm else limit


def _usable(req: Requirements, n: int, k: int) -> int:
    avail = req.availability
    spare = max(k, math.ceil(n / avail.racks)) if avail.survive_rack_loss else k
    return max(0, n - spare)


def partition(req: Requirements, sizing: Sizing, at_least: dict[str, int] | None = None) -> list[StampPartition]:
    """Per stamp, the cheapest partition (at least `at_least[stamp]` clusters; 0: of the small tier only, after
    the engines could not pack a large one) and its split-free bound."""
    at_least = at_least or {}
    host_max_vms = load_catalog().limit("host_max_vms", req.system_center).value
    out = []
    for stamp in sizing.stamps:
        units = sizing.demands[stamp.name]
        cluster = next(c for c in sizing.clusters if c.stamp == stamp.name and c.purpose == "compute")
        best = None  # (cost, clusters, model, counts per tier, caps, bound text)
        bound = math.inf
        for model in req.hardware.host_models:
            vcpu, memory_mb, storage = host_capacity(model, cluster, req)
            caps = (vcpu, memory_mb, storage, host_max_vms)
            volume = _volume(units, caps)
            if volume is None:  # a resource this model lacks: the placement names it
                continue
            options = _options(tiers(req), volume, sum(u[3] for u in units))
            hosts, counts, text = min(options)
            price = unit_cost(model, req)
            bound = min(bound, hosts * price)
            need = at_least.get(stamp.name, 1)
            choice = min((o for o in options if sum(o[1]) >= need and (need or sum(o[1][1:]) == 0)), default=None,
                         key=lambda o: (o[0] * price, sum(o[1])))
            if choice and (best is None or (choice[0] * price, sum(choice[1])) < best[:2]):
                best = (choice[0] * price, sum(choice[1]), model.name, choice[1], caps, text)
        if best is None:  # no model holds the VMs: one cluster per stamp, its placement reports why
            out.append(StampPartition(stamp.name, "", [ComputePlan(len(units), cluster.failures_tolerated,
                                                                   req.hardware.max_hosts_per_cluster)], 0.0, ""))
            continue
        _, _, model, counts, caps, text = best
        mixed = req.hardware.mix_models_in_cluster  # the clusters are cut for `model`, then may mix any models
        plans = _cut(units, caps, tiers(req), counts, "" if mixed else model)
        out.append(StampPartition(stamp.name, model, plans, bound if units else 0.0, text))
    return out


def split_free(req: Requirements, parts: list[StampPartition]) -> float:
    """The stamps' split-free compute bound: it holds for every partition into legal clusters when one host model
    is on offer (with several, a mix of models per cluster may cost less)."""
    return sum(p.bound_cost for p in parts) if len(req.hardware.host_models) == 1 else 0.0


def restrict(candidates: list[ClusterProblem], plan: ComputePlan | None) -> list[ClusterProblem]:
    """A compute cluster's placement problems: its plan's host model, at most its tier's hosts."""
    if plan is None:
        return candidates
    return [replace(p, max_hosts=plan.max_hosts) for p in candidates
            if plan.host_model in (None, "", p.host.model)]


def _volume(units: list[tuple[int, ...]], caps: tuple) -> int | None:
    """The stamp's volume bound in hosts (None: a resource the host lacks)."""
    totals = _totals(units)
    if any(t and not c for t, c in zip(totals, caps) if c is not None):
        return None
    return max((-(-t // c) for t, c in zip(totals, caps) if c), default=0)


def _totals(units: list[tuple[int, ...]]) -> list[int]:
    """Per resource (vCPU, MB, GB, VMs): the units' whole demand."""
    return [sum(column) for column in zip(*units)] if units else [0] * 4


def _options(ts: list[Tier], volume: int, vms: int) -> list[tuple[int, tuple, str]]:
    """(hosts at least, clusters per tier, the arithmetic) for each count of large-tier clusters."""
    small, large = ts[0], ts[-1]
    held = min(large.usable, large.max_vms * volume / max(vms, 1))  # volume a large cluster holds within its VMs
    out = []
    for a in range(0, (volume // max(large.usable, 1) + 2) if len(ts) > 1 else 1):
        b = math.ceil(max(0, volume - a * held) / max(small.usable, 1) - 1e-9)
        b = max(b, -(-max(0, vms - a * large.max_vms) // small.max_vms), 0 if a else 1)
        counts = (b, a) if len(ts) > 1 else (b,)
        spares = sum(n * t.k for n, t in zip(counts, ts))
        text = f"volume {volume} hosts + {spares} failover hosts in " + ", ".join(
            f"{n} cluster(s) of at most {t.max_hosts} hosts at N+{t.k}" for n, t in zip(counts, ts) if n)
        out.append((volume + spares, counts, text))
    return out


def _cut(units: list[tuple[int, ...]], caps: tuple, ts: list[Tier], counts: tuple, model: str) -> list[ComputePlan]:
    """Fill the clusters in order (large tier first), each to its usable hosts of volume less its slack: the
    longest run of the next units within it (demands are not negative, so a run that passes only grows)."""
    order = [t for t, n in reversed(list(zip(ts, counts))) for _ in range(n)]
    volume = max((total / c for total, c in zip(_totals(units), caps) if c), default=0.0)
    room = max(0.0, sum(t.usable for t in order) - volume) / len(order)
    sums = [list(accumulate(column, initial=0)) for column in zip(*units)] if units else [[0]] * 4  # prefix sums
    plans, start = [], 0
    for i, tier in enumerate(order):
        limit = tier.usable - min(FILL_SLACK, room)

        def over(end: int, tier: Tier = tier, start: int = start, limit: float = limit) -> bool:
            used = [column[end] - column[start] for column in sums]
            return used[3] > tier.max_vms or any(c and n / c > limit for n, c in zip(used, caps))

        end = len(units) if i == len(order) - 1 else \
            start + bisect_left(range(start + 1, len(units) + 1), True, key=over)
        plans.append(ComputePlan(end - start, tier.k, tier.max_hosts, model))
        start = end
    return plans
