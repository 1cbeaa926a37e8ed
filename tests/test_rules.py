"""One tiny instance per placement rule: the exact model must need exactly the hosts the
rule forces, and its placement must pass the independent validator."""
from __future__ import annotations

from dataclasses import replace

import pytest

from planner.settings import SolverSettings
from planner.solve import backup, heuristic, rules, tenant
from planner.solve.bounds import host_lower_bound
from planner.solve.exact import solve_exact
from planner.solve.heuristic import smallest_placement
from planner.solve.problem import ClusterProblem, HostType, Item, Placement
from planner.validate import validate_design

HOST = HostType(model="h", price=1000, vcpu=16, memory_mb=64 * 1024, storage_gb=None, max_vms=1024, memory_gb=72)
SETTINGS = SolverSettings(time_limit=10, workers=2)


def vm(name, vcpu=1, memory_gb=1, group=None, scope="host", storage=10):
    return Item(name=name, vcpu=vcpu, memory_mb=memory_gb * 1024, storage_gb=storage, group=group, scope=scope)


def problem(items, k=0, racks=1, rack_tolerance=False, host=HOST, max_hosts=8):
    return ClusterProblem(cluster="C1", items=tuple(items), host=host, k=k, racks=racks,
                          rack_tolerance=rack_tolerance, max_hosts=max_hosts)


def as_design(p: ClusterProblem, placement) -> dict:
    """The placement as a design.json, for the solver-agnostic validator."""
    names = [f"C1-H{h + 1:02d}" for h in range(placement.n)]
    local = p.host.storage_gb is not None
    host = {"cluster": "C1", "model": "h", "vcpu_capacity": p.host.vcpu,
            "memory_gb": p.host.memory_gb, "usable_memory_gb": p.host.memory_mb / 1024}
    groups = {it.group: it.scope for it in p.items if it.group}
    return {
        "format": "stampplan.design/1",
        "stamps": [{"name": "S1", "vmm_vms": []}],
        "clusters": [{"name": "C1", "stamp": "S1", "purpose": "management", "failures_tolerated": p.k,
                      "fault_domain_tolerance": p.rack_tolerance, "shared_storage_gb": 10 ** 6}],
        "hosts": [{**host, "name": n, "fault_domain": f"rack{p.rack_of(h) + 1}",
                   **({"usable_storage_gb": p.host.storage_gb} if local else {})} for h, n in enumerate(names)],
        "anti_affinity_groups": [{"name": g, "scope": s} for g, s in groups.items()],
        "role_rules": [{"role": r, "max_per_host": dict(p.role_caps).get(r), "dedicated": r in p.dedicated}
                       for r in sorted(set(dict(p.role_caps)) | p.dedicated)],
        "vms": [{"name": it.name, "role": it.role or "vmm", "host": names[placement.host_of[it.name]], "vcpu": it.vcpu,
                 "memory_gb": it.memory_mb / 1024, "storage_gb": it.storage_gb,
                 "anti_affinity_group": it.group} for it in p.items],
        "failover_plans": [{"cluster": "C1", "failed": [names[h] for h in failed],
                            "restarts": {v: names[h] for v, h in plan.items()}}
                           for failed, plan in placement.restarts.items()],
    }


def solve(p: ClusterProblem):
    hint = smallest_placement(p, host_lower_bound(p)[0])
    result = solve_exact(p, p.max_hosts, hint, SETTINGS)
    assert result.status == "optimal"
    verdict = validate_design(as_design(p, result.placement))
    assert verdict.sound, verdict.violations
    return result.placement


def test_capacity_vcpu():
    """Three 10-vCPU VMs on 16-vCPU hosts: no two share a host."""
    assert solve(problem([vm(f"v{i}", vcpu=10) for i in range(3)])).n == 3


def test_capacity_memory_never_overcommitted():
    """Memory is never over-committed: 40 GB VMs on 64 GB hosts need one host each."""
    assert solve(problem([vm(f"v{i}", memory_gb=40) for i in range(3)])).n == 3


def test_capacity_local_storage_per_host():
    """With host-local disks, storage is counted per host."""
    local = HostType(model="h", price=1, vcpu=16, memory_mb=65536, storage_gb=100, max_vms=1024, memory_gb=72)
    assert solve(problem([vm(f"v{i}", storage=60) for i in range(3)], host=local)).n == 3


def test_anti_affinity_host_scope():
    """Tiny VMs of one HA group still need one host each."""
    placement = solve(problem([vm(f"v{i}", group="g") for i in range(3)]))
    assert placement.n == 3 and len(set(placement.host_of.values())) == 3


def test_anti_affinity_fault_domain_scope():
    """A fault-domain group of two on two racks lands in different racks."""
    p = problem([vm("a", group="g", scope="fault_domain"), vm("b", group="g", scope="fault_domain")], racks=2)
    placement = solve(p)
    assert p.rack_of(placement.host_of["a"]) != p.rack_of(placement.host_of["b"])


def test_failover_n_plus_1():
    """Three 6-vCPU VMs: two hosts hold them (12 + 6), but surviving a failure needs three."""
    items = [vm(f"v{i}", vcpu=6) for i in range(3)]
    assert solve(problem(items, k=0)).n == 2
    placement = solve(problem(items, k=1))
    assert placement.n == 3 and len(placement.restarts) == 3


def test_failover_n_plus_2():
    """With k=2 every pair of hosts may fail: six 4-vCPU VMs need four 16-vCPU hosts (volume 2 + 2)."""
    placement = solve(problem([vm(f"v{i}", vcpu=4) for i in range(6)], k=2))
    assert placement.n == 4 and len(placement.restarts) == 6


def test_rack_loss():
    """Surviving a whole rack (of two) means either rack alone carries every VM."""
    items = [vm(f"v{i}", vcpu=8) for i in range(4)]
    plain = solve(problem(items, racks=2))
    rack = solve(problem(items, racks=2, rack_tolerance=True))
    assert plain.n == 2 and rack.n == 4


def test_symmetry_breaking_buys_slots_in_order():
    placement = solve(problem([vm(f"v{i}", vcpu=10) for i in range(3)]))
    assert sorted(set(placement.host_of.values())) == [0, 1, 2]


@pytest.mark.parametrize("k", [0, 1, 2])
def test_lower_bound_never_above_optimum(k):
    p = problem([vm(f"v{i}", vcpu=3 + i % 4, memory_gb=4 + i) for i in range(9)], k=k)
    assert host_lower_bound(p)[0] <= solve(p).n


def test_heuristic_placement_is_sound():
    p = problem([vm(f"v{i}", vcpu=1 + i % 3, group=f"g{i % 4}") for i in range(20)], k=1)
    placement = smallest_placement(p, host_lower_bound(p)[0])
    assert placement is not None
    assert validate_design(as_design(p, placement)).sound


def _tight_cluster(max_hosts):
    from planner.model.design import Cluster

    host = HostType(model="h", price=1000, vcpu=10, memory_mb=1 << 20, storage_gb=None, max_vms=1024, memory_gb=1,
                    unit_cost=1000)  # the gap is a cost gap: hosts that cost nothing would show none
    cluster = Cluster(name="C1", stamp="S1", purpose="management", failures_tolerated=0,
                      fault_domain_tolerance=False, vcpu_per_core=1)
    return cluster, [problem([vm(f"v{i}", vcpu=c) for i, c in enumerate([5, 5, 4, 3, 3])], host=host,
                             max_hosts=max_hosts)]


def test_time_limit_keeps_the_best_design_marked_not_proven():
    """Worst-fit needs 3 hosts where 2 suffice; with no time to search, the design is kept as feasible."""
    from planner.solve.cluster import solve_cluster

    cluster, candidates = _tight_cluster(3)
    outcome = solve_cluster(cluster, candidates, SolverSettings(time_limit=1e-9, workers=1), lambda _: None)
    assert outcome.report.status == "feasible" and outcome.report.hosts == 3 and outcome.report.gap > 0
    proven = solve_cluster(cluster, candidates, SolverSettings(time_limit=10, workers=1), lambda _: None)
    assert proven.report.status == "optimal" and proven.report.hosts == 2


def test_time_limit_with_no_design_found_is_exit_4():
    from planner.errors import TimeLimitReached
    from planner.solve.cluster import solve_cluster

    cluster, candidates = _tight_cluster(2)
    with pytest.raises(TimeLimitReached) as err:
        solve_cluster(cluster, candidates, SolverSettings(time_limit=1e-9, workers=1), lambda _: None)
    assert err.value.exit_code == 4 and "--time-limit" in str(err.value)


# ------------------------------------------------ the registry: each rule, each engine ----

def _exact(p):
    result = solve_exact(p, p.max_hosts, None, SETTINGS)
    return result.placement


def _heuristic(p):
    return smallest_placement(p, 1)


def _backup(p):
    from planner.solve.backup import place_backup

    return next((pl for n in range(1, p.max_hosts + 1) if (pl := place_backup(p, n))), None)


def _count(p):
    from planner.solve.tenant import _classes, _solve_count

    for n in range(max(1, p.k + 1), p.max_hosts + 1):
        status, pl, _ = _solve_count(p, n, *_classes(p), 5.0, 1, 1)
        if pl is not None or status == "declined":
            return pl
    return None


ENGINES = {"exact": _exact, "heuristic": _heuristic, "backup": _backup, "count": _count}
LOCAL = HostType(model="h", price=1, vcpu=16, memory_mb=65536, storage_gb=100, max_vms=2, memory_gb=72)
SQL_VMM = [Item(f"{r}{i}", 1, 1024, 10, None, "host", r) for r in ("sql", "vmm") for i in range(2)]

# rule -> (a tiny instance where it binds, the hosts it forces, or None: no placement at all)
BINDING = {
    "assignment": (problem([vm("a"), vm("b")]), 1),
    "vcpu": (problem([vm(f"v{i}", vcpu=10) for i in range(3)]), 3),
    "memory": (problem([vm(f"v{i}", memory_gb=40) for i in range(3)]), 3),
    "local-storage": (problem([vm(f"v{i}", storage=60) for i in range(3)], host=LOCAL), 3),
    "vms-per-host": (problem([vm(f"v{i}", storage=1) for i in range(5)], host=LOCAL), 3),
    "anti-affinity-host": (problem([vm(f"v{i}", group="g") for i in range(3)]), 3),
    "anti-affinity-rack": (problem([vm(f"v{i}", group="g", scope="fault_domain") for i in range(2)], racks=2), 2),
    "failover": (problem([vm(f"v{i}", vcpu=6) for i in range(3)], k=1), 3),
    "rack-loss": (problem([vm(f"v{i}", vcpu=8) for i in range(4)], racks=2, rack_tolerance=True), 4),
    "host-limit": (problem([vm(f"v{i}", vcpu=10) for i in range(3)], max_hosts=2), None),
    "role-to-cluster": (replace(problem(SQL_VMM), roles=frozenset({"vmm"})), None),
    "spread": (problem([Item(f"w{i}", 1, 1024, 10, "farm", "host", "web", cap=2) for i in range(5)]), 3),
    "role-per-host": (replace(problem([Item(f"g{i}", 1, 1024, 10, None, "host", "gw") for i in range(5)]),
                              role_caps=(("gw", 4),)), 2),
    "dedicated-hosts": (replace(problem([Item(f"{r}{i}", 1, 1024, 10, None, "host", r)
                                         for r in ("gw", "web") for i in range(2)]), dedicated=frozenset({"gw"})), 2),
}


def test_every_rule_has_a_binding_instance():
    assert set(BINDING) == {r.name for r in rules.REGISTRY}


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("name", sorted(BINDING))
def test_each_engine_honours_each_rule(engine, name):
    """Where the rule binds, the engine places on the hosts it forces (or on none), and the rule holds; an
    engine that does not honour the rule declines the problem."""
    p, hosts = BINDING[name]
    assert rules.rule(name).applies(p)
    placement = ENGINES[engine](p)
    honours = {"heuristic": heuristic.HONOURS, "backup": backup.HONOURS, "count": tenant.HONOURS}
    if hosts is None or name not in honours.get(engine, {name}):
        assert placement is None
        return
    assert placement is not None and rules.rule(name).check(p, placement) == [] and rules.sound(p, placement)
    assert engine != "exact" or placement.n == hosts  # the greedy engines need not be optimal
    assert placement.n >= hosts


def _broken(name):
    """A placement of BINDING[name] that breaks exactly that rule (and a sound one)."""
    p, _ = BINDING[name]
    all_on_0 = Placement(n=1, host_of={it.name: 0 for it in p.items}, restarts={})
    if name == "assignment":
        return p, Placement(n=1, host_of={"a": 0}, restarts={}), Placement(1, {"a": 0, "b": 0}, {})
    if name == "failover":
        spread = {f"v{i}": i for i in range(3)}
        good = {(h,): {f"v{h}": (h + 1) % 3} for h in range(3)}
        return p, Placement(3, spread, {(h,): {f"v{h}": h} for h in range(3)}), Placement(3, spread, good)
    if name == "rack-loss":
        spread = {f"v{i}": i for i in range(4)}
        good = {(0, 2): {"v0": 1, "v2": 3}, (1, 3): {"v1": 0, "v3": 2}}
        return p, Placement(4, spread, {(0, 2): {"v0": 1, "v2": 1}, (1, 3): {"v1": 0, "v3": 2}}), \
            Placement(4, spread, good)
    if name == "host-limit":
        return p, Placement(3, {f"v{i}": i for i in range(3)}, {}), Placement(2, {"v0": 0, "v1": 1, "v2": 1}, {})
    if name == "role-to-cluster":
        return p, all_on_0, None
    if name == "anti-affinity-rack":
        return p, Placement(3, {"v0": 0, "v1": 2}, {}), Placement(2, {"v0": 0, "v1": 1}, {})
    return p, all_on_0, Placement(n=len(p.items), host_of={it.name: i for i, it in enumerate(p.items)}, restarts={})


@pytest.mark.parametrize("name", sorted(BINDING))
def test_each_checker_rejects_a_breaking_placement_and_accepts_a_sound_one(name):
    p, bad, good = _broken(name)
    assert rules.rule(name).check(p, bad)
    if good is not None:
        assert rules.rule(name).check(p, good) == []


def test_engines_decline_a_rule_they_do_not_know():
    class Toy(rules.Rule):
        name = "toy"

        def build(self, mdl, lit=None) -> None:
            pass

        def check(self, p, pl) -> list[str]:
            return []

    p = problem([vm("a")])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rules, "REGISTRY", [*rules.REGISTRY, Toy()])
        assert all(rules.declines(p, honours) for honours in (heuristic.HONOURS, backup.HONOURS, tenant.HONOURS))
        assert _heuristic(p) is None and _backup(p) is None and _count(p) is None


class SqlOffVmm(rules.Rule):
    """Toy rule: keep SQL VMs off the hosts that run VMM VMs."""

    name = "sql-off-vmm"

    def applies(self, p):
        return {"sql", "vmm"} <= {it.role for it in p.items}

    def build(self, mdl, lit=None):
        sql = [v for v, it in enumerate(mdl.p.items) if it.role == "sql"]
        vmm = [v for v, it in enumerate(mdl.p.items) if it.role == "vmm"]
        for h in range(len(mdl.used)):
            for s in sql:
                for w in vmm:
                    ct = mdl.m.add(mdl.x[s][h] + mdl.x[w][h] <= 1)
                    if lit is not None:
                        ct.only_enforce_if(lit)

    def check(self, p, pl):
        hosts = {pl.host_of[it.name] for it in p.items if it.role == "vmm"}
        return [f"{it.name} shares a host with VMM" for it in p.items
                if it.role == "sql" and pl.host_of[it.name] in hosts]


@pytest.mark.parametrize("purpose", ["management", "compute"])
def test_a_toy_rule_added_to_the_registry_is_honoured_or_declined(monkeypatch, purpose):
    from planner.model.design import Cluster
    from planner.solve.cluster import solve_cluster

    p = problem(SQL_VMM)
    assert _heuristic(p).n == 1  # without the rule, everything shares one host
    monkeypatch.setattr(rules, "REGISTRY", [*rules.REGISTRY, SqlOffVmm()])
    assert _heuristic(p) is None and _backup(p) is None and _count(p) is None  # they decline
    exact = _exact(p)
    assert exact.n == 2 and SqlOffVmm().check(p, exact) == []
    cluster = Cluster(name="C1", stamp="S1", purpose=purpose, failures_tolerated=0, fault_domain_tolerance=False,
                      vcpu_per_core=1)
    outcome = solve_cluster(cluster, [p], SETTINGS, lambda _: None)
    assert outcome.placement.n == 2 and rules.sound(p, outcome.placement)
