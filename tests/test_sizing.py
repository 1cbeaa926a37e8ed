"""One test per sizing rule of planner/sizing.py: small requirements, the figures the catalog dictates."""
from __future__ import annotations

import math
from collections import Counter

import pytest

from planner.catalog import load_catalog
from planner.model.design import Cluster
from planner.sizing import cluster_roles, host_capacity, size_design
from planner.tenant_units import size_sequence
from tests.helpers import requirements

CATALOG = load_catalog()


def limit(key: str) -> int:
    return CATALOG.limit(key, "2016").value


def roles(sizing, stamp_prefix: str = "") -> Counter:
    return Counter(vm.role for vm in sizing.vms if vm.role != "tenant" and vm.name.startswith(stamp_prefix))


@pytest.mark.parametrize("mode", ["express", "distributed", "ha"])
def test_role_counts_follow_the_deployment_mode(mode):
    req = requirements(**{"wap.deployment": mode})
    sizing = size_design(req, 1, [1])
    expected = {name: spec.instances[mode] for name, spec in CATALOG.roles.items()
                if spec.instances[mode] and spec.present(req) and not spec.pairs_by and not spec.scale_by}
    counted = roles(sizing)
    assert {name: counted[name] for name in expected} == expected


def test_role_vcpu_tier_follows_the_stamp_vm_count():
    tiers = CATALOG.roles["vmm"].size.tiers
    for vms, tier in [(40, tiers[0]), (tiers[0].max_vms + 1, tiers[1])]:
        sizing = size_design(requirements(**{"tenants.count": vms, "tenants.vms_per_tenant": 1}), 1, [1])
        assert {vm.vcpu for vm in sizing.vms if vm.role == "vmm"} == {tier.vcpu}


def test_scale_by_adds_instances_per_concurrent_users():
    per = limit("wap_tenant_users_per_tenant_api")
    sizing = size_design(requirements(**{"wap.concurrent_tenant_users": 3 * per + 1}), 1, [1])
    assert roles(sizing)["wap-tenant-api"] == 4


def test_gateway_pairs_by_tenants_per_stamp():
    per = limit("hnv_vm_networks_per_gateway")
    sizing = size_design(requirements(**{"tenants.count": per + 1, "tenants.vms_per_tenant": 1}), 1, [1])
    gateways = [vm for vm in sizing.vms if vm.role == "hnv-gateway"]
    assert len(gateways) == 4 and len({vm.anti_affinity_group for vm in gateways}) == 2
    assert {vm.cluster for vm in gateways} == {"EDGE01"}


def test_roles_that_require_a_feature_are_left_out_without_it():
    sizing = size_design(requirements(**{"tenants.console_access": False, "tenants.networking": "vlan",
                                         "placement.tenant_facing_tier": "management"}), 1, [1])
    assert not roles(sizing)["rdgw"] and not roles(sizing)["hnv-gateway"]
    assert "EDGE01" not in {c.name for c in sizing.clusters}


def test_override_sets_instances():
    sizing = size_design(requirements(**{"overrides": {"sma": {"instances": 5}}}), 1, [1])
    assert roles(sizing)["sma"] == 5


def test_stamp_split_global_roles_once_tenants_evenly():
    sizing = size_design(requirements(**{"tenants.count": 10}), 2, [1, 1])
    assert [s.tenants for s in sizing.stamps] == [5, 5]
    first, second = roles(sizing, ""), roles(sizing, "S02")
    assert second["vmm"] == 1 and second["wap-admin-api"] == 0 and first["wap-admin-api"] == 1
    assert {c.name for c in sizing.clusters if c.stamp == "STAMP02"} >= {"MGMT02", "COMP02"}


def test_compute_cluster_split_deals_tenants_over_the_clusters():
    sizing = size_design(requirements(**{"tenants.count": 6, "tenants.vms_per_tenant": 2}), 1, [3])
    tenant_vms = Counter(vm.cluster for vm in sizing.vms if vm.role == "tenant")
    assert tenant_vms == {"COMP01": 4, "COMP02": 4, "COMP03": 4}


def test_sql_instance_holds_the_databases_of_the_roles_present():
    sizing = size_design(requirements(**{"wap.deployment": "ha"}), 1, [1])
    sql, sma = sizing.sql_instances
    assert sql.ha == "failover-cluster-instance" and len(sql.nodes) == CATALOG.roles["sql"].instances["ha"]
    names = {d.name for d in sql.databases}
    assert {"VirtualManagerDB", "SCSPFDB"} <= names and "Microsoft.MgmtSvc.Config" in names
    assert [d.name for d in sma.databases] == ["SMA"] and sma.nodes == sql.nodes  # SMA: an instance of its own
    express = size_design(requirements(**{"wap.deployment": "express"}), 1, [1]).sql_instances[0]
    assert express.ha == "standalone" and express.listener is None


def test_load_balancers_for_load_balanced_roles_of_two_or_more():
    sizing = size_design(requirements(**{"wap.deployment": "ha"}), 1, [1])
    balanced = {lb.role: lb for lb in sizing.load_balancers}
    assert balanced["spf"].members == ["SPF01", "SPF02"] and balanced["spf"].vip_fqdn.startswith("spf.")
    assert set(balanced) == {name for name, spec in CATALOG.roles.items()
                             if spec.load_balanced and roles(sizing)[name] >= 2}


def test_anti_affinity_scope_is_fault_domain_when_the_racks_can_hold_it():
    sizing = size_design(requirements(**{"wap.deployment": "ha", "availability.racks": 2}), 1, [1])
    scopes = {g.name: g.scope for g in sizing.groups}
    assert scopes["s01-spf"] == "fault_domain" and scopes["s01-sma"] == "host"  # 2 SPF on 2 racks; 3 SMA


def test_tenant_size_mix_is_exact_and_interleaved():
    assert size_sequence({"small": 60, "medium": 40}, 5) == ["small", "medium", "small", "medium", "small"]


def test_host_capacity_ratio_and_reserve():
    req = requirements(**{"hardware.host_reserve": {"memory_gb": 8, "memory_percent": 0}})
    model = req.hardware.host_models[0]
    cluster = Cluster(name="C", stamp="S", purpose="compute", failures_tolerated=1, fault_domain_tolerance=False,
                      vcpu_per_core=4)
    vcpu, memory_mb, storage = host_capacity(model, cluster, req)
    assert vcpu == 2 * 8 * 4 and memory_mb == (256 - 8) * 1024 and storage is None
    assert math.floor(memory_mb / 256) * 256 == memory_mb


def test_cluster_roles_follow_the_tenant_facing_tier():
    edge = requirements(**{"placement.tenant_facing_tier": "edge"})
    assert "wap-tenant-portal" in cluster_roles(edge, "edge") and "rdgw" not in cluster_roles(edge, "management")
    mgmt = requirements(**{"placement.tenant_facing_tier": "management"})
    assert "rdgw" in cluster_roles(mgmt, "management") and cluster_roles(mgmt, "edge") == {"hnv-gateway"}
    assert cluster_roles(mgmt, "compute") == {"tenant", "tenant-vmrole"}


def test_tenant_size_mix_follows_each_sizes_share_of_the_first_j():
    """The sequence as first written: at each position the size furthest behind its share (the first on a tie)."""
    import math
    import random

    def reference(mix, total):
        names = sorted(mix)
        exact = {n: mix[n] * total / 100 for n in names}
        counts = {n: math.floor(exact[n]) for n in names}
        for n in sorted(names, key=lambda n: (-(exact[n] - counts[n]), n))[: total - sum(counts.values())]:
            counts[n] += 1
        out, given = [], dict.fromkeys(names, 0)
        for j in range(total):
            n = max(names, key=lambda n: (counts[n] * (j + 1) / total - given[n], -names.index(n)))
            given[n] += 1
            out.append(n)
        return out

    rnd = random.Random(7)
    mixes = [({"a": 100 / 3, "b": 100 / 3, "c": 100 / 3}, 999), ({"extra-small": 30, "small": 50, "medium": 20}, 3000)]
    for _ in range(60):
        weights = [rnd.randint(0, 9) for _ in range(rnd.randint(1, 5))]
        if sum(weights):
            mixes.append(({f"s{i}": 100 * w / sum(weights) for i, w in enumerate(weights)}, rnd.randint(0, 400)))
    for mix, total in mixes:
        assert size_sequence(mix, total) == reference(mix, total), (mix, total)
