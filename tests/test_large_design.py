"""The largest plans outside the solver and the renderers' own drawing (issue 18, session 6): what several
artifacts derive from one design is computed once while it is rendered (model/memo.py), never served stale nor
kept after. Times are CPU seconds."""
from __future__ import annotations

import gc
import math
import time

import pytest

import planner.model.memo as memo
from planner.ipplan import endpoints, guest_clusters, ip_plan
from planner.model.design import Design, Vm
from planner.model.memo import held, per_design
from planner.render import checklist

from conftest import ROOT
from cpu_budget import cpu_budget


def _design(name: str) -> Design:
    return Design.model_validate_json((ROOT / "outputs" / name / "design.json").read_text(encoding="utf-8"))


def _counting():
    calls = []

    @per_design
    def derived(design):
        calls.append(design)
        return [len(calls)]

    return derived, calls


def test_per_design_computes_once_only_while_the_design_is_held():
    derived, calls = _counting()
    design = _design("small")
    assert derived(design) == [1] and derived(design) == [2]  # not held: every time
    with held(design):
        first = derived(design)
        assert derived(design) is first and len(calls) == 3
        copy = design.model_copy()  # equal, another object: its own result
        assert copy == design and derived(copy) is not first and len(calls) == 4
    assert derived(design) is not first and len(calls) == 5  # dropped with the scope
    assert not memo._held


def test_per_design_scopes_nest_and_results_end_with_the_outermost():
    derived, calls = _counting()
    design = _design("small")
    with held(design):
        first = derived(design)
        with held(design):
            assert derived(design) is first
        assert derived(design) is first and len(calls) == 1
    assert not memo._held


def test_a_result_never_serves_a_new_object_at_a_reused_address():
    derived, calls = _counting()
    design = _design("small")
    with held(design):
        derived(design)
    del design
    gc.collect()
    for _ in range(20):  # new objects, some at the old address: none held, each computed
        other = _design("small")
        derived(other)
        del other
    assert len(calls) == 21


def test_an_error_is_not_kept():
    calls = []

    @per_design
    def fails(design):
        calls.append(1)
        raise ValueError("no")

    design = _design("small")
    with held(design):
        for _ in range(2):
            try:
                fails(design)
            except ValueError:
                pass
    assert len(calls) == 2


def test_ip_plan_and_guest_clusters_once_per_held_design():
    design = _design("medium")
    with held(design):
        assert ip_plan(design) is ip_plan(design)
        assert endpoints(design) is endpoints(design) and guest_clusters(design) is guest_clusters(design)
    assert ip_plan(design) is not ip_plan(design) and ip_plan(design) == ip_plan(design)


def test_checklist_of_30_000_vms_scans_them_a_few_times(monkeypatch):
    design = _design("multi-stamp")
    tests = []
    real = Vm.is_tenant.fget
    monkeypatch.setattr(Vm, "is_tenant", property(lambda vm: tests.append(1) or real(vm)))
    start = time.process_time()
    files = checklist.artifacts(design)
    seconds = time.process_time() - start
    assert set(files) == {"checklist.md", "checklist.csv", "decisions.md"}
    assert len(tests) <= 6 * len(design.vms)  # was 21 scans of every VM (the IP plan and the VMs per step)
    assert seconds < cpu_budget(3.0), f"{seconds:.2f} CPU s"  # 0.3 here (was 0.9)


# ---- the plan: tenant units partitioned before their VMs are built ---------------------------------------------
def _with_vm_roles():
    from helpers import requirements

    return requirements(**{"tenants.count": 7, "tenants.vms_per_tenant": 5,
                           "tenants.vm_roles": [{"name": "web", "size": "small", "instances": 3, "deployments": 4}]})


def test_units_sizing_holds_the_demands_of_the_tenant_vms_without_building_them():
    from planner.sizing import MB_PER_GB, size_design
    from planner.solve.partition import partition

    req = _with_vm_roles()
    full, units = size_design(req, 2, [1, 1]), size_design(req, 2, [1, 1], tenant_vms=False)
    assert not [vm for vm in units.vms if vm.is_tenant]
    assert [vm.name for vm in units.vms] == [vm.name for vm in full.vms if not vm.is_tenant]
    assert units.clusters == full.clusters and units.demands == full.demands
    stamp_of = {c.name: c.stamp for c in full.clusters}
    for stamp, demands in units.demands.items():
        vms = [vm for vm in full.vms if vm.is_tenant and stamp_of[vm.cluster] == stamp]
        assert [sum(d[r] for d in demands) for r in range(4)] == [
            sum(vm.vcpu for vm in vms), sum(round(vm.memory_gb * MB_PER_GB) for vm in vms),
            sum(math.ceil(vm.storage_gb) for vm in vms), len(vms)]
        assert len(demands) == len({vm.anti_affinity_group or vm.name for vm in vms})  # a deployment: one unit
    assert partition(req, units) == partition(req, full)


def test_a_tenant_vm_over_the_hyperv_maximum_is_named_before_other_checks():
    from helpers import requirements
    from planner.errors import Infeasible
    from planner.plan import plan

    req = requirements(**{"system_center": "2012 R2",  # at most 64 vCPU per VM
                          "custom_vm_sizes": {"huge": {"vcpu": 100, "memory_gb": 64, "storage_gb": 100}},
                          "tenants.vm_sizes": {"small": 50, "huge": 50}, "hardware.max_hosts_per_cluster": 2})
    with pytest.raises(Infeasible) as err:
        plan(req)
    assert "VM T0001-VM01 (100 vCPU" in str(err.value) or "VM T0001-VM02 (100 vCPU" in str(err.value)
    assert [c[0] for c in err.value.clashes][0] == "custom_vm_sizes"


def test_sizing_30_000_tenant_units_builds_no_tenant_vm(monkeypatch):
    import planner.sizing as sizing_module
    from planner.model.load import load_requirements

    req = load_requirements(ROOT / "profiles" / "multi-stamp.yaml")
    built, real = [], sizing_module.Vm
    monkeypatch.setattr(sizing_module, "Vm", lambda **fields: built.append(1) or real(**fields))
    for stamps in (3, 4, 5):  # the plan's partition and the whole-design bound's other stamp counts
        built.clear()
        sizing = sizing_module.size_design(req, stamps, [1] * stamps, tenant_vms=False)
        assert sum(map(len, sizing.demands.values())) == 30_000
        assert len(built) == len(sizing.vms) < 500 and not any(vm.is_tenant for vm in sizing.vms)  # no tenant VM


def test_fewer_collections_restores_the_thresholds():
    from planner.settings import GC_THRESHOLDS, fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_threshold() == before
    with pytest.raises(ValueError), fewer_collections():
        raise ValueError
    assert gc.get_threshold() == before
