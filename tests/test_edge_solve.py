"""Edge clusters with per-host rules (at most 4 gateways per host, gateway hosts dedicated, spread web farms):
the fast engines honour them, the lower bound counts the dedicated hosts, and the host count is proven."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest

from planner.model.design import Cluster
from planner.settings import SolverSettings
from planner.solve import backup, rules, tenant
from planner.solve.bounds import host_lower_bound
from planner.solve.cluster import solve_cluster
from planner.solve.problem import ClusterProblem, HostType, Item
from cpu_budget import cpu_budget

HOST = HostType(model="h", price=1000, vcpu=32, memory_mb=381184, storage_gb=None, max_vms=1024, memory_gb=384)


def edge(gateways: int, k: int, portals: int = 8, racks: int = 4) -> ClusterProblem:
    """Service-provider's EDGE01 shape: gateway pairs (8 vCPU, pairs across racks), a spread portal farm
    (3 per host) and two pairs of small VMs."""
    items = [Item(f"gw{i:02d}", 8, 8192, 60, f"pair{i // 2}", "fault_domain", "hnv-gateway") for i in range(gateways)]
    items += [Item(f"portal{i}", 2, 4096, 60, "portal", "host", "wap-tenant-portal", cap=3) for i in range(portals)]
    items += [Item(f"{r}{i}", 2, 4096, 60, r, "fault_domain", r) for r in ("api", "rdgw") for i in range(2)]
    return ClusterProblem(cluster="EDGE01", items=tuple(items), host=HOST, k=k, racks=racks, rack_tolerance=False,
                          max_hosts=24, role_caps=(("hnv-gateway", 4),), dedicated=frozenset({"hnv-gateway"}))


def _solve(p: ClusterProblem):
    cluster = Cluster(name=p.cluster, stamp="S1", purpose="edge", failures_tolerated=p.k,
                      fault_domain_tolerance=False, vcpu_per_core=2)
    return solve_cluster(cluster, [p], SolverSettings(), lambda _: None)


def test_fast_engines_honour_the_per_host_rules():
    p = edge(40, 1)
    assert not rules.declines(p, tenant.HONOURS) and backup.applies(p)
    assert tenant.count_model_applies(p)


def test_bound_counts_dedicated_hosts_and_the_rest():
    """40 gateways at most 4 a host need 10 hosts of their own; 8 portals at most 3 a host need 3 more; the role
    rules hold after a failure too, so the survivors of one failure need those 13: 14 hosts."""
    bound, reason = host_lower_bound(edge(40, 1))
    assert bound == 14 and "dedicated" in reason


@pytest.mark.parametrize("gateways, k, hosts", [(40, 1, 14), (40, 2, 15), (16, 2, 9)])
def test_edge_cluster_proven_optimal_fast(gateways, k, hosts):
    p = edge(gateways, k)
    start = time.perf_counter()
    out = _solve(p)
    assert time.perf_counter() - start < 5
    assert out.report.status == "optimal" and out.placement.n == hosts
    assert rules.sound(p, out.placement)


def test_spread_farm_shares_hosts_up_to_its_cap():
    """Nine portals at most 3 a host, N+1, 2-vCPU hosts of 8 vCPU: the count model needs no host per portal."""
    host = replace(HOST, vcpu=8)
    items = tuple(Item(f"p{i}", 2, 4096, 60, "farm", "host", "web", cap=3) for i in range(9))
    p = ClusterProblem(cluster="C1", items=items, host=host, k=1, racks=1, rack_tolerance=False, max_hosts=24)
    out = _solve(p)
    assert out.report.status == "optimal" and out.placement.n == 4 and rules.sound(p, out.placement)


@pytest.mark.parametrize("gateways, k, portals, hosts", [(40, 1, 8, 14), (16, 2, 8, 9), (20, 1, 9, 9)])
def test_count_model_keeps_the_role_rules_after_a_failure(gateways, k, portals, hosts):
    """The count model's restarts never put a 5th gateway on a host nor a gateway beside another role: its
    placement on the optimum is sound, and one host fewer is proven infeasible."""
    p = edge(gateways, k, portals)
    classes, plain, types = tenant._classes(p)
    status, placement, _ = tenant._solve_count(p, hosts, classes, plain, types, 10, 1, 1)
    assert status == "feasible" and rules.sound(p, placement)
    assert tenant._solve_count(p, hosts - 1, classes, plain, types, 10, 1, 1)[0] == "infeasible"


@pytest.mark.parametrize("gateways, portals, hosts", [(40, 8, 14), (16, 8, 8), (20, 9, 10)])
def test_backup_hosts_keep_the_role_rules_after_a_failure(gateways, portals, hosts):
    """N+1 greedy: a gateway's backup host runs only gateways (at most 4 after the restart), another VM's backup
    runs no gateway; an empty spare backs up both sides, one failure at a time."""
    p = edge(gateways, 1, portals)
    placement = backup.place_backup(p, hosts)
    assert placement is not None and rules.sound(p, placement)


def test_edge_cluster_past_its_bound_is_explained_in_seconds():
    """Issue 18: 56 gateways and a farm of 30 portals need 25 hosts (14 dedicated to the gateways + 10, each side
    able to lose one); within 24 the clash explanation re-solved for minutes. The bound names the clash at once and
    only its suggestions are re-solved: the host limit, the gateways, the portal farm, the host failures."""
    from planner.errors import Infeasible

    start = time.process_time()
    with pytest.raises(Infeasible) as err:
        _solve(edge(56, 1, portals=30))
    assert time.process_time() - start < cpu_budget(10)
    assert [c[0] for c in err.value.clashes] == ["hardware.max_hosts_per_cluster", "overrides.hnv-gateway.instances",
                                                 "overrides.portal.instances", "availability.edge.host_failures"]
    assert "at least 25 hosts" in err.value.clashes[0][2] and "dedicated to hnv-gateway" in err.value.clashes[0][2]
