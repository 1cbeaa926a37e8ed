"""The whole-design bound holds across stamp counts (issue 16): it is the least over every legal stamp count,
never above the cheapest design of any count (brute force on tiny requirements), and the solver-free validator
recomputes its arithmetic."""
from __future__ import annotations

import copy
import json

import pytest

from planner.plan import _place_all, assemble, plan
from planner.settings import SolverSettings
from planner.solve.stamp_bound import stamp_counts
from planner.validate import validate_design

from helpers import requirements

TWO_MODELS = [{"name": "m16", "sockets": 2, "cores_per_socket": 8, "memory_gb": 256, "price": 10000},
              {"name": "m32", "sockets": 2, "cores_per_socket": 16, "memory_gb": 512, "price": 17000}]
TINY = {
    "nvgre N+1": {},
    "two host models, SQL per host": {"hardware.host_models": TWO_MODELS, "licensing": {"sql_server": "per-host"}},
    "express, no failover": {"wap.deployment": "express", "availability.management.host_failures": 0,
                             "availability.compute.host_failures": 0, "availability.edge.host_failures": 0,
                             "tenants.networking": "vlan"},
}


def planned_with(req, stamps: int):
    """The design the planner makes with exactly `stamps` stamps."""
    return assemble(req, *_place_all(req, stamps, SolverSettings(), lambda _: None))


@pytest.mark.parametrize("case", TINY)
def test_bound_never_exceeds_the_cheapest_design_of_any_stamp_count(case):
    req = requirements(**TINY[case])
    design = plan(req)
    counts = list(stamp_counts(req))
    assert counts == [1, 2, 3, 4, 5]
    entries = {e["stamps"]: e for e in design.solver.stamp_bounds}
    assert sorted(entries) == counts
    costs = {}
    for s in counts:
        other = planned_with(req, s)
        assert all(r.status == "optimal" for r in other.solver.clusters), (case, s)  # each cluster at its optimum
        costs[s] = other.cost["total"]
        assert entries[s]["total"] <= costs[s] + 0.01, (case, s)
    assert design.solver.lower_bound <= min(costs.values()) + 0.01
    assert design.solver.lower_bound == min(min(e["total"] for e in entries.values()), design.cost["total"])
    assert costs[1] < costs[2] < costs[5]  # more stamps do not pay here: each adds management and edge clusters


def test_validator_recomputes_the_bound_over_stamp_counts():
    good = json.loads(plan(requirements()).to_json())
    assert [f for f in validate_design(good).violations if f.rule == "cost"] == []

    def findings(change) -> list[str]:
        data = copy.deepcopy(good)
        change(data["solver"])
        return [f.message for f in validate_design(data).violations if f.subject == "solver.stamp_bounds"]

    assert any("not every legal one" in m for m in findings(lambda s: s["stamp_bounds"].pop()))
    assert any("sum of its parts" in m for m in findings(lambda s: s["stamp_bounds"][2].update(sql=0)))
    assert any("least stamp count" in m for m in findings(lambda s: s.update(lower_bound=s["lower_bound"] - 1000)))
    assert any("management and edge" in m
               for m in findings(lambda s: s["stamp_bounds"][0].update(management_edge=1, total=1)))
