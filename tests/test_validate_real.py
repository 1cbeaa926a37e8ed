"""Mutations of a real planned design are all caught, by the validator or by the
requirements check; without certificates the validator proves the design by search."""
from __future__ import annotations

import json

from planner.conformance import check_requirements
from planner.validate import validate_design


def medium(planned):
    req, _, text = planned("medium")
    return req, json.loads(text)


def rules(data):
    return {f.rule for f in validate_design(data).violations}


def test_move_a_vm_onto_its_ha_partner(planned):
    _, data = medium(planned)
    vms = {vm["name"]: vm for vm in data["vms"]}
    vms["VMM02"]["host"] = vms["VMM01"]["host"]
    assert "anti-affinity" in rules(data)


def test_remove_a_host(planned):
    _, data = medium(planned)
    data["hosts"] = data["hosts"][1:]
    assert "reference" in rules(data)


def test_shrink_a_host_memory(planned):
    _, data = medium(planned)
    busiest = max(data["hosts"], key=lambda h: sum(vm["memory_gb"] for vm in data["vms"] if vm["host"] == h["name"]))
    busiest["usable_memory_gb"] = 8
    assert "host-capacity" in rules(data)


def test_break_a_certificate(planned):
    _, data = medium(planned)
    plan = next(p for p in data["failover_plans"] if p["restarts"])
    vm = next(iter(plan["restarts"]))
    plan["restarts"][vm] = plan["failed"][0]
    assert rules(data) == {"failover-certificate"}


def test_without_certificates_search_proves_every_scenario(planned):
    _, data = medium(planned)
    scenarios = len(data.pop("failover_plans"))
    verdict = validate_design(data)
    assert verdict.sound and verdict.searched == scenarios and verdict.certified == 0


def test_too_few_hosts_for_failover_is_caught(planned):
    _, data = medium(planned)
    compute = [h for h in data["hosts"] if h["cluster"] == "COMP01"]
    for h in compute:
        h["vcpu_capacity"] = sum(vm["vcpu"] for vm in data["vms"] if vm["host"] == h["name"])
    data["failover_plans"] = [p for p in data["failover_plans"] if p["cluster"] != "COMP01"]
    assert "failover" in rules(data)


def test_requirements_check_catches_missing_roles_and_weaker_promises(planned):
    req, data = medium(planned)
    assert check_requirements(data, req) == []
    data["vms"] = [vm for vm in data["vms"] if vm["role"] != "rdgw" and vm["name"] != "T0001-VM01"]
    data["clusters"][0]["failures_tolerated"] = 0
    subjects = {f.subject for f in check_requirements(data, req)}
    assert {"rdgw", "tenants", data["clusters"][0]["name"]} <= subjects
