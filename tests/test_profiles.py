"""Every reference profile plans, proves sound, answers its requirements, and matches the
committed reference output byte for byte."""
from __future__ import annotations

import json

import pytest

from planner.conformance import check_requirements
from planner.validate import validate_design

from conftest import PROFILES, ROOT


@pytest.mark.parametrize("name", PROFILES)
def test_profile_plans_sound_and_answers_requirements(planned, name):
    req, design, text = planned(name)
    data = json.loads(text)
    verdict = validate_design(data)
    assert verdict.sound, verdict.violations[:5] + verdict.undecided[:5]
    assert check_requirements(data, req) == []
    assert data["format"] == "stampplan.design/1"
    assert verdict.scenarios == len(data["failover_plans"]) == verdict.certified
    assert design.solver.lower_bound <= design.solver.objective


@pytest.mark.parametrize("name", PROFILES)
def test_committed_reference_output_is_what_the_code_produces(planned, name):
    _, _, text = planned(name)
    committed = (ROOT / "outputs" / name / "design.json").read_text(encoding="utf-8")
    assert text == committed, f"outputs/{name}/design.json drifted: run `stampplan plan profiles/{name}.yaml`"


def test_reference_profiles_cover_the_issue():
    assert {"poc", "small", "medium", "service-provider", "multi-stamp"} <= set(PROFILES)


def test_multi_stamp_profile_needs_three_stamps_by_user_roles(planned):
    _, design, _ = planned("multi-stamp")
    assert len(design.stamps) == 3  # 3 000 tenants, 1 000 VMM user roles per server (VMs alone need 2)
    assert [s.tenants for s in design.stamps] == [1000] * 3
    for stamp in design.stamps:
        clusters = {c.name for c in design.clusters if c.stamp == stamp.name}
        vms = [vm for vm in design.vms if vm.cluster in clusters]
        assert len(vms) <= 25_000
        assert stamp.vmm_vms and all(any(v.name == n and v.role == "vmm" for v in vms) for n in stamp.vmm_vms)


def test_service_provider_management_survives_two_failures(planned):
    _, design, _ = planned("service-provider")
    mgmt = [c for c in design.clusters if c.purpose == "management"]
    assert mgmt and all(c.failures_tolerated == 2 for c in mgmt)
    hosts = [h for h in design.hosts if h.cluster == mgmt[0].name]
    plans = [p for p in design.failover_plans if p.cluster == mgmt[0].name]
    assert len(plans) == len(hosts) * (len(hosts) - 1) // 2
