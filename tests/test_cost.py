"""The term cost (planner/cost.py): the objective every engine minimises, its bound, and the validator's check."""
from __future__ import annotations

import json

import pytest

from planner.cost import host_cost, unit_cost
from planner.model.requirements import HostModel
from planner.plan import plan
from planner.validate import validate_design
from tests.helpers import requirements

FEW = {"name": "few", "sockets": 2, "cores_per_socket": 8, "memory_gb": 512, "price": 12000}
MANY = {"name": "many", "sockets": 2, "cores_per_socket": 32, "memory_gb": 1024, "price": 20000}
MEMORY_BOUND = {"hardware.host_models": [FEW, MANY], "custom_vm_sizes": {"fat": {"vcpu": 2, "memory_gb": 32,
                                                                                  "storage_gb": 40}},
                "tenants.vm_sizes": {"fat": "100%"}, "tenants.count": 20, "tenants.vms_per_tenant": 4}
FREE = {k: 0 for k in ("windows_datacenter_2core", "system_center_datacenter_2core", "sql_standard_2core",
                       "sql_enterprise_2core")}


def test_per_core_licences_count_16_cores_per_server_and_8_per_processor():
    req = requirements()
    small = HostModel(name="s", sockets=2, cores_per_socket=4, memory_gb=64, price=1000)
    cost = host_cost(small, req)
    assert cost["windows_server"] == pytest.approx(8 * 769.375)  # 16 cores licensed: 8 two-core packs
    assert cost["system_center"] == pytest.approx(8 * 450.875)
    big = HostModel(name="b", sockets=4, cores_per_socket=2, memory_gb=64, price=1000)  # 8 per processor: 32 cores
    assert host_cost(big, req)["windows_server"] == pytest.approx(16 * 769.375)


def test_spla_rent_power_and_rack_space_are_paid_every_month_of_the_term():
    model = HostModel(name="s", sockets=2, cores_per_socket=8, memory_gb=64, price=1000, power_watts=500,
                      rack_units=2)
    one = host_cost(model, requirements(**{"licensing.model": "spla", "cost.term_years": 1}))
    three = host_cost(model, requirements(**{"licensing.model": "spla", "cost.term_years": 3}))
    assert one["windows_server"] == pytest.approx(8 * 32 * 12)
    assert one["power"] == pytest.approx(0.5 * 8760 * 0.131)
    assert one["rack_space"] == pytest.approx(2 * 20 * 12)
    for key in ("windows_server", "system_center", "power", "rack_space"):
        assert three[key] == pytest.approx(3 * one[key])
    assert three["hardware"] == one["hardware"] == 1000


def test_per_core_licences_make_the_few_core_model_cheaper_than_the_many_core_one():
    hardware_only = plan(requirements(**MEMORY_BOUND, **{"licensing.prices": FREE}))
    total = plan(requirements(**MEMORY_BOUND))
    compute = lambda d: next(c.host_model for c in d.clusters if c.purpose == "compute")  # noqa: E731
    assert compute(hardware_only) == "many"
    assert compute(total) == "few"
    assert total.cost["total"] == pytest.approx(sum(total.cost[k] for k in (
        "hardware", "windows_server", "system_center", "sql_server", "software_assurance", "power", "rack_space")))
    assert total.solver.objective == total.cost["total"]


def test_sql_vm_licences_carry_software_assurance_when_their_vms_move():
    moving = plan(requirements())  # management N+1: SQL VMs fail over between hosts
    assert moving.cost["software_assurance"] > 0
    assert plan(requirements(**{"licensing.model": "spla"})).cost["software_assurance"] == 0


def test_the_validator_rejects_a_stated_cost_that_is_not_the_true_cost():
    design = json.loads(plan(requirements()).to_json())
    assert validate_design(design).sound
    cheaper = json.loads(json.dumps(design))
    cheaper["cost"]["total"] -= 1000
    cheaper["solver"]["objective"] -= 1000
    assert {f.subject for f in validate_design(cheaper).violations if f.rule == "cost"} == {"total", "solver"}
    repriced = json.loads(json.dumps(design))
    repriced["pricing"]["prices"]["windows_datacenter_2core"] = 1.0
    assert any(f.rule == "cost" for f in validate_design(repriced).violations)
    del repriced["pricing"]
    assert any(f.subject == "cost" for f in validate_design(repriced).violations)


def test_optimal_is_stated_only_when_the_cost_reaches_the_whole_design_bound():
    design = plan(requirements(**MEMORY_BOUND))
    s = design.solver
    assert s.lower_bound <= s.objective
    assert (s.status == "optimal") == (s.objective <= s.lower_bound + 0.01)
    assert unit_cost(HostModel(**FEW), requirements()) == pytest.approx(12000 + 8 * (769.375 + 450.875))
