"""Stamps behind one WAP/SPF (issue 14): one SPF farm for up to five stamps, the stamp count from every
VMM scale limit, exit 3 beyond five stamps, and the validator's stamp rules."""
from __future__ import annotations

import json

import pytest

from helpers import requirements
from planner import validate_stamps
from planner.catalog import load_catalog
from planner.errors import Infeasible
from planner.plan import plan, precheck
from planner.render.checklist.decisions import decision_rows
from planner.render.checklist.steps import build_steps
from planner.validate import validate_design
from test_limits import HOSTS, plan_cli
from cpu_budget import cpu_budget

# 1 500 tenants with one small VM each: the VMs fit one VMM server, the user roles (1 000 per server) do not.
USER_ROLE_BOUND = {"tenants.count": 1500, "tenants.vms_per_tenant": 1, "tenants.vm_sizes": {"small": 100},
                   "tenants.networking": "vlan", "tenants.console_access": False}


@pytest.fixture(scope="module")
def two_stamps():
    return plan(requirements(**USER_ROLE_BOUND))


def test_six_stamps_of_tenant_vms_exit_3_naming_the_fields(tmp_path):
    proc, took = plan_cli(tmp_path, "name: x\ntenants: {count: 1000, vms_per_tenant: 150}\n" + HOSTS)
    assert proc.returncode == 3 and took < cpu_budget(10), proc.stderr
    assert "7 VMM stamps" in proc.stderr and "at most 5 stamps" in proc.stderr
    assert "tenants.count = 1000" in proc.stderr and "tenants.vms_per_tenant = 150" in proc.stderr
    assert "plan the tenants in two designs" in proc.stderr


@pytest.mark.parametrize("changes, field", [
    ({"tenants.count": 5001, "tenants.vms_per_tenant": 1}, "tenants.count"),  # 6 stamps of VMM user roles
    ({"tenants.count": 2000, "tenants.vms_per_tenant": 1, "tenants.vm_networks_per_tenant": 6},
     "tenants.vm_networks_per_tenant"),  # 12 000 VM networks: 6 stamps
])
def test_six_stamps_of_user_roles_or_vm_networks_are_infeasible(changes, field):
    with pytest.raises(Infeasible) as caught:
        precheck(requirements(**changes))
    assert "6 VMM stamps" in str(caught.value) and field in [f for f, _, _ in caught.value.clashes]


def test_five_stamps_are_the_most_one_spf_serves():
    figure = load_catalog().limit("max_stamps", "any")
    assert figure.value == 5 and "dn457793" in figure.source and not figure.assumption
    precheck(requirements(**{"tenants.count": 5000, "tenants.vms_per_tenant": 1}))  # 5 stamps: accepted


def test_1500_tenants_need_two_stamps_by_the_user_role_limit(two_stamps):
    assert [s.tenants for s in two_stamps.stamps] == [750, 750]
    text = " ".join(r["Justification"] for r in decision_rows(two_stamps) if r["Area"] == "Stamps")
    assert "driven by VMM tenant user roles: ⌈1,500 tenant user roles / 1,000 per VMM server⌉ = 2" in text


def test_one_spf_farm_and_one_registration_for_every_stamp(two_stamps):
    d = two_stamps
    spf = [vm for vm in d.vms if vm.role == "spf"]
    first = {c.name for c in d.clusters if c.stamp == "STAMP01"}
    assert spf and all(vm.cluster in first for vm in spf), "one SPF farm, in the first stamp"
    assert {s.spf for s in d.stamps} == {f"{spf[0].name}.{d.requirements['dns_domain']}"}
    assert [db.name for sql in d.sql_instances for db in sql.databases].count("SCSPFDB") == 1
    steps = build_steps(d)
    assert [s.id for s in steps if s.task == "spf-install"] == ["spf-install/STAMP01"]
    assert [s.id for s in steps if s.task == "spf-register"] == ["spf-register"]
    assert [s.id for s in steps if s.task == "spf-add-stamp"] == ["spf-add-stamp/STAMP01", "spf-add-stamp/STAMP02"]
    added = [s for s in steps if s.task == "spf-add-stamp"]
    assert all("spf-register" in s.depends_on for s in added)


def _crafted(design, stamps: int) -> dict:
    data = json.loads(design.to_json())
    extra = [dict(data["stamps"][-1], name=f"STAMP{i:02d}", vmm_vms=[]) for i in range(3, stamps + 1)]
    data["stamps"] += extra
    return data


def test_validator_rejects_six_stamps_on_one_spf(two_stamps):
    assert not [f for f in validate_design(_crafted(two_stamps, 5)).violations if f.rule == "spf-stamps"]
    found = [f for f in validate_design(_crafted(two_stamps, 6)).violations if f.rule == "spf-stamps"]
    assert len(found) == 1 and "6 stamps" in found[0].message and found[0].subject == two_stamps.stamps[0].spf


def test_validator_checks_each_stamp_against_the_vmm_limits(two_stamps):
    data = json.loads(two_stamps.to_json())
    data["stamps"][0].update(tenants=1001, vm_networks=2001)
    found = {f.message for f in validate_design(data).violations if f.rule == "stamp-limits"}
    assert found == {"1,001 tenants (VMM user roles) > 1,000, the most one VMM server manages",
                     "2,001 VM networks > 2,000, the most one VMM server manages"}


@pytest.mark.parametrize("constant, key", [("VMM_MAX_VMS", "vmm_max_vms"), ("VMM_MAX_HOSTS", "vmm_max_hosts"),
                                           ("VMM_MAX_USER_ROLES", "vmm_max_user_roles"),
                                           ("VMM_MAX_VM_NETWORKS", "vmm_max_vm_networks")])
def test_validator_limits_are_the_catalogs(constant, key):
    for version in ("2012 R2", "2016", "2019"):
        assert getattr(validate_stamps, constant) == load_catalog().limit(key, version).value
    assert validate_stamps.SPF_MAX_STAMPS == load_catalog().limit("max_stamps", "any").value
    assert validate_stamps.STAMP_MANAGEMENT_VMS == load_catalog().limit("stamp_management_vms", "any").value


# ---- issue 14 limits in the solver-free validator too ----

def _tiny(hosts: int, vms_per_host: int, role: str = "tenant", vcpu: int = 1, version: str = "2016") -> dict:
    names = [f"C-H{i}" for i in range(hosts)]
    return {"format": "stampplan.design/1", "system_center": version, "stamps": [{"name": "S", "vmm_vms": []}],
            "clusters": [{"name": "C", "stamp": "S", "failures_tolerated": 0, "shared_storage_gb": 10 ** 9}],
            "hosts": [{"name": h, "cluster": "C", "fault_domain": "r1", "vcpu_capacity": 10 ** 6,
                       "usable_memory_gb": 10 ** 6} for h in names],
            "vms": [{"name": f"V{i}-{j}", "host": h, "role": role, "vcpu": vcpu, "memory_gb": 1, "storage_gb": 1}
                    for i, h in enumerate(names) for j in range(vms_per_host)]}


@pytest.mark.parametrize("hosts, per_host, bad", [(64, 125, False), (65, 1, True), (10, 801, True)])
def test_validator_checks_the_hyper_v_cluster_maxima(hosts, per_host, bad):
    from planner.validate import validate_design

    rules = {f.rule for f in validate_design(_tiny(hosts, per_host)).violations}
    assert rules == ({"cluster-limits"} if bad else set())


@pytest.mark.parametrize("version, vcpu, bad", [("2016", 4, True), ("2019", 8, False), ("2012 R2", 4, False)])
def test_validator_checks_the_vmm_minimum_cores(version, vcpu, bad):
    from planner.validate import validate_design

    rules = {f.rule for f in validate_design(_tiny(1, 1, role="vmm", vcpu=vcpu, version=version)).violations}
    assert rules == ({"vmm-cores"} if bad else set())


def test_a_vmm_override_below_the_minimum_cores_is_exit_3_naming_the_field():
    from helpers import requirements
    from planner.errors import Infeasible
    from planner.plan import check_vm_limits
    from planner.sizing import size_design

    req = requirements(**{"system_center": "2016", "overrides": {"vmm": {"vcpu": 4}}})
    with pytest.raises(Infeasible) as err:
        check_vm_limits(req, size_design(req, 1, [1]))
    assert err.value.exit_code == 3 and [c[:2] for c in err.value.clashes][0] == ("overrides.vmm.vcpu", 4)


def test_validator_cluster_and_vmm_constants_match_the_catalog():
    catalog = load_catalog()
    assert validate_stamps.CLUSTER_MAX_HOSTS == catalog.limit("cluster_max_nodes", "2019").value
    assert validate_stamps.CLUSTER_MAX_VMS == catalog.limit("cluster_max_vms", "2019").value
    assert validate_stamps.VMM_MIN_CORES == {v: catalog.limit("vmm_min_cores", v).value for v in ("2016", "2019")}
