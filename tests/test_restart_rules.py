"""Restart plans honour the per-host role rules: after k host failures no host runs a 5th HNV gateway
(role-per-host) and no WAP VM restarts on a gateway host (dedicated-hosts), in the solver's rule
check, in every engine that plans restarts and in the solver-free validator's certificate check.
Spread groups, like anti-affinity, are kept in normal running only."""
from __future__ import annotations

from dataclasses import replace

import pytest

from planner.solve import rules
from planner.solve.exact import solve_exact
from planner.solve.heuristic import smallest_placement
from planner.solve.problem import Item, Placement
from planner.validate import validate_design
from test_rules import SETTINGS, as_design, problem


def _items(role: str, count: int, group: str | None = None, cap: int = 1) -> list[Item]:
    return [Item(f"{role}{i}", 1, 1024, 10, group, "host", role, cap) for i in range(count)]


GATEWAYS = replace(problem(_items("gw", 8), k=1), role_caps=(("gw", 4),))  # 2 hosts, but 3 with restarts
DEDICATED = replace(problem(_items("gw", 2) + _items("web", 2), k=1), dedicated=frozenset({"gw"}))  # 2 hosts, 3 with restarts (a spare)


def _gateway_placement(restart_on_0: dict[str, int]) -> Placement:
    """gw0-3 on host 0, gw4-6 on host 1, gw7 on host 2, host 3 empty; host 0's restarts as given."""
    host_of = {f"gw{i}": 0 if i < 4 else 1 if i < 7 else 2 for i in range(8)}
    plans = {(0,): restart_on_0, (1,): {f"gw{i}": 3 for i in range(4, 7)}, (2,): {"gw7": 3}, (3,): {}}
    return Placement(4, host_of, plans)


GOOD = {"gw0": 1, "gw1": 2, "gw2": 2, "gw3": 2}
FIFTH = {"gw0": 1, "gw1": 1, "gw2": 2, "gw3": 2}  # host 1 ends with 5 gateways


def test_a_restart_plan_with_a_fifth_gateway_on_a_host_fails_the_rule_check():
    p = GATEWAYS
    assert rules.violations(p, _gateway_placement(GOOD)) == []
    found = rules.violations(p, _gateway_placement(FIFTH))
    assert found == ["failover: scenario (0,): role-per-host: 5 gw VMs on host 1 > 4"]


def test_a_restart_plan_with_a_web_vm_on_a_gateway_host_fails_the_rule_check():
    p = DEDICATED
    host_of = {"gw0": 0, "gw1": 1, "web0": 2, "web1": 3}
    good = Placement(4, host_of, {(0,): {"gw0": 1}, (1,): {"gw1": 0}, (2,): {"web0": 3}, (3,): {"web1": 2}})
    assert rules.violations(p, good) == []
    bad = Placement(4, host_of, {(0,): {"gw0": 1}, (1,): {"gw1": 0}, (2,): {"web0": 0}, (3,): {"web1": 2}})
    assert rules.violations(p, bad) == ["failover: scenario (2,): dedicated-hosts: host 0 runs gw beside web"]


def test_spread_groups_like_anti_affinity_hold_in_normal_running_only():
    p = problem(_items("web", 4, group="farm", cap=2), k=1)
    host_of = {"web0": 0, "web1": 0, "web2": 1, "web3": 2}
    assert rules.violations(p, Placement(3, host_of, {(0,): {"web0": 1, "web1": 1}, (1,): {"web2": 2},
                                                      (2,): {"web3": 1}})) == []


@pytest.mark.parametrize("restarts, rule", [(FIFTH, "role-per-host"), ({**GOOD, "gw0": 3}, None)])
def test_the_validator_checks_certificates_against_role_per_host(restarts, rule):
    design = as_design(GATEWAYS, _gateway_placement(restarts))
    verdict = validate_design(design)
    if rule is None:
        assert verdict.sound, verdict.violations
        return
    assert [f.rule for f in verdict.violations] == ["failover-certificate"]
    assert "5 gw VMs > 4 per host" in verdict.violations[0].message


def test_the_validator_checks_certificates_against_dedicated_hosts():
    host_of = {"gw0": 0, "gw1": 1, "web0": 2, "web1": 3}
    bad = Placement(4, host_of, {(0,): {"gw0": 1}, (1,): {"gw1": 0}, (2,): {"web0": 0}, (3,): {"web1": 2}})
    verdict = validate_design(as_design(DEDICATED, bad))
    assert [f.rule for f in verdict.violations] == ["failover-certificate"]
    assert "runs gw beside web" in verdict.violations[0].message


@pytest.mark.parametrize("p, hosts", [(GATEWAYS, 3), (DEDICATED, 3)])
def test_engines_plan_restarts_within_the_role_rules(p, hosts):
    exact = solve_exact(p, 6, None, SETTINGS)
    assert exact.status == "optimal" and exact.placement.n == hosts and rules.sound(p, exact.placement)
    greedy = smallest_placement(p, 1)
    assert greedy.n >= hosts and rules.sound(p, greedy)
    for placement in (exact.placement, greedy):
        verdict = validate_design(as_design(p, placement))
        assert verdict.sound, verdict.violations


@pytest.mark.parametrize("p", [GATEWAYS, DEDICATED])
def test_the_validator_search_without_certificates_honours_the_role_rules(p):
    """Without failover_plans the checker's own restart search must find role-abiding restarts or fail."""
    tight = _gateway_placement(GOOD) if p is GATEWAYS else \
        Placement(4, {"gw0": 0, "gw1": 1, "web0": 2, "web1": 3}, {})
    design = as_design(p, tight)
    design["failover_plans"] = []
    assert validate_design(design).sound
    keep = 2 if p is GATEWAYS else 3  # the spare host gone: the restarts have nowhere within the rules to go
    design["hosts"] = design["hosts"][:keep]
    design["vms"] = [vm for vm in design["vms"] if vm["host"] in {h["name"] for h in design["hosts"]}]
    verdict = validate_design(design)
    assert not verdict.sound and {f.rule for f in verdict.violations} == {"failover"}
