"""The compute partition (planner/solve/partition.py): clusters per tier, tenants split, split-free bound."""
from __future__ import annotations

import math
from collections import Counter

import pytest

from helpers import requirements
from planner.cost import unit_cost
from planner.errors import Infeasible
from planner.plan import precheck
from planner.sizing import host_capacity, size_design
from planner.solve.partition import partition, tiers


def _partitioned(req, stamps: int = 1):
    first = size_design(req, stamps, [1] * stamps)
    parts = partition(req, first)
    return first, parts, size_design(req, stamps, [p.plans for p in parts])


def test_three_tenants_of_5000_vms_split_so_no_cluster_passes_8000():
    req = requirements(**{"tenants.count": 3, "tenants.vms_per_tenant": 5000, "tenants.vm_sizes": {"small": 100},
                          "hardware.host_models": [{"name": "big", "sockets": 4, "cores_per_socket": 32,
                                                    "memory_gb": 4096, "price": 10000}]})
    _, parts, sizing = _partitioned(req)
    per_cluster = Counter(vm.cluster for vm in sizing.vms if vm.is_tenant)
    assert len(per_cluster) >= 2 and max(per_cluster.values()) <= 8000
    assert sum(per_cluster.values()) == 15000
    split = {vm.tenant for vm in sizing.vms if vm.is_tenant and vm.cluster == "COMP01"} & \
        {vm.tenant for vm in sizing.vms if vm.is_tenant and vm.cluster == "COMP02"}
    assert split  # a tenant spans two clusters of its stamp's cloud


def test_one_tenant_larger_than_a_cluster_spreads_over_clusters():
    req = requirements(**{"tenants.count": 1, "tenants.vms_per_tenant": 400, "hardware.max_hosts_per_cluster": 4})
    _, parts, sizing = _partitioned(req)
    clusters = {vm.cluster for vm in sizing.vms if vm.tenant == "T0001"}
    assert len(clusters) == len(parts[0].plans) >= 2


def test_a_tenant_larger_than_a_stamp_is_exit_3_naming_vms_per_tenant():
    req = requirements(**{"tenants.count": 1, "tenants.vms_per_tenant": 30000})
    with pytest.raises(Infeasible) as err:
        precheck(req)
    assert "tenants.vms_per_tenant" in [c[0] for c in err.value.clashes]


def test_clusters_above_16_hosts_tolerate_two_failures():
    req = requirements(**{"tenants.count": 400, "tenants.vms_per_tenant": 10})
    assert [(t.max_hosts, t.k) for t in tiers(req)] == [(16, 1), (64, 2)]
    _, parts, sizing = _partitioned(req)
    for plan in parts[0].plans:
        assert plan.host_failures >= (2 if plan.max_hosts > 16 else 1)
    assert {c.failures_tolerated for c in sizing.clusters if c.purpose == "compute"} <= {1, 2}
    assert tiers(requirements(**{"availability.compute.host_failures": 0})) == tiers(
        requirements(**{"availability.compute.host_failures": 0}))[:1]  # no HA asked: one tier


def test_split_free_bound_is_volume_plus_the_fewest_spares():
    req = requirements(**{"tenants.count": 400, "tenants.vms_per_tenant": 10, "tenants.vm_sizes": {"small": 100}})
    first, parts, _ = _partitioned(req)
    cluster = next(c for c in first.clusters if c.purpose == "compute")
    model = req.hardware.host_models[0]
    vcpu, memory_mb, _ = host_capacity(model, cluster, req)
    tenant = [vm for vm in first.vms if vm.is_tenant]
    volume = max(-(-sum(vm.vcpu for vm in tenant) // vcpu),
                 -(-sum(round(vm.memory_gb * 1024) for vm in tenant) // memory_mb))
    assert volume == 63  # the fewest spares: one N+2 cluster of 64 (62 usable) and one N+1 cluster of 16
    assert parts[0].bound_cost == (volume + 2 + 1) * unit_cost(model, req)  # priced by term cost (planner/cost.py)
    assert str(volume) in parts[0].reason


def test_every_cluster_keeps_its_restart_plans_within_max_restarts():
    """An N+2 cluster of 8 000 VMs on 40 hosts would restart 312 000 VMs over its plans (exit 2 before)."""
    from planner.solve.problem import MAX_RESTARTS

    req = requirements(**{"tenants.count": 1000, "tenants.vms_per_tenant": 10, "tenants.vm_sizes": {"small": 100},
                          "hardware.host_models": [{"name": "big", "sockets": 2, "cores_per_socket": 32,
                                                    "memory_gb": 1024, "price": 40000}]})
    _, _, sizing = _partitioned(req)
    compute = [c for c in sizing.clusters if c.purpose == "compute"]
    large = tiers(req)[-1]
    assert large.k == 2 and large.max_vms * math.comb(large.max_hosts - 1, 1) <= MAX_RESTARTS
    for c in compute:
        plan = sizing.compute_plans[c.name]
        restarts = len(sizing.vms_of(c.name)) * math.comb(plan.max_hosts - 1, c.failures_tolerated - 1)
        assert restarts <= MAX_RESTARTS, (c.name, restarts)


def _linear_cut(units, caps, ts, counts, model):
    """The cut as first written: each cluster takes the next units one at a time while they fit its volume."""
    from planner.sizing import ComputePlan
    from planner.solve.partition import FILL_SLACK

    order = [t for t, n in reversed(list(zip(ts, counts))) for _ in range(n)]
    volume = max((sum(u[r] for u in units) / c for r, c in enumerate(caps) if c), default=0.0)
    room = max(0.0, sum(t.usable for t in order) - volume) / len(order)
    plans, start = [], 0
    for i, tier in enumerate(order):
        slack, end = min(FILL_SLACK, room), start
        if i == len(order) - 1:
            end = len(units)
        else:
            used = [0] * 4
            while end < len(units):
                nxt = [x + d for x, d in zip(used, units[end])]
                if nxt[3] > tier.max_vms or any(c and n / c > tier.usable - slack for n, c in zip(nxt, caps)):
                    break
                used, end = nxt, end + 1
        plans.append(ComputePlan(end - start, tier.k, tier.max_hosts, model))
        start = end
    return plans


@pytest.mark.parametrize("seed", range(20))
def test_the_cut_by_prefix_sums_is_the_unit_by_unit_cut(seed):
    """multi-stamp's 10 000 units a stamp were cut one at a time (0.1 s a cut); the prefix sums cut the same."""
    import random

    from planner.solve.partition import Tier, _cut

    rnd = random.Random(seed)
    units = [rnd.choice([(1, 2048, 40, 1), (2, 4096, 80, 1), (4, 8192, 120, 1), (12, 24576, 360, 3), (0, 0, 0, 1)])
             for _ in range(rnd.randint(0, 400))]
    caps = (rnd.choice([64, 128]), rnd.choice([256, 512]) * 1024, rnd.choice([None, 4000]), rnd.choice([64, 1024]))
    ts = [Tier(16, 1, rnd.randint(1, 15), rnd.randint(20, 300)), Tier(32, 2, rnd.randint(1, 30), rnd.randint(20, 300))]
    counts = (rnd.randint(0, 3), rnd.randint(0, 3) or 1)
    assert _cut(units, caps, ts, counts, "m") == _linear_cut(units, caps, ts, counts, "m")
