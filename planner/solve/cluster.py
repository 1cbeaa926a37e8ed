"""Choose the host model and place one cluster: greedy and count model (planner/solve/tenant.py)
for every cluster; the exact CP-SAT model for management and edge clusters they leave unproven,
and for any cluster where a rule applies that they do not know (they decline it)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from planner.catalog import is_tenant_role
from planner.cost import sql_per_host
from planner.errors import Infeasible, InputError, TimeLimitReached
from planner.model.design import AntiAffinityGroup, Cluster, ClusterSolve, Vm
from planner.model.requirements import Requirements
from planner.settings import SolverSettings
from planner.solve.bounds import host_lower_bound
from planner.solve.exact import solve_exact
from planner.solve.explain import explain
from planner.sizing import cluster_roles, role_rules
from planner.solve.heuristic import smallest_placement
from planner.solve.mixed import solve_mixed
from planner.solve.relax import (Suggestion, larger_host, more_vcpu, no_reserve, shared_storage, smaller_vms,
                                 verified)
from planner.solve.problem import MAX_RESTARTS, ClusterProblem, Placement, TooManyScenarios, host_type, items_of
from planner.solve.tenant import TenantResult, count_model_applies, solve_tenant

Progress = Callable[[str], None]


class NeedsMoreClusters(Exception):
    """A compute cluster cannot hold its VMs within the per-cluster host limit."""

    def __init__(self, cluster: Cluster):
        super().__init__(cluster.name)
        self.cluster = cluster


@dataclass
class ClusterOutcome:
    problem: ClusterProblem
    placement: Placement
    report: ClusterSolve


def problems(cluster: Cluster, vms: list[Vm], req: Requirements, groups: dict[str, AntiAffinityGroup],
             host_max_vms: int) -> list[ClusterProblem]:
    """One placement problem per host model on offer."""
    items = items_of(vms, groups)
    present = {vm.role for vm in vms}
    per_role = {r: v for r, v in role_rules().items() if r in present}
    caps = tuple(sorted((r, cap) for r, (cap, _) in per_role.items() if cap))
    dedicated = frozenset(r for r, (_, ded) in per_role.items() if ded and len(present) > 1)
    avail = req.availability
    sql_host = sql_per_host(req, present)
    return [ClusterProblem(cluster=cluster.name, items=items, host=host_type(m, cluster, req, host_max_vms, sql_host),
                           k=cluster.failures_tolerated, racks=avail.racks,
                           rack_tolerance=cluster.fault_domain_tolerance,
                           max_hosts=req.hardware.max_hosts_per_cluster, roles=cluster_roles(req, cluster.purpose),
                           role_caps=caps, dedicated=dedicated)
            for m in req.hardware.host_models]


def solve_cluster(cluster: Cluster, candidates: list[ClusterProblem], settings: SolverSettings,
                  progress: Progress, req: Requirements | None = None) -> ClusterOutcome:
    """The cheapest placement over the host models; raises Infeasible or NeedsMoreClusters."""
    fitting = [p for p in candidates if all(p.fits_empty_host(it) for it in p.items)]
    if not fitting:
        raise _too_big(cluster, candidates, req)
    ranked = sorted(((host_lower_bound(p), p) for p in fitting), key=lambda e: (e[0][0] * e[1].host.unit_cost,
                                                                                e[1].host.model))
    best: ClusterOutcome | None = None
    bounds: list[float] = []
    too_many: TooManyScenarios | None = None
    for (lb, reason), p in ranked:
        lb_cost = lb * p.host.unit_cost
        if best is not None and lb_cost >= best.report.cost:
            bounds.append(lb_cost)
            continue
        if lb > p.max_hosts:
            bounds.append(lb_cost)
            continue
        try:
            outcome = _solve_model(cluster, p, lb, reason, settings, progress)
        except TooManyScenarios as error:  # this host model needs too many hosts; another may need fewer
            too_many = too_many or error
            bounds.append(lb_cost)
            continue
        if outcome is None:
            bounds.append(lb_cost)
            continue
        bounds.append(outcome.report.lower_bound_cost)
        if best is None or outcome.report.cost < best.report.cost:
            best = outcome
    if best is None and too_many:
        raise _too_many_scenarios(cluster, candidates[0], too_many)
    if best is None:
        if cluster.purpose == "compute":
            raise NeedsMoreClusters(cluster)
        raise Infeasible(
            f"{cluster.name}: no placement of its {len(candidates[0].items)} VMs fits within "
            f"{candidates[0].max_hosts} hosts with {cluster.failures_tolerated} host failure(s) tolerated"
            + (" and the loss of a rack" if cluster.fault_domain_tolerance else ""),
            explain(cluster, candidates, req))  # the smallest clash proven, else the suspects that re-solve
    lower = min(bounds)
    if req is not None and req.hardware.mix_models_in_cluster and cluster.purpose == "compute" and len(fitting) > 1:
        best, lower = _mixed(cluster, fitting, best, settings, progress)
    best.report.lower_bound_cost = lower
    best.report.gap = round((best.report.cost - lower) / best.report.cost, 4) if best.report.cost else 0.0
    return best


def _mixed(cluster: Cluster, fitting: list[ClusterProblem], best: ClusterOutcome, settings: SolverSettings,
           progress: Progress) -> tuple[ClusterOutcome, float]:
    """The cheapest mix of host models found for a compute cluster from the best one-model placement, and a
    lower bound on any mix (planner/solve/mixed.py)."""
    res = solve_mixed(fitting, best.placement, best.report.cost, settings.time_limit, settings.workers, settings.seed)
    status = "optimal" if res.optimal else "feasible"
    time = round(best.report.deterministic_time + res.deterministic_time, 3)
    if res.placement is None:
        progress(f"{cluster.name}: no mix of host models costs less than {best.report.cost:,.0f} ({status})")
        return ClusterOutcome(best.problem, best.placement, best.report.model_copy(update={
            "status": status, "deterministic_time": time})), res.bound
    pl = res.placement
    mix = " + ".join(f"{count} x {model}" for model, count in sorted(Counter(t.model for t in pl.models).items()))
    progress(f"{cluster.name}: mixed {mix}, {res.cost:,.0f} ({status}; one model: {best.report.cost:,.0f})")
    return ClusterOutcome(best.problem, pl, ClusterSolve(
        cluster=cluster.name, method="cp-sat", status=status, hosts=pl.n, cost=round(res.cost, 2),
        lower_bound_cost=0, gap=0, binding=f"the cheapest mix of host models found ({mix}; one model: "
        f"{best.placement.n} x {best.problem.host.model}) surviving any {best.problem.k} host failure(s), the largest "
        f"included",
        deterministic_time=time)), res.bound


def _too_many_scenarios(cluster: Cluster, p: ClusterProblem, error: TooManyScenarios) -> InputError:
    """Exit 2 naming the cluster, its scenario count, the limit and the fields that lower it."""
    split = (", or lower hardware.max_hosts_per_cluster (tenant VMs are then split over more, smaller compute "
             "clusters)" if cluster.purpose == "compute" else ", or offer a larger host model (fewer hosts)")
    return InputError(
        f"{cluster.name}: a {cluster.purpose} cluster of {error.n} hosts with host_failures {p.k} has "
        f"{error.count:,} failure scenarios whose restart plans would restart its {len(p.items):,} VMs "
        f"{error.restarts:,} times in all; the limit is {MAX_RESTARTS:,} (MAX_RESTARTS): lower "
        f"availability.{cluster.purpose}.host_failures" + split)


def _too_big(cluster: Cluster, candidates: list[ClusterProblem], req: Requirements | None) -> Infeasible:
    """Name a VM that fits no host model, the resources it lacks, and the fields that would help."""
    item = next(it for it in candidates[0].items if not any(p.fits_empty_host(it) for p in candidates))
    lacking = sorted({d for p in candidates for d, (need, cap) in
                      enumerate(zip(item.demand(p.per_host_storage), p.host.capacity())) if need > cap})
    names = ["vCPU", "memory", "local storage"]
    relax = {0: Suggestion((f"hardware.vcpu_per_core.{cluster.purpose}", cluster.vcpu_per_core,
                            "raise the vCPU:core ratio"), more_vcpu),
             1: Suggestion(("hardware.host_reserve", "memory", "reserve less memory for the parent partition"),
                           no_reserve),
             2: Suggestion(("hardware.host_models[].storage_gb", [p.host.storage_gb for p in candidates],
                            "give the host models local storage, or use shared_storage.type: csv"), shared_storage)}
    tenant = is_tenant_role(item.role) or not item.role
    size = [Suggestion((f"overrides.{item.role}.{('vcpu', 'memory_gb', 'storage_gb')[d]}",
                        (item.vcpu, item.memory_mb / 1024, item.storage_gb)[d], f"a smaller {item.role} VM"),
                       smaller_vms(item.role, d)) for d in lacking if not tenant]
    if tenant:
        size = [Suggestion(("tenants.vm_sizes", req.tenants.vm_sizes if req else None, "use smaller VM sizes"),
                           smaller_vms(item.role, lacking[0]))]
    need = f"{item.vcpu} vCPU, {item.memory_mb / 1024:g} GB memory, {item.storage_gb} GB storage"
    return Infeasible(
        f"{cluster.name}: VM {item.name} ({need}) fits no host model of hardware.host_models: "
        f"not enough {' / '.join(names[d] for d in lacking)}",
        verified(candidates, [Suggestion(("hardware.host_models", [p.host.model for p in candidates],
                                          "offer a larger host model"), larger_host)]
                 + [relax[d] for d in lacking] + size, proven=True))


def _solve_model(cluster: Cluster, p: ClusterProblem, lb: int, reason: str, settings: SolverSettings,
                 progress: Progress) -> ClusterOutcome | None:
    if not p.items:
        return ClusterOutcome(p, Placement(0, {}, {}), ClusterSolve(
            cluster=cluster.name, method="empty", status="optimal", hosts=0, cost=0, lower_bound_cost=0, gap=0,
            binding="no VMs"))
    if cluster.purpose == "compute":
        return _solve_compute(cluster, p, lb, reason, settings, progress)
    counted = solve_tenant(p, lb, settings.time_limit, settings.workers, settings.seed, balance=True)
    return _solve_exact(cluster, p, lb, reason, settings, progress, counted)


def _solve_exact(cluster: Cluster, p: ClusterProblem, lb: int, reason: str, settings: SolverSettings,
                 progress: Progress, counted: TenantResult) -> ClusterOutcome | None:
    """The count model's placement when it is proven (or the model applies), else CP-SAT from its hint."""
    name = f"{cluster.name} on {p.host.model}"
    if counted.placement is not None and (counted.status == "optimal" or count_model_applies(p)):
        # the count model states the same problem far smaller; the VM x host model is for groups mixing sizes
        progress(f"{name}: {counted.placement.n} hosts, {counted.status} by the {counted.method} "
                 f"(bound {counted.bound})")
        return ClusterOutcome(p, counted.placement, _report(cluster, p, counted.placement.n, counted.bound, reason,
                                                            counted.method, counted.status, lb,
                                                            counted.deterministic_time))
    if counted.bound > p.max_hosts:
        return None
    hint = counted.placement or smallest_placement(p, counted.bound)
    slots = hint.n if hint else p.max_hosts
    progress(f"{name}: CP-SAT over {slots} host slots, {len(p.items)} VMs, "
             f"{p.scenario_count(slots)} failure scenarios")
    result = solve_exact(p, slots, hint, settings,
                         lambda obj, bnd: progress(f"{name}: {obj} hosts (solver bound {bnd})"))
    if result.placement is None:
        if hint is None and result.status == "unknown":
            raise TimeLimitReached(f"{name}: the time limit passed before any placement was found; "
                                   f"raise --time-limit")
        if hint is None:
            return None
        placement, status, solver_bound = hint, "feasible", counted.bound
    else:
        placement, status, solver_bound = result.placement, result.status, result.bound
    bound = max(counted.bound, solver_bound)
    progress(f"{name}: {placement.n} hosts, {status} (bound {bound})")
    return ClusterOutcome(p, placement, _report(cluster, p, placement.n, bound, reason, "cp-sat", status, lb,
                                                result.deterministic_time))


def _solve_compute(cluster: Cluster, p: ClusterProblem, lb: int, reason: str, settings: SolverSettings,
                   progress: Progress) -> ClusterOutcome | None:
    """Tenant placement: the compact count model (planner/solve/tenant.py), the heuristic as fallback."""
    res = solve_tenant(p, lb, settings.time_limit, settings.workers, settings.seed)
    if res.status == "declined":
        return _solve_exact(cluster, p, lb, reason, settings, progress, res)
    if res.placement is None:
        return None
    progress(f"{cluster.name} on {p.host.model}: {res.placement.n} hosts by {res.method} (lower bound {res.bound})")
    return ClusterOutcome(p, res.placement, _report(cluster, p, res.placement.n, res.bound, reason, res.method,
                                                    res.status, lb, res.deterministic_time))


def _report(cluster: Cluster, p: ClusterProblem, n: int, bound: int, reason: str, method: str, status: str,
            volume_bound: int, det_time: float = 0.0) -> ClusterSolve:
    return ClusterSolve(cluster=cluster.name, method=method, status=status, hosts=n, cost=round(n * p.host.unit_cost, 2),
                        lower_bound_cost=round(bound * p.host.unit_cost, 2), gap=0.0,
                        binding=binding(reason, n, volume_bound, status, method), deterministic_time=round(det_time, 3))


def binding(reason: str, n: int, volume_bound: int, status: str, method: str) -> str:
    """What drives a cluster's n hosts: the lower bound's reason, and the hosts the placement adds to it."""
    if n <= volume_bound:
        return reason
    if status == "optimal":
        return f"{reason}; packing the VMs and their failover restarts needs {n - volume_bound} more (proven)"
    return f"{reason}; the {method} placed them on {n - volume_bound} more (not proven necessary)"
