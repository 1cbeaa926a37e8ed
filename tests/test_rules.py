"""One tiny instance per placement rule: the exact model must need exactly the hosts the
rule forces, and its placement must pass the independent validator."""
from __future__ import annotations

import pytest

from planner.settings import SolverSettings
from planner.solve.bounds import host_lower_bound
from planner.solve.exact import solve_exact
from planner.solve.heuristic import smallest_placement
from planner.solve.problem import ClusterProblem, HostType, Item
from planner.validate import validate_design

HOST = HostType(model="h", price=1000, vcpu=16, memory_mb=64 * 1024, storage_gb=None, max_vms=1024, memory_gb=72)
SETTINGS = SolverSettings(time_limit=10, workers=2)


def vm(name, vcpu=1, memory_gb=1, group=None, scope="host", storage=10):
    return Item(name=name, vcpu=vcpu, memory_mb=memory_gb * 1024, storage_gb=storage, group=group, scope=scope)


def problem(items, k=0, racks=1, rack_tolerance=False, host=HOST, max_hosts=8):
    return ClusterProblem(cluster="C1", items=tuple(items), host=host, k=k, racks=racks,
                          rack_tolerance=rack_tolerance, max_hosts=max_hosts)


def as_design(p: ClusterProblem, placement) -> dict:
    """The placement as a design.json, for the solver-agnostic validator."""
    names = [f"C1-H{h + 1:02d}" for h in range(placement.n)]
    local = p.host.storage_gb is not None
    host = {"cluster": "C1", "model": "h", "vcpu_capacity": p.host.vcpu,
            "memory_gb": p.host.memory_gb, "usable_memory_gb": p.host.memory_mb / 1024}
    groups = {it.group: it.scope for it in p.items if it.group}
    return {
        "format": "stampplan.design/1",
        "stamps": [{"name": "S1", "vmm_vms": []}],
        "clusters": [{"name": "C1", "stamp": "S1", "purpose": "management", "failures_tolerated": p.k,
                      "fault_domain_tolerance": p.rack_tolerance, "shared_storage_gb": 10 ** 6}],
        "hosts": [{**host, "name": n, "fault_domain": f"rack{p.rack_of(h) + 1}",
                   **({"usable_storage_gb": p.host.storage_gb} if local else {})} for h, n in enumerate(names)],
        "anti_affinity_groups": [{"name": g, "scope": s} for g, s in groups.items()],
        "vms": [{"name": it.name, "role": "vmm", "host": names[placement.host_of[it.name]], "vcpu": it.vcpu,
                 "memory_gb": it.memory_mb / 1024, "storage_gb": it.storage_gb,
                 "anti_affinity_group": it.group} for it in p.items],
        "failover_plans": [{"cluster": "C1", "failed": [names[h] for h in failed],
                            "restarts": {v: names[h] for v, h in plan.items()}}
                           for failed, plan in placement.restarts.items()],
    }


def solve(p: ClusterProblem):
    hint = smallest_placement(p, host_lower_bound(p)[0])
    result = solve_exact(p, p.max_hosts, hint, SETTINGS)
    assert result.status == "optimal"
    verdict = validate_design(as_design(p, result.placement))
    assert verdict.sound, verdict.violations
    return result.placement


def test_capacity_vcpu():
    """Three 10-vCPU VMs on 16-vCPU hosts: no two share a host."""
    assert solve(problem([vm(f"v{i}", vcpu=10) for i in range(3)])).n == 3


def test_capacity_memory_never_overcommitted():
    """Memory is never over-committed: 40 GB VMs on 64 GB hosts need one host each."""
    assert solve(problem([vm(f"v{i}", memory_gb=40) for i in range(3)])).n == 3


def test_capacity_local_storage_per_host():
    """With host-local disks, storage is counted per host."""
    local = HostType(model="h", price=1, vcpu=16, memory_mb=65536, storage_gb=100, max_vms=1024, memory_gb=72)
    assert solve(problem([vm(f"v{i}", storage=60) for i in range(3)], host=local)).n == 3


def test_anti_affinity_host_scope():
    """Tiny VMs of one HA group still need one host each."""
    placement = solve(problem([vm(f"v{i}", group="g") for i in range(3)]))
    assert placement.n == 3 and len(set(placement.host_of.values())) == 3


def test_anti_affinity_fault_domain_scope():
    """A fault-domain group of two on two racks lands in different racks."""
    p = problem([vm("a", group="g", scope="fault_domain"), vm("b", group="g", scope="fault_domain")], racks=2)
    placement = solve(p)
    assert p.rack_of(placement.host_of["a"]) != p.rack_of(placement.host_of["b"])


def test_failover_n_plus_1():
    """Three 6-vCPU VMs: two hosts hold them (12 + 6), but surviving a failure needs three."""
    items = [vm(f"v{i}", vcpu=6) for i in range(3)]
    assert solve(problem(items, k=0)).n == 2
    placement = solve(problem(items, k=1))
    assert placement.n == 3 and len(placement.restarts) == 3


def test_failover_n_plus_2():
    """With k=2 every pair of hosts may fail: six 4-vCPU VMs need four 16-vCPU hosts (volume 2 + 2)."""
    placement = solve(problem([vm(f"v{i}", vcpu=4) for i in range(6)], k=2))
    assert placement.n == 4 and len(placement.restarts) == 6


def test_rack_loss():
    """Surviving a whole rack (of two) means either rack alone carries every VM."""
    items = [vm(f"v{i}", vcpu=8) for i in range(4)]
    plain = solve(problem(items, racks=2))
    rack = solve(problem(items, racks=2, rack_tolerance=True))
    assert plain.n == 2 and rack.n == 4


def test_symmetry_breaking_buys_slots_in_order():
    placement = solve(problem([vm(f"v{i}", vcpu=10) for i in range(3)]))
    assert sorted(set(placement.host_of.values())) == [0, 1, 2]


@pytest.mark.parametrize("k", [0, 1, 2])
def test_lower_bound_never_above_optimum(k):
    p = problem([vm(f"v{i}", vcpu=3 + i % 4, memory_gb=4 + i) for i in range(9)], k=k)
    assert host_lower_bound(p)[0] <= solve(p).n


def test_heuristic_placement_is_sound():
    p = problem([vm(f"v{i}", vcpu=1 + i % 3, group=f"g{i % 4}") for i in range(20)], k=1)
    placement = smallest_placement(p, host_lower_bound(p)[0])
    assert placement is not None
    assert validate_design(as_design(p, placement)).sound


def _tight_cluster(max_hosts):
    from planner.model.design import Cluster

    host = HostType(model="h", price=1000, vcpu=10, memory_mb=1 << 20, storage_gb=None, max_vms=1024, memory_gb=1)
    cluster = Cluster(name="C1", stamp="S1", purpose="management", failures_tolerated=0,
                      fault_domain_tolerance=False, vcpu_per_core=1)
    return cluster, [problem([vm(f"v{i}", vcpu=c) for i, c in enumerate([5, 5, 4, 3, 3])], host=host,
                             max_hosts=max_hosts)]


def test_time_limit_keeps_the_best_design_marked_not_proven():
    """Worst-fit needs 3 hosts where 2 suffice; with no time to search, the design is kept as feasible."""
    from planner.solve.cluster import solve_cluster

    cluster, candidates = _tight_cluster(3)
    outcome = solve_cluster(cluster, candidates, SolverSettings(time_limit=1e-9, workers=1), lambda _: None)
    assert outcome.report.status == "feasible" and outcome.report.hosts == 3 and outcome.report.gap > 0
    proven = solve_cluster(cluster, candidates, SolverSettings(time_limit=10, workers=1), lambda _: None)
    assert proven.report.status == "optimal" and proven.report.hosts == 2


def test_time_limit_with_no_design_found_is_exit_4():
    from planner.errors import TimeLimitReached
    from planner.solve.cluster import solve_cluster

    cluster, candidates = _tight_cluster(2)
    with pytest.raises(TimeLimitReached) as err:
        solve_cluster(cluster, candidates, SolverSettings(time_limit=1e-9, workers=1), lambda _: None)
    assert err.value.exit_code == 4 and "--time-limit" in str(err.value)
