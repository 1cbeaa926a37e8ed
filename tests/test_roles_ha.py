"""Issue 14, roles, sizes and HA: gateways, web farms, SQL, and the solver-free proof of the new limits."""
from __future__ import annotations

from collections import Counter

import pytest

from planner.catalog import load_catalog
from planner.errors import Infeasible
from planner.plan import check_host_rules
from planner.sizing import size_design
from planner.validate import validate_design
from tests.helpers import requirements


def _roles(sizing) -> Counter:
    return Counter(vm.role for vm in sizing.vms)


def test_gateway_pairs_from_vm_networks_per_gateway_field():
    assert load_catalog().limit("hnv_vm_networks_per_gateway", "2016").value == 50
    req = requirements(**{"tenants.count": 120, "tenants.vms_per_tenant": 1, "tenants.vm_networks_per_gateway": 100})
    assert _roles(size_design(req, 1, [1]))["hnv-gateway"] == 4  # 120 VM networks / 100 per gateway: 2 pairs
    req = requirements(**{"tenants.count": 120, "tenants.vms_per_tenant": 1})
    assert _roles(size_design(req, 1, [1]))["hnv-gateway"] == 6  # the default 50: 3 pairs


def test_vm_networks_per_gateway_over_100_is_bad_input():
    with pytest.raises(ValueError, match="vm_networks_per_gateway"):
        requirements(**{"tenants.vm_networks_per_gateway": 101})


def test_no_authentication_sites_in_ha_and_tenant_api_per_4000_users():
    sizing = size_design(requirements(**{"wap.deployment": "ha", "wap.concurrent_tenant_users": 5000}), 1, [1])
    roles = _roles(sizing)
    assert not roles["wap-admin-auth"] and not roles["wap-tenant-auth"]
    assert not {lb.role for lb in sizing.load_balancers} & {"wap-admin-auth", "wap-tenant-auth"}
    assert roles["wap-tenant-api"] == 3  # needs 2 (5 000 / 4 000); 3 keep 2 after one host failure, 1 per host


def test_web_farm_spreads_instead_of_one_per_host():
    sizing = size_design(requirements(**{"wap.deployment": "ha", "wap.concurrent_tenant_users": 5400,
                                         "placement.tenant_facing_tier": "management"}), 1, [1])
    portals = [vm for vm in sizing.vms if vm.role == "wap-tenant-portal"]
    group = next(g for g in sizing.groups if g.name == portals[0].anti_affinity_group)
    needed = 9  # 5 400 users / 600 per portal
    assert group.max_per_host and group.max_per_host > 1 and len(portals) - group.max_per_host >= needed
    vmm = next(g for g in sizing.groups if g.name == "s01-vmm")
    assert vmm.max_per_host is None  # HA pairs keep strict anti-affinity


def test_sql_fci_by_default_ag_on_request_and_sized_by_stamp_vms():
    fci = size_design(requirements(**{"wap.deployment": "ha"}), 1, [1])
    assert {s.ha for s in fci.sql_instances} == {"failover-cluster-instance"}
    ag = size_design(requirements(**{"wap.deployment": "ha", "sql.ha_mode": "ag"}), 1, [1])
    assert {s.ha for s in ag.sql_instances} == {"availability-group"}
    small = {vm.vcpu for vm in fci.vms if vm.role == "sql"}
    big = size_design(requirements(**{"tenants.count": 1000, "tenants.vms_per_tenant": 8}), 1, [1])
    assert {vm.vcpu for vm in big.vms if vm.role == "sql"} > small or max(
        vm.vcpu for vm in big.vms if vm.role == "sql") > max(small)


def test_too_many_gateways_for_the_cluster_is_exit_3_naming_the_field():
    req = requirements(**{"tenants.count": 400, "tenants.vms_per_tenant": 1, "tenants.vm_networks_per_gateway": 10,
                          "hardware.max_hosts_per_cluster": 8})
    with pytest.raises(Infeasible) as err:
        check_host_rules(req, size_design(req, 1, [1]))
    assert err.value.exit_code == 3 and "tenants.vm_networks_per_gateway" in [c[0] for c in err.value.clashes]


def _design(vms, role_rules=(), groups=()):
    hosts = sorted({vm["host"] for vm in vms})
    return {"format": "stampplan.design/1", "stamps": [{"name": "S", "vmm_vms": []}],
            "clusters": [{"name": "C", "stamp": "S", "failures_tolerated": 0, "shared_storage_gb": 1000}],
            "hosts": [{"name": h, "cluster": "C", "fault_domain": "r1", "vcpu_capacity": 64, "usable_memory_gb": 256}
                      for h in hosts],
            "anti_affinity_groups": list(groups), "role_rules": list(role_rules), "failover_plans": [],
            "vms": [{"vcpu": 1, "memory_gb": 1, "storage_gb": 1, **vm} for vm in vms]}


def test_validator_checks_gateways_per_host_and_dedicated_hosts():
    gws = [{"name": f"GW{i}", "role": "hnv-gateway", "host": "H1"} for i in range(5)]
    rule = [{"role": "hnv-gateway", "max_per_host": 4, "dedicated": True}]
    assert {f.rule for f in validate_design(_design(gws, rule)).violations} == {"role-per-host"}
    mixed = gws[:2] + [{"name": "WEB", "role": "wap-tenant-portal", "host": "H1"}]
    assert {f.rule for f in validate_design(_design(mixed, rule)).violations} == {"dedicated-host"}
    assert validate_design(_design(gws[:4], rule)).sound


def test_validator_checks_spread_groups():
    vms = [{"name": f"P{i}", "role": "wap-tenant-portal", "host": "H1", "anti_affinity_group": "farm"}
           for i in range(3)]
    spread = [{"name": "farm", "scope": "host", "max_per_host": 3}]
    assert validate_design(_design(vms, groups=spread)).sound
    strict = [{"name": "farm", "scope": "host", "max_per_host": 2}]
    assert {f.rule for f in validate_design(_design(vms, groups=strict)).violations} == {"anti-affinity"}
