"""Growth: the hosts each year needs in a design sized for the final year (requirements.growth).

Management and edge clusters are sized for the final year and bought on day one. Each compute cluster keeps
its host model and N+k; in year y it holds the tenant VMs that exist that year (the final design's VMs of the
tenants and VM numbers of year y: sizing.tenant_vm_names) and needs the hosts a re-solve of the cluster with
those VMs finds, never more than the year after (whose placement holds a superset of the VMs).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from planner.errors import Infeasible, InputError, TimeLimitReached
from planner.model.design import Cluster, Design, GrowthCluster, GrowthPlan, GrowthYear
from planner.model.requirements import Requirements
from planner.settings import SolverSettings
from planner.tenant_units import tenant_vm_names, tenant_width
from planner.solve.cluster import ClusterOutcome, NeedsMoreClusters, solve_cluster

Progress = Callable[[str], None]


def year_hosts(cluster: Cluster, outcome: ClusterOutcome, names: set[str], later: int, settings: SolverSettings,
               progress: Progress, req: Requirements) -> int:
    """The hosts `cluster` needs for its VMs named in `names`: a re-solve with its host model and N+k, at most
    `later` (the next year's count)."""
    problem = dataclasses.replace(outcome.problem, items=tuple(it for it in outcome.problem.items
                                                               if it.name in names))
    if len(problem.items) == len(outcome.problem.items):
        return later
    try:
        found = solve_cluster(cluster, [problem], settings, lambda _: None, req).placement.n
    except (NeedsMoreClusters, Infeasible, InputError, TimeLimitReached):
        found = later  # a subset of the next year's VMs: that count holds
    progress(f"{cluster.name}: {len(problem.items)} VMs on {min(found, later)} hosts")
    return min(found, later)


def growth_plan(design: Design, req: Requirements, outcomes: dict[str, ClusterOutcome], settings: SolverSettings,
                progress: Progress) -> GrowthPlan | None:
    """The schedule of `design` (planned for req.final_year()) over the years of req.growth; None without it."""
    growth = req.growth
    if growth is None:
        return None
    width = tenant_width(req.final_year())
    names = [tenant_vm_names(req.in_year(y), width) for y in range(growth.years + 1)]
    compute = [c for c in design.clusters if c.purpose == "compute"]
    vms_of = {c.name: [vm for vm in design.vms if vm.cluster == c.name] for c in compute}
    hosts: dict[str, list[int]] = {}
    for c in compute:
        count = [len([h for h in design.hosts if h.cluster == c.name])]
        for y in range(growth.years - 1, -1, -1):
            progress(f"growth: {c.name} in year {y}")
            count.insert(0, year_hosts(c, outcomes[c.name], names[y], count[0], settings, progress, req))
        hosts[c.name] = count
    fixed = [h for h in design.hosts if h.cluster not in hosts]
    schedule, additional, total = [], {}, 0
    for y in range(growth.years + 1):
        rows = []
        for c in compute:
            mine = [vm for vm in vms_of[c.name] if vm.name in names[y]]
            rows.append(GrowthCluster(cluster=c.name, hosts=hosts[c.name][y], vms=len(mine),
                                      vcpu=sum(vm.vcpu for vm in mine),
                                      memory_gb=round(sum(vm.memory_gb for vm in mine), 2)))
        added = list(fixed) if y == 0 else []
        for c in compute:
            first = hosts[c.name][y - 1] if y else 0
            added += [h for h in design.hosts if h.cluster == c.name][first:hosts[c.name][y]]
        additional |= {h.name: y for h in added if y}
        year_req = req.in_year(y)
        schedule.append(GrowthYear(year=y, tenants=year_req.tenants.count, tenant_vms=year_req.tenant_vm_count(),
                                   clusters=rows, hosts=total + len(added), added_hosts=len(added),
                                   added_cost=round(sum(h.price for h in added), 2)))
        total += len(added)
    return GrowthPlan(**growth.model_dump(), schedule=schedule, additional_hosts=additional)
