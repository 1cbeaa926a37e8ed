"""Host models mixed within a compute cluster (hardware.mix_models_in_cluster): cheaper when it pays, N+k exact
when the largest hosts fail, one CPU vendor, and the default unchanged."""
import json

import numpy as np
import pytest
from pydantic import ValidationError

from helpers import requirements
from planner.conformance import check_requirements
from planner.plan import plan
from planner.settings import SolverSettings
from planner.solve import rules
from planner.solve.cover import integer_cover_bound
from planner.solve.problem import ClusterProblem, HostType, Item, Placement
from planner.validate import validate_design

# 10 memory-bound VMs of 32 GB: a BIG host holds 4, a SMALL one 2. N+1 on one model: 4 BIG (survivors hold 12);
# 6 SMALL cost more. Mixed: 3 BIG + 1 SMALL (losing a BIG leaves 10), cheaper than 4 BIG.
MIX = {"tenants.count": 5, "tenants.vms_per_tenant": 2, "tenants.vm_sizes": {"fat": 100},
       "custom_vm_sizes": {"fat": {"vcpu": 2, "memory_gb": 32, "storage_gb": 60}},
       "hardware.host_reserve": {"memory_gb": 0, "memory_percent": 0},
       "hardware.host_models": [{"name": "BIG", "sockets": 1, "cores_per_socket": 8, "memory_gb": 128, "price": 20000},
                                {"name": "SMALL", "sockets": 1, "cores_per_socket": 8, "memory_gb": 64,
                                 "price": 14000}]}


@pytest.fixture(scope="module")
def mixed():
    req = requirements(**MIX, **{"hardware.mix_models_in_cluster": True})
    return req, plan(req, SolverSettings(time_limit=10))


def test_mixing_is_strictly_cheaper_and_the_design_is_sound(mixed):
    req, design = mixed
    one = plan(requirements(**MIX), SolverSettings(time_limit=10))
    assert design.cost["total"] < one.cost["total"]
    models = sorted(h.model for h in design.hosts if h.cluster == "COMP01")
    assert models == ["BIG", "BIG", "BIG", "SMALL"]
    assert {c.name: c.host_model for c in design.clusters}["COMP01"] == "BIG + SMALL"
    data = json.loads(design.to_json())
    verdict = validate_design(data)
    assert verdict.sound, verdict.violations
    assert not check_requirements(data, req)
    report = next(r for r in design.solver.clusters if r.cluster == "COMP01")
    assert report.status == "optimal" and report.lower_bound_cost <= report.cost
    assert design.solver.status == "optimal"  # the worst-host cover bounds any partition and mix (cover.py)


def test_validator_rejects_a_mix_that_fails_when_its_largest_host_dies(mixed):
    """Losing a small host is survived, losing a large one is not: every k-subset is examined, not only same-size
    hosts (restart search with each host's own capacity, without the certificates)."""
    _, design = mixed
    data = json.loads(design.to_json())
    comp = [h for h in data["hosts"] if h["cluster"] == "COMP01"]
    load = {h["name"]: sum(v["host"] == h["name"] for v in data["vms"]) for h in comp}
    light = min((h for h in comp if h["model"] == "BIG"), key=lambda h: (load[h["name"]], h["name"]))
    light["usable_memory_gb"] = 32 * load[light["name"]]  # a smaller host in the mix, just holding its own VMs
    assert not validate_design(data).sound  # the certificates no longer hold
    data["failover_plans"] = [p for p in data["failover_plans"] if p["cluster"] != "COMP01"]
    verdict = validate_design(data)
    failed = {f.subject for f in verdict.violations if f.rule == "failover"}
    small = next(h["name"] for h in comp if h["model"] == "SMALL")
    fullest = max((h["name"] for h in comp), key=lambda name: (load[name], name))
    assert f"COMP01 fails {{{fullest}}}" in failed and f"COMP01 fails {{{small}}}" not in failed
    assert failed <= {f"COMP01 fails {{{h['name']}}}" for h in comp if h["model"] == "BIG"}

def test_solver_check_uses_each_hosts_own_capacity():
    """A restart plan that overloads the small host of a mix is a violation, though a large host would hold it."""
    big = HostType("BIG", 0, 32, 4096, None, 1000, 4)
    small = HostType("SMALL", 0, 32, 2048, None, 1000, 2)
    items = tuple(Item(f"v{i}", 1, 1024, 0, None, "host") for i in range(6))
    p = ClusterProblem("C", items, big, 1, 1, False, 8)
    host_of = {"v0": 0, "v1": 0, "v2": 0, "v3": 0, "v4": 1, "v5": 1}
    restarts = {(0,): {"v0": 1, "v1": 1, "v2": 2, "v3": 2}, (1,): {"v4": 2, "v5": 2}, (2,): {}}
    assert rules.sound(p, Placement(3, host_of, restarts, (big, big, big)))
    assert not rules.sound(p, Placement(3, host_of, restarts, (big, small, big)))


def test_models_of_two_cpu_vendors_are_refused_when_mixing():
    models = [dict(m, vendor=v) for m, v in zip(MIX["hardware.host_models"], ("intel", "amd"))]
    requirements(**{**MIX, "hardware.host_models": models})  # one model per cluster: any vendors
    with pytest.raises(ValidationError, match="mix_models_in_cluster.*amd and intel"):
        requirements(**{**MIX, "hardware.host_models": models, "hardware.mix_models_in_cluster": True})


def test_default_leaves_the_requirements_as_they_were():
    dumped = requirements(**MIX).model_dump(mode="json")["hardware"]
    assert "mix_models_in_cluster" not in dumped and all("vendor" not in m for m in dumped["host_models"])


def test_cover_bound_with_the_worst_failure():
    """Hosts of 4 and 2 units at 100 and 70 for 10 units: 2 + 1 cover them (270); with one failure, losing a large
    host must leave 10, so 3 large + 1 small (370), the true N+1 optimum."""
    caps, costs, need = np.array([[4], [2]]), np.array([100, 70]), np.array([10])
    assert integer_cover_bound(caps, costs, need, 10) == 270
    assert integer_cover_bound(caps, costs, need, 10, k=1) == 370


def test_checklist_sets_processor_compatibility_on_a_mixed_cluster_before_its_cloud(mixed):
    """Issue 16: a cluster that mixes models gets the processor-compatibility step (with its check and pitfall)
    after its hosts join VMM and before the cloud tenants create VMs in; a one-model design has none."""
    from planner.render.checklist.steps import build_steps
    _, design = mixed
    steps = build_steps(design)
    ids = [s.id for s in steps]
    compat = [s for s in steps if s.task == "host-cpu-compat"]
    assert [s.id for s in compat] == ["host-cpu-compat/COMP01"]
    step = compat[0]
    assert ids.index("vmm-add-hosts/COMP01") < ids.index(step.id) < ids.index("vmm-clouds/STAMP01")
    assert step.id in next(s for s in steps if s.id == "vmm-clouds/STAMP01").depends_on
    assert any("Get-VMProcessor" in c.command and "CompatibilityForMigrationEnabled" in c.command
               for c in step.verify)
    # VMM's parameter is -CPULimitForMigration, the property it sets is LimitCPUForMigration (Set-SCVirtualMachine)
    assert any("Select-Object Name, LimitCPUForMigration" in c.command for c in step.verify)
    assert "-CPULimitForMigration $true" in " ".join(step.do)
    assert [p.id for p in step.pitfalls] == ["cpu-compat-vm-off"]
    one = plan(requirements(**MIX), SolverSettings(time_limit=10))
    assert not any(s.task == "host-cpu-compat" for s in build_steps(one))
