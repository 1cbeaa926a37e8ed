"""The whole-design lower bound over every legal stamp count, not only the one the design uses.

A design may have any number of VMM stamps from the least the VMM scale limits force (stamps.py) to the most
one SPF serves (catalog max_stamps). Each stamp adds its own management and edge clusters and their SQL
licences, so more stamps rarely pay; the bound states it with arithmetic. A design of s stamps (tenants split
evenly over them, as sizing.py does) costs at least:

- its management and edge clusters: each at the cheapest host model's solver-free host bound (bounds.py);
- the per-VM SQL licences of its SQL instances (with Software Assurance where the cluster tolerates a failure);
- its compute clusters: the pooled bound (bounds.pooled_cost_bound), which holds for any partition of the same
  tenant VMs into clusters of any host models, so for any stamp count; and when that total falls below the
  design's own bound and one host model is on offer, the larger split-free bound of its s stamps
  (partition.py: each stamp's compute clusters and their spare hosts), cut from the tenant units.

For the design's own stamp count the caller gives the stronger bound (its clusters' proven bounds and the
stamps' split-free compute bound). The whole-design bound is the least over the counts.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from planner.catalog import load_catalog
from planner.cost import sql_vm_licences
from planner.model.requirements import Requirements
from planner.sizing import size_design
from planner.solve.bounds import host_lower_bound
from planner.solve.cluster import problems
from planner.solve.partition import partition, split_free
from planner.stamps import max_stamps, stamp_capacity


@dataclass(frozen=True)
class StampBound:
    """The least any design of `stamps` stamps costs, by part; `infeasible`: why no such design exists."""

    stamps: int
    management_edge: float = 0.0
    sql: float = 0.0
    compute: float = 0.0
    infeasible: str = ""

    @property
    def total(self) -> float | None:
        return None if self.infeasible else round(self.management_edge + self.sql + self.compute, 2)

    def as_dict(self) -> dict:
        if self.infeasible:
            return {"stamps": self.stamps, "infeasible": self.infeasible}
        return {"stamps": self.stamps, "management_edge": round(self.management_edge, 2), "sql": round(self.sql, 2),
                "compute": round(self.compute, 2), "total": self.total}


def stamp_counts(req: Requirements) -> range:
    """Every legal stamp count: from the least the VMM scale limits force to the most one SPF serves."""
    return range(stamp_capacity(req.system_center).driver(req).stamps, max_stamps() + 1)


def stamp_bounds(req: Requirements, own: StampBound, pooled: float) -> list[StampBound]:
    """The bound of every legal stamp count: `own` for the design's, the arithmetic above for the others;
    `pooled`: the compute bound over any partition (the same tenant VMs whatever the stamp count)."""
    return [own if s == own.stamps else _bound(req, s, pooled, own.total) for s in stamp_counts(req)]


def least(bounds: list[StampBound]) -> float:
    """The whole-design bound: the least over the stamp counts any design can have."""
    return min(b.total for b in bounds if b.total is not None)


def _bound(req: Requirements, stamps: int, pooled: float, own: float | None) -> StampBound:
    sizing = size_design(req, stamps, [1] * stamps, tenant_vms=False)
    host_max_vms = load_catalog().limit("host_max_vms", req.system_center).value
    groups = {g.name: g for g in sizing.groups}
    fixed = 0.0
    for cluster in sizing.clusters:
        if cluster.purpose == "compute" or not (vms := sizing.vms_of(cluster.name)):
            continue
        costs = []
        for p in problems(cluster, vms, req, groups, host_max_vms):
            hosts = host_lower_bound(p)[0]
            if hosts <= p.max_hosts and all(p.fits_empty_host(it) for it in p.items):
                costs.append(hosts * p.host.unit_cost)
        if not costs:
            return StampBound(stamps, infeasible=f"{cluster.name} fits no host model within "
                                                 f"{req.hardware.max_hosts_per_cluster} hosts")
        fixed += min(costs)
    bound = StampBound(stamps, fixed, sum(sql_vm_licences(sizing, req, proven_moves=True).values()), pooled)
    if own is None or bound.total >= own or len(req.hardware.host_models) > 1:
        return bound  # not the least, or no split-free bound (a mix of models per cluster may cost less)
    parts = partition(req, sizing)
    return replace(bound, compute=max(pooled, split_free(req, parts)))
