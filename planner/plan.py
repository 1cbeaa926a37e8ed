"""Plan a stamp end to end: requirements -> sizing -> placement -> Design."""
from __future__ import annotations

import math
from collections.abc import Callable

from planner.catalog import load_catalog
from planner.cost import design_cost, pricing, sql_vm_licences
from planner.errors import Infeasible
from planner.growth import growth_plan
from planner.ipplan import Layout, Slot, ip_plan
from planner.model.design import Assumption, Design, FailoverPlan, Host, RoleRule, SolveReport
from planner.model.requirements import Requirements, gateway_capacity
from planner.sizing import MB_PER_GB, Sizing, role_rules, size_design
from planner.stamps import StampCapacity, max_stamps, stamp_capacity
from planner.settings import SolverSettings, fewer_collections
from planner.solve.bounds import pooled_cost_bound
from planner.solve.cluster import ClusterOutcome, NeedsMoreClusters, problems, solve_cluster
from planner.solve.partition import StampPartition, partition, restrict, split_free
from planner.solve.stamp_bound import StampBound, least, stamp_bounds
from planner.solve.problem import ClusterProblem
from planner.solve.reuse import Solved

Progress = Callable[[str], None]


def plan(req: Requirements, settings: SolverSettings | None = None, progress: Progress = lambda _: None) -> Design:
    """The cheapest design found for `req` (for the final year of its growth, with the hosts each year needs);
    raises Infeasible when the requirements clash. Garbage is collected as in the `plan` command, whoever calls
    (settings.fewer_collections: a large design's objects live to the end)."""
    with fewer_collections():
        return _designed(req, settings or SolverSettings(), progress)


def _designed(req: Requirements, settings: SolverSettings, progress: Progress) -> Design:
    final = req.final_year()
    try:
        design, outcomes = _plan(final, settings, progress)
    except Infeasible as clash:
        if final is req:
            raise
        g = req.growth
        raise Infeasible(f"in year {g.years} of growth ({g.annual_rate:g} a year of {g.applies_to}: "
                         f"{final.tenants.count:,} tenants x {final.tenants.vms_per_tenant:,} VMs): {clash}",
                         clash.clashes) from None
    if req.growth is None:
        return design
    return design.model_copy(update={"requirements": req.model_dump(mode="json"),
                                     "growth": growth_plan(design, req, outcomes, settings, progress)})


def _plan(req: Requirements, settings: SolverSettings,
          progress: Progress) -> tuple[Design, dict[str, ClusterOutcome]]:
    precheck(req)
    capacity = stamp_capacity(req.system_center)
    stamps = capacity.driver(req).stamps
    progress(f"{stamps} VMM stamp(s): {capacity.reason(req, stamps)}")
    while True:
        sizing, outcomes, pool, parts = _place_all(req, stamps, settings, progress)
        over = _stamp_over_limits(sizing, outcomes, capacity)
        if not over:
            return assemble(req, sizing, outcomes, pool, parts), outcomes
        if stamps == max_stamps():
            raise _too_many_stamps(req, f"{over} passes one VMM server's limits ({capacity.max_hosts:,} hosts, "
                                        f"{capacity.max_vms:,} VMs) with {stamps} stamps",
                                   [*capacity.driver(req).fields, "hardware.host_models"])
        progress(f"{over}: beyond one VMM server's limits ({capacity.max_hosts} hosts, {capacity.max_vms} VMs); "
                 f"trying {stamps + 1} stamps")
        stamps += 1


def _too_many_stamps(req: Requirements, why: str, fields: list[str]) -> Infeasible:
    relax = (f"this planner designs one WAP/SPF, which serves at most {max_stamps()} VMM stamps: "
             f"plan the tenants in two designs")
    values = {"tenants.count": req.tenants.count, "tenants.vms_per_tenant": req.tenants.vms_per_tenant,
              "tenants.vm_networks_per_tenant": req.tenants.vm_networks_per_tenant,
              "tenants.vm_roles": [r.name for r in req.tenants.vm_roles],
              "hardware.host_models": [m.name for m in req.hardware.host_models]}
    clashes = [(f, values[f], relax if f.startswith("tenants.") else "larger hosts need fewer of them per stamp")
               for f in fields]
    return Infeasible(f"{why}; one SPF serves at most {max_stamps()} stamps (dn457793)", clashes)


def precheck(req: Requirements) -> None:
    """Clashes visible before any placement, named by their requirement fields."""
    lead = stamp_capacity(req.system_center).driver(req)
    if lead.stamps > max_stamps():
        raise _too_many_stamps(req, f"{lead.need:,} {lead.what} need {lead.stamps:,} VMM stamps ({lead.arithmetic})",
                               list(lead.fields))
    capacity = stamp_capacity(req.system_center)
    if req.tenants.vms_per_tenant > capacity.tenant_vms:
        raise Infeasible(f"one tenant's {req.tenants.vms_per_tenant:,} VMs pass what one VMM stamp holds "
                         f"({capacity.tenant_vms:,} tenant VMs); a tenant's VMM cloud spans clusters, not stamps",
                         [("tenants.vms_per_tenant", req.tenants.vms_per_tenant,
                           f"at most {capacity.tenant_vms:,}: split the tenant into several subscriptions")])
    avail, hw = req.availability, req.hardware
    if avail.survive_rack_loss and avail.racks < 2:
        raise Infeasible("surviving the loss of a rack needs at least two racks",
                         [("availability.survive_rack_loss", True, "set it to false"),
                          ("availability.racks", avail.racks, "spread the hosts over 2 or more racks")])
    for purpose in ("management", "compute", "edge"):
        k = getattr(avail, purpose).host_failures
        if k >= hw.max_hosts_per_cluster:
            raise Infeasible(f"{purpose} clusters cannot survive {k} host failures with at most "
                             f"{hw.max_hosts_per_cluster} hosts per cluster",
                             [(f"availability.{purpose}.host_failures", k, "tolerate fewer failures"),
                              ("hardware.max_hosts_per_cluster", hw.max_hosts_per_cluster, "allow more hosts")])
    for role in req.tenants.vm_roles:
        if role.instances > hw.max_hosts_per_cluster:
            raise Infeasible(f"VM Role {role.name} has {role.instances} instances that may never share a host, "
                             f"but a cluster has at most {hw.max_hosts_per_cluster} hosts",
                             [(f"tenants.vm_roles[{role.name}].instances", role.instances, "fewer instances"),
                              ("hardware.max_hosts_per_cluster", hw.max_hosts_per_cluster, "allow more hosts")])


def check_host_rules(req: Requirements, sizing: Sizing) -> None:
    """Each cluster's VMs of a role with a per-host limit (HNV gateways: 4) fit its most hosts at that limit."""
    most = req.hardware.max_hosts_per_cluster
    for cluster in sizing.clusters:
        vms = sizing.vms_of(cluster.name)
        for role, (cap, _) in role_rules().items():
            count = sum(1 for vm in vms if vm.role == role)
            if cap and count > cap * most:
                given = req.overrides.get(role)
                where = (f"overrides.{role}.instances", given.instances) if given and given.instances is not None \
                    else ("tenants.vm_networks_per_gateway", gateway_capacity(req).value)
                raise Infeasible(f"{cluster.name}: {count} {role} VMs at most {cap} per host need {-(-count // cap)} "
                                 f"hosts; a cluster has at most {most}",
                                 [(*where, "fewer VMs of the role (more VM networks per gateway)"),
                                  ("hardware.max_hosts_per_cluster", most, "allow more hosts per cluster")])


def check_vm_limits(req: Requirements, sizing: Sizing) -> None:
    """Every VM within the hypervisor's per-VM maxima for the System Center version's Windows Server, and the VMM
    VMs at VMM's minimum cores."""
    catalog = load_catalog()
    max_vcpu = catalog.limit("vm_max_vcpu", req.system_center).value
    max_memory = catalog.limit("vm_max_memory_gb", req.system_center).value
    least = catalog.limit("vmm_min_cores", req.system_center)
    for vm in sizing.vms:
        if vm.role == "vmm" and vm.vcpu < least.value:
            raise Infeasible(f"VM {vm.name} has {vm.vcpu} vCPU; a VMM {req.system_center} management server needs at "
                             f"least {least.value} cores ({least.source})",
                             [("overrides.vmm.vcpu", vm.vcpu, f"give VMM {least.value} vCPU or more")])
        if vm.vcpu > max_vcpu or vm.memory_gb > max_memory:
            where = f"overrides.{vm.role}" if vm.role in req.overrides else (
                "custom_vm_sizes" if vm.size in req.custom_vm_sizes else f"tenants.vm_sizes ({vm.size})")
            raise Infeasible(f"VM {vm.name} ({vm.vcpu} vCPU, {vm.memory_gb:g} GB) exceeds the Hyper-V maximum per VM "
                             f"for System Center {req.system_center} ({max_vcpu} vCPU, {max_memory} GB)",
                             [(where, vm.size or vm.role, "use a smaller size"),
                              ("system_center", req.system_center, "a later version allows larger VMs")])


def check_networks(req: Requirements, sizing: Sizing) -> None:
    """Before any placement: every network the design needs is declared or carved, and each declared subnet
    holds the addresses of the sized VMs, VIPs, names and the fewest hosts each cluster can have (InputError)."""
    slots = [Slot(f"{c.name}-H{h + 1:02d}", c.name) for c in sizing.clusters for h in range(c.failures_tolerated + 1)]
    ip_plan(Layout(requirements=req.model_dump(mode="json"), clusters=sizing.clusters, hosts=slots, vms=sizing.vms,
                   sql_instances=sizing.sql_instances, load_balancers=sizing.load_balancers))


def _place_all(req: Requirements, stamps: int, settings: SolverSettings,
               progress: Progress) -> tuple[Sizing, dict[str, ClusterOutcome], list[ClusterProblem], list[StampPartition]]:
    """Size and place every cluster; also every compute cluster's problem per host model (the pooled bound's)."""
    catalog = load_catalog()
    host_max_vms = catalog.limit("host_max_vms", req.system_center).value
    first = size_design(req, stamps, [1] * stamps, tenant_vms=False)  # the tenant units the partition cuts
    at_least: dict[str, int] = {}

    def cut() -> tuple[list[StampPartition], Sizing]:
        parts = partition(req, first, at_least)
        return parts, size_design(req, stamps, [part.plans for part in parts])

    parts, sizing = cut()
    check_vm_limits(req, sizing)
    check_host_rules(req, sizing)
    check_networks(req, first)  # tenant VMs take no infrastructure address: the units' sizing holds what it needs
    solved = Solved()  # clusters solved so far, reused for a cluster that is the same problem
    while True:
        groups = {g.name: g for g in sizing.groups}
        outcomes: dict[str, ClusterOutcome] = {}
        pool: list[ClusterProblem] = []
        try:
            for cluster in sizing.clusters:
                vms = sizing.vms_of(cluster.name)
                progress(f"{cluster.name}: placing {len(vms)} VMs ({cluster.purpose}, "
                         f"N+{cluster.failures_tolerated}{', rack loss' if cluster.fault_domain_tolerance else ''})")
                candidates = restrict(problems(cluster, vms, req, groups, host_max_vms),
                                      sizing.compute_plans.get(cluster.name))
                pool += candidates if cluster.purpose == "compute" else []
                again = solved.get(cluster, candidates)
                if again:
                    progress(f"{cluster.name}: the same VM sizes and rules as {again[0]}: its placement, renamed")
                    outcomes[cluster.name] = again[1]
                    continue
                outcomes[cluster.name] = solve_cluster(cluster, candidates, settings, progress, req)
                solved.add(cluster, candidates, outcomes[cluster.name])
        except NeedsMoreClusters as more:
            stamp = more.cluster.stamp
            count = sum(1 for c in sizing.clusters if c.stamp == stamp and c.purpose == "compute")
            if count >= len(first.demands[stamp]):
                raise Infeasible(f"{more.cluster.name}: tenant VMs do not fit in compute clusters of at most "
                                 f"{req.hardware.max_hosts_per_cluster} hosts",
                                 [("hardware.max_hosts_per_cluster", req.hardware.max_hosts_per_cluster,
                                   "allow more hosts per cluster")]) from None
            at_least[stamp] = count + 1
            if more.cluster.failures_tolerated > req.availability.compute.host_failures:
                at_least[stamp] = 0  # a large N+2 cluster the engines could not pack: clusters of the small tier
            progress(f"{stamp}: {more.cluster.name} does not fit its tier; partitioning again"
                     + (" into small-tier clusters" if not at_least[stamp] else f" into {count + 1} or more clusters"))
            parts, sizing = cut()
            continue
        return sizing, outcomes, pool, parts


def _stamp_over_limits(sizing: Sizing, outcomes: dict[str, ClusterOutcome], capacity: StampCapacity) -> str:
    for stamp in sizing.stamps:
        clusters = [c.name for c in sizing.clusters if c.stamp == stamp.name]
        hosts = sum(outcomes[c].placement.n for c in clusters)
        vms = sum(len(sizing.vms_of(c)) for c in clusters)
        if (hosts > capacity.max_hosts or vms > capacity.max_vms or stamp.tenants > capacity.max_user_roles
                or stamp.vm_networks > capacity.max_vm_networks):
            return f"{stamp.name} ({hosts} hosts, {vms} VMs)"
    return ""


def assemble(req: Requirements, sizing: Sizing, outcomes: dict[str, ClusterOutcome],
             pool: list[ClusterProblem] | None = None, parts: list[StampPartition] | None = None) -> Design:
    """Turn the solved clusters into the design.json model, the sizing's VMs placed on their hosts; `pool`: the
    compute clusters' problems (the partition-free bound, planner/solve/bounds.pooled_cost_bound)."""
    hosts, plans, host_name = [], [], {}
    clusters = []
    free = req.hardware.shared_storage.free_percent / 100
    for cluster in sizing.clusters:
        out = outcomes[cluster.name]
        if out.placement.n == 0:
            continue
        p, pl = out.problem, out.placement
        names = [f"{cluster.name}-H{h + 1:02d}" for h in range(pl.n)]
        for h, name in enumerate(names):
            t = pl.host(p, h)
            hosts.append(Host(name=name, cluster=cluster.name, fault_domain=f"rack{p.rack_of(h) + 1}",
                              model=t.model, vcpu_capacity=t.vcpu, memory_gb=t.memory_gb,
                              usable_memory_gb=t.memory_mb / MB_PER_GB, usable_storage_gb=t.storage_gb, price=t.price))
        for vm, h in pl.host_of.items():
            host_name[vm] = names[h]
        for failed, restarts in pl.restarts.items():  # names by construction: not validated (250 000 restarts)
            plans.append(FailoverPlan.model_construct(cluster=cluster.name, failed=[names[h] for h in failed],
                                                      restarts={vm: names[restarts[vm]] for vm in sorted(restarts)}))
        storage = sum(vm.storage_gb for vm in sizing.vms_of(cluster.name))
        shared = None if p.per_host_storage else float(math.ceil(storage / (1 - free) / 100) * 100)  # as read back
        model = " + ".join(sorted({t.model for t in pl.models})) or p.host.model  # a mixed cluster names each model
        clusters.append(cluster.model_copy(update={"host_model": model, "shared_storage_gb": shared}))
    for vm in sizing.vms:  # the sizing's own VMs get their hosts (a sizing is assembled once): no copy of each
        vm.host = host_name[vm.name]
    vms = sizing.vms
    reports = [outcomes[c.name].report for c in sizing.clusters]
    placeholder = SolveReport(status="feasible", objective=0, lower_bound=0, gap=0, deterministic_time=0,
                              clusters=reports)
    groups = sorted(sizing.groups, key=lambda g: g.name)
    present = {vm.role for vm in vms}
    per_role = [RoleRule(role=r, max_per_host=cap, dedicated=ded) for r, (cap, ded) in role_rules().items()
                if r in present]
    design = Design(name=req.name, system_center=req.system_center, wap_deployment=req.wap.deployment,
                  stamps=sizing.stamps, clusters=clusters, hosts=hosts, anti_affinity_groups=groups, role_rules=per_role, vms=vms,
                  failover_plans=plans, sql_instances=sizing.sql_instances, load_balancers=sizing.load_balancers,
                  solver=placeholder, cost={},
                  assumptions=[Assumption(**f.model_dump()) for f in sorted(sizing.figures.values(),
                                                                           key=lambda f: f.key)],
                  requirements=req.model_dump(mode="json"))
    return priced(design, req, pool or [], split_free(req, parts or []))


def priced(design: Design, req: Requirements, pool: list[ClusterProblem], split_free_bound: float = 0.0) -> Design:
    """`design` with its term cost and one optimality statement for the whole design: the bound is the least over
    every legal stamp count (solve/stamp_bound.py). For the design's own count it sums the management and edge
    clusters' bounds, the per-VM SQL licences any design needs, and for the compute clusters the smaller of their
    own bounds (this partition) and the larger of the pooled bound (any partition, any host models) and the
    split-free bound."""
    cost = design_cost(design, req)
    reports = design.solver.clusters
    purpose = {c.name: c.purpose for c in design.clusters}
    compute = [r for r in reports if purpose.get(r.cluster) == "compute"]
    pooled = pooled_cost_bound(pool)
    own = StampBound(len(design.stamps), sum(r.lower_bound_cost for r in reports if r not in compute),
                     sum(sql_vm_licences(design, req, proven_moves=True).values()),
                     min(sum(r.lower_bound_cost for r in compute), max(pooled, split_free_bound)))
    bounds = stamp_bounds(req, own, pooled)
    bound = least(bounds)
    objective = cost["total"]
    status = "optimal" if objective <= bound + 0.01 and all(r.status == "optimal" for r in reports) else "feasible"
    solver = design.solver.model_copy(update={
        "status": status, "objective": objective, "lower_bound": min(bound, objective),
        "gap": round(max(0.0, objective - bound) / objective, 4) if objective else 0.0,
        "deterministic_time": round(sum(r.deterministic_time for r in reports), 3),
        "stamp_bounds": [b.as_dict() for b in bounds]})
    return design.model_copy(update={"solver": solver, "cost": cost, "pricing": pricing(req)})
