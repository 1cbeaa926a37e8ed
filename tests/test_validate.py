"""Tests for planner/validate.py, the solver-agnostic design checker."""
import ast
import copy
import itertools
import pathlib
import subprocess
import sys
import time

import pytest
from hypothesis import example, given, settings, strategies as st

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.validate import UNDECIDED, Finding, Verdict, check_scenario, index_design, validate_design  # noqa: E402
from planner.validate_search import find_restart_packing  # noqa: E402
from cpu_budget import cpu_budget


# ------------------------------------------------------------------ fixtures ----

def host(name, cluster, fd, vcpu, mem, storage=None):
    h = {"name": name, "cluster": cluster, "fault_domain": fd, "model": "2S-32C-512G",
         "vcpu_capacity": vcpu, "memory_gb": mem + 32, "usable_memory_gb": mem}
    if storage is not None:
        h["usable_storage_gb"] = storage
    return h


def vm(name, host_name, vcpu, mem, storage, group=None, role="tenant"):
    return {"name": name, "role": role, "host": host_name, "vcpu": vcpu, "memory_gb": mem,
            "storage_gb": storage, "anti_affinity_group": group}


def good_design():
    """2 clusters x 2 hosts, 8 VMs, k=1, with certificates. COMP01 is exactly full after a failure."""
    return {
        "format": "stampplan.design/1",
        "stamps": [{"name": "STAMP01", "vmm_vms": ["VMM01", "VMM02"]}],
        "clusters": [
            {"name": "MGMT01", "stamp": "STAMP01", "purpose": "management", "failures_tolerated": 1,
             "fault_domain_tolerance": True, "shared_storage_gb": 20000},
            {"name": "COMP01", "stamp": "STAMP01", "purpose": "compute", "failures_tolerated": 1,
             "fault_domain_tolerance": False},
        ],
        "hosts": [
            host("MGMT01-H01", "MGMT01", "rack1", 64, 480),
            host("MGMT01-H02", "MGMT01", "rack2", 64, 480),
            host("COMP01-H01", "COMP01", "rack1", 16, 128, storage=1000),
            host("COMP01-H02", "COMP01", "rack2", 16, 128, storage=1000),
        ],
        "anti_affinity_groups": [{"name": "vmm", "scope": "host"}, {"name": "sql", "scope": "fault_domain"}],
        "vms": [
            vm("VMM01", "MGMT01-H01", 4, 16, 120, "vmm", "vmm"),
            vm("VMM02", "MGMT01-H02", 4, 16, 120, "vmm", "vmm"),
            vm("SQL01", "MGMT01-H01", 16, 64, 500, "sql", "sql"),
            vm("SQL02", "MGMT01-H02", 16, 64, 500, "sql", "sql"),
            vm("TEN01", "COMP01-H01", 4, 32, 200),
            vm("TEN02", "COMP01-H01", 4, 32, 200),
            vm("TEN03", "COMP01-H02", 4, 32, 200),
            vm("TEN04", "COMP01-H02", 4, 32, 200),
        ],
        "failover_plans": [
            {"cluster": "MGMT01", "failed": ["MGMT01-H01"], "restarts": {"VMM01": "MGMT01-H02", "SQL01": "MGMT01-H02"}},
            {"cluster": "MGMT01", "failed": ["MGMT01-H02"], "restarts": {"VMM02": "MGMT01-H01", "SQL02": "MGMT01-H01"}},
            {"cluster": "COMP01", "failed": ["COMP01-H01"], "restarts": {"TEN01": "COMP01-H02", "TEN02": "COMP01-H02"}},
            {"cluster": "COMP01", "failed": ["COMP01-H02"], "restarts": {"TEN03": "COMP01-H01", "TEN04": "COMP01-H01"}},
        ],
    }


def packing_design():
    """Survivors each have 4 vCPU free; the failed host C-H1 has one 6-vCPU VM."""
    return {
        "format": "stampplan.design/1",
        "stamps": [{"name": "S", "vmm_vms": []}],
        "clusters": [{"name": "C", "stamp": "S", "failures_tolerated": 1, "shared_storage_gb": 1000}],
        "hosts": [host(f"C-H{i}", "C", f"rack{i}", 10, 100) for i in (1, 2, 3)],
        "vms": [vm("BIG", "C-H1", 6, 8, 10)] + [vm(f"S{h}{j}", f"C-H{h}", 2, 8, 10) for h in (2, 3) for j in range(3)],
    }


def rules(verdict):
    return {f.rule for f in verdict.violations}


def by(design, kind, name):
    return next(e for e in design[kind] if e["name"] == name)


def plan(design, *failed):
    return next(p for p in design["failover_plans"] if set(p["failed"]) == set(failed))


# ----------------------------------------------------------- valid design ----

def test_good_design_is_sound():
    v = validate_design(good_design())
    assert v.sound, v
    assert (v.scenarios, v.certified, v.searched) == (4, 4, 0)
    assert v.undecided == []


def test_good_design_without_certificates_is_searched():
    d = good_design()
    del d["failover_plans"]
    v = validate_design(d)
    assert v.sound and (v.scenarios, v.certified, v.searched) == (4, 0, 4)


# ------------------------------------------------- each rule broken once ----

def _add_host_with_vm(d, cluster, host_name, fd, vm_entry, **caps):
    d["hosts"].append(host(host_name, cluster, fd, **caps))
    d["vms"].append(vm_entry)


def mutate_format(d): d["format"] = "stampplan.design/0"
def mutate_format_entry(d): d["anti_affinity_groups"][1]["scope"] = "rack"
def mutate_format_list(d): d["failover_plans"] = {"not": "a list"}
def mutate_format_plan(d): d["failover_plans"][0] = {"cluster": "MGMT01"}
def mutate_unique(d): d["stamps"].append({"name": "STAMP01", "vmm_vms": []})
def mutate_reference_stamp(d): by(d, "clusters", "COMP01")["stamp"] = "STAMP99"
def mutate_reference_vmm(d): d["stamps"][0]["vmm_vms"].append("VMM09")
def mutate_host_capacity(d):
    _add_host_with_vm(d, "MGMT01", "MGMT01-H03", "rack3", vm("UTIL01", "MGMT01-H03", 4, 8, 10), vcpu=2, mem=64)
def mutate_host_storage(d):
    _add_host_with_vm(d, "COMP01", "COMP01-H03", "rack3", vm("TEN05", "COMP01-H03", 4, 32, 200),
                      vcpu=16, mem=128, storage=100)
def mutate_cluster_storage(d): by(d, "clusters", "MGMT01")["shared_storage_gb"] = 1000
def mutate_cluster_storage_missing(d): del by(d, "clusters", "MGMT01")["shared_storage_gb"]
def mutate_anti_affinity_host(d): by(d, "vms", "TEN01")["anti_affinity_group"] = by(d, "vms", "TEN02")["anti_affinity_group"] = "vmm"
def mutate_anti_affinity_unlisted(d): by(d, "vms", "TEN03")["anti_affinity_group"] = by(d, "vms", "TEN04")["anti_affinity_group"] = "web"
def mutate_anti_affinity_fd(d): by(d, "vms", "TEN01")["anti_affinity_group"] = "sql"  # COMP01-H01 is in rack1, like SQL01
def mutate_failover(d):
    by(d, "hosts", "MGMT01-H02")["vcpu_capacity"] = 30  # carries 20; 40 after MGMT01-H01 fails
    d["failover_plans"] = [p for p in d["failover_plans"] if p["cluster"] != "MGMT01"]
def mutate_certificate_target(d): plan(d, "MGMT01-H01")["restarts"]["VMM01"] = "MGMT01-H01"
def mutate_certificate_missing(d): del plan(d, "COMP01-H01")["restarts"]["TEN02"]
def mutate_certificate_extra(d): plan(d, "COMP01-H01")["restarts"]["TEN03"] = "COMP01-H02"
def mutate_certificate_cluster(d): d["failover_plans"].append({"cluster": "EDGE01", "failed": ["E-H1"], "restarts": {}})
def mutate_certificate_not_scenario(d):
    d["failover_plans"].append({"cluster": "MGMT01", "failed": ["MGMT01-H01", "MGMT01-H02"], "restarts": {}})
def mutate_certificate_overload(d): by(d, "hosts", "COMP01-H02")["vcpu_capacity"] = 12


SINGLE_RULE = [
    (mutate_format, "format"), (mutate_format_entry, "format"), (mutate_format_list, "format"),
    (mutate_format_plan, "format"), (mutate_unique, "unique-names"),
    (mutate_reference_stamp, "reference"), (mutate_reference_vmm, "reference"),
    (mutate_host_capacity, "host-capacity"), (mutate_host_storage, "host-storage"),
    (mutate_cluster_storage, "cluster-storage"), (mutate_cluster_storage_missing, "cluster-storage"),
    (mutate_anti_affinity_host, "anti-affinity"), (mutate_anti_affinity_unlisted, "anti-affinity"),
    (mutate_anti_affinity_fd, "anti-affinity"), (mutate_failover, "failover"),
    (mutate_certificate_target, "failover-certificate"), (mutate_certificate_missing, "failover-certificate"),
    (mutate_certificate_extra, "failover-certificate"), (mutate_certificate_cluster, "failover-certificate"),
    (mutate_certificate_not_scenario, "failover-certificate"), (mutate_certificate_overload, "failover-certificate"),
]


def test_single_rule_mutations():
    for mutate, rule in SINGLE_RULE:
        d = good_design()
        mutate(d)
        v = validate_design(d)
        assert rules(v) == {rule}, (mutate.__name__, v.violations)
        assert not v.sound and all(isinstance(f, Finding) and f.subject and f.message for f in v.violations)


def test_messages_carry_figures():
    d = good_design()
    by(d, "hosts", "MGMT01-H01")["vcpu_capacity"] = 16
    v = validate_design(d)
    assert Finding("host-capacity", "MGMT01-H01", "vCPU 20 > capacity 16") in v.violations
    bad = [f for f in v.violations if f.rule == "failover-certificate"]
    assert bad[0].subject == "MGMT01 fails {MGMT01-H02}" and "vCPU 40 > capacity 16" in bad[0].message


def test_unlisted_group_on_different_hosts_is_fine():
    d = good_design()
    by(d, "vms", "TEN01")["anti_affinity_group"] = by(d, "vms", "TEN03")["anti_affinity_group"] = "web"
    assert validate_design(d).sound


def test_restart_onto_local_storage_counts():
    d = good_design()
    for h in ("COMP01-H01", "COMP01-H02"):
        by(d, "hosts", h)["usable_storage_gb"] = 700  # carries 400; 800 after the other host fails
    assert rules(validate_design(d)) == {"failover-certificate"}
    del d["failover_plans"]
    assert rules(validate_design(d)) == {"failover"}


def test_nothing_survives_and_single_fault_domain():
    d = good_design()
    by(d, "clusters", "COMP01")["failures_tolerated"] = 2
    assert {"failover", "failover-certificate"} == rules(validate_design(d))
    d = good_design()
    by(d, "hosts", "MGMT01-H02")["fault_domain"] = "rack1"
    v = validate_design(d)
    assert any(f.rule == "failover" and f.subject == "MGMT01" for f in v.violations)


def test_fault_domain_scenarios():
    d = good_design()
    d["hosts"].append(host("MGMT01-H03", "MGMT01", "rack1", 64, 480))  # rack1 = {H01, H03}
    d["failover_plans"] = []
    v = validate_design(d)
    assert v.sound and v.scenarios == 3 + 1 + 2  # 3 single hosts, rack1 (rack2 = {H02} already counted), COMP01
    by(d, "hosts", "MGMT01-H02")["usable_memory_gb"] = 150  # H01 alone can be split over H02 and H03,
    by(d, "hosts", "MGMT01-H03")["usable_memory_gb"] = 100  # but rack1 = {H01, H03} leaves only H02
    v = validate_design(d)
    assert [f.subject for f in v.violations] == ["MGMT01 fails {MGMT01-H01,MGMT01-H03}"]


# ---------------------------------------------------------------- mutations ----

def test_mutation_move_vm_breaks_capacity():
    d = good_design()
    by(d, "vms", "SQL02")["host"] = "COMP01-H01"
    assert "host-capacity" in rules(validate_design(d))


def test_mutation_shrink_host():
    d = good_design()
    by(d, "hosts", "COMP01-H02")["usable_memory_gb"] = 100  # but rack1 = {H01, H03} leaves only H02
    assert "failover-certificate" in rules(validate_design(d))


def test_mutation_remove_host():
    d = good_design()
    d["hosts"] = [h for h in d["hosts"] if h["name"] != "COMP01-H02"]
    assert "reference" in rules(validate_design(d))


def test_mutation_alter_certificate_target():
    d = good_design()
    plan(d, "COMP01-H02")["restarts"]["TEN03"] = "MGMT01-H01"
    v = validate_design(d)
    assert rules(v) == {"failover-certificate"} and "not a surviving host of COMP01" in v.violations[0].message


# ------------------------------------------------------- packing vs. spare ----

def test_spare_capacity_suffices_but_packing_does_not():
    d = packing_design()
    v = validate_design(d)
    assert [(f.rule, f.subject) for f in v.violations] == [("failover", "C fails {C-H1}")]
    assert v.searched == 2
    d["failover_plans"] = [{"cluster": "C", "failed": ["C-H1"], "restarts": {"BIG": "C-H2"}}]
    v = validate_design(d)
    assert [(f.rule, f.subject) for f in v.violations] == [("failover-certificate", "C fails {C-H1}")]
    assert "vCPU 12 > capacity 10" in v.violations[0].message


def test_undecided_is_not_proven():
    vms = [{"name": n, "vcpu": 6, "memory_gb": 1} for n in "abc"]
    assert find_restart_packing(vms, {"x": (10, 10), "y": (10, 10)}, node_limit=1) == UNDECIDED
    assert find_restart_packing(vms, {"x": (10, 10), "y": (10, 10)}) is None
    d = packing_design()
    v = validate_design(d, search_node_limit=1)
    assert v.violations and not v.sound  # C-H1 is refuted without a single node
    d["vms"] = [x for x in d["vms"] if x["name"] != "BIG"]
    v = validate_design(d, search_node_limit=1)
    assert v.violations == [] and not v.sound and v.searched == 1  # the empty C-H1 scenario
    assert [f.subject for f in v.undecided] == ["C fails {C-H2}", "C fails {C-H3}"]
    assert all(f.rule == "failover" for f in v.undecided)


def test_check_scenario_public():
    idx, findings = index_design(packing_design())
    assert findings == []
    r = check_scenario(idx, "C", {"C-H2"}, node_limit=1000)
    assert r.status == "searched" and set(r.restarts) == {"S20", "S21", "S22"} and r.finding is None
    r = check_scenario(idx, "C", {"C-H1"}, {"BIG": "C-H3"})
    assert r.status == "violation" and r.finding.rule == "failover-certificate"
    r = check_scenario(idx, "C", {"C-H1", "C-H2"}, node_limit=1000)  # a what-if beyond k
    assert r.status == "violation" and r.finding.rule == "failover"


# ------------------------------------------------------------- big cluster ----

def big_design(n=64, k=2, with_plans=True):
    hosts = [host(f"B-H{i:02}", "B", f"rack{i % 8}", 64, 512) for i in range(n)]
    vms = [vm(f"V{i:02}{j}", f"B-H{i:02}", 8, 64, 100) for i in range(n) for j in range(2)]
    d = {"format": "stampplan.design/1", "stamps": [{"name": "S", "vmm_vms": []}],
         "clusters": [{"name": "B", "stamp": "S", "failures_tolerated": k, "shared_storage_gb": 10**6}],
         "hosts": hosts, "vms": vms, "failover_plans": []}
    if with_plans:
        names = [h["name"] for h in hosts]
        for failed in itertools.combinations(names, k):
            survivors = [h for h in names if h not in failed]
            restarts = {v["name"]: survivors[i] for i, v in enumerate(x for x in vms if x["host"] in failed)}
            d["failover_plans"].append({"cluster": "B", "failed": list(failed), "restarts": restarts})
    return d


def test_big_cluster_certificates_are_fast():
    d = big_design()
    t = time.process_time()  # CPU seconds: wall seconds rise with the machine's load
    v = validate_design(d)
    assert time.process_time() - t < cpu_budget(1.0)  # 0.08 here
    assert v.sound and (v.scenarios, v.certified) == (2016, 2016)


def test_big_cluster_search():
    v = validate_design(big_design(n=32, with_plans=False))
    assert v.sound and v.searched == 496


# ------------------------------------------------------ brute-force agreement ----

def brute_force(vms, residual):
    """Naive: try every assignment of VMs to hosts."""
    names = [v["name"] for v in vms]
    return any(fits(vms, residual, dict(zip(names, choice)))
               for choice in itertools.product(sorted(residual), repeat=len(vms)))


def fits(vms, residual, packing):
    """Does the packing keep every host within its residual (storage only where given)?"""
    used = {h: [0, 0, 0] for h in residual}
    for v in vms:
        u = used[packing[v["name"]]]
        u[0] += v["vcpu"]
        u[1] += v["memory_gb"]
        u[2] += v.get("storage_gb", 0)
    return all(u <= r for h, res in residual.items() for u, r in zip(used[h], res))


residual_st = st.dictionaries(st.sampled_from(["h1", "h2", "h3", "h4"]),
                              st.one_of(st.tuples(st.integers(0, 8), st.integers(0, 8)),
                                        st.tuples(st.integers(0, 8), st.integers(0, 8), st.integers(0, 8))),
                              max_size=4)
vms_st = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)), max_size=6).map(
    lambda sizes: [{"name": f"v{i}", "vcpu": a, "memory_gb": b, "storage_gb": c} for i, (a, b, c) in enumerate(sizes)])


@settings(derandomize=True, max_examples=200, deadline=None)
@given(vms_st, residual_st)
def test_packing_agrees_with_brute_force(vms, residual):
    found = find_restart_packing(vms, residual)
    assert found != UNDECIDED
    assert (found is not None) == brute_force(vms, residual)
    if found is not None:
        assert set(found) == {v["name"] for v in vms} and fits(vms, residual, found)
    assert find_restart_packing(vms, residual) == found  # deterministic


@st.composite
def planted_st(draw):
    """Tight instances: a random packing plus slack in {-1, 0, 1}, so the search must backtrack."""
    hosts = [f"h{i}" for i in range(draw(st.integers(3, 4)))]
    sizes = draw(st.lists(st.tuples(st.integers(1, 4), st.sampled_from([1, 2])), min_size=4, max_size=6))
    vms = [{"name": f"v{i}", "vcpu": a, "memory_gb": b} for i, (a, b) in enumerate(sizes)]
    load = {h: [0, 0] for h in hosts}
    for v in vms:
        h = draw(st.sampled_from(hosts))
        load[h][0] += v["vcpu"]
        load[h][1] += v["memory_gb"]
    slack = st.sampled_from([-1, 0, 0, 1])
    return vms, {h: (max(0, c + draw(slack)), max(0, m + draw(slack))) for h, (c, m) in load.items()}


@settings(derandomize=True, max_examples=200, deadline=None)
@given(planted_st())
@example(([{"name": f"v{i}", "vcpu": c, "memory_gb": m} for i, (c, m) in enumerate([(1, 2), (2, 2), (1, 1), (4, 2), (2, 2), (2, 1)])],
          {"h0": (3, 2), "h1": (2, 2), "h2": (2, 2), "h3": (5, 5)}))
def test_tight_instances_agree_with_brute_force(instance):
    """Near-full hosts and many equal VMs/hosts: exercises backtracking and both symmetry reductions."""
    vms, residual = instance
    found = find_restart_packing(vms, residual)
    assert (found is not None) == brute_force(vms, residual)
    assert found is None or fits(vms, residual, found)


# --------------------------------------------------------- never raises ----

json_st = st.recursive(st.none() | st.booleans() | st.integers(-5, 10**30) | st.floats() | st.text(max_size=4),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                       max_leaves=8)


def _paths(obj, prefix=()):
    yield prefix
    children = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, child in children:
        yield from _paths(child, prefix + (key,))


@settings(derandomize=True, max_examples=100, deadline=None)
@given(st.data())
def test_never_raises_on_corrupted_design(data):
    d = good_design()
    paths = list(_paths(d))[1:]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent = d
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = data.draw(json_st)
        except (KeyError, IndexError, TypeError):
            pass
    v = validate_design(copy.deepcopy(d))
    assert isinstance(v, Verdict)


def test_never_raises_on_garbage():
    for garbage in [{}, {"format": 1}, {"stamps": None, "vms": "x"}, {"hosts": [1, None, [], {}]},
                    {"vms": [{"name": "a", "host": "h", "vcpu": float("nan"), "memory_gb": 1, "storage_gb": 1}]},
                    {"failover_plans": [{"cluster": "C", "failed": [[]], "restarts": {"a": 1}}]}, [], None, "x"]:
        v = validate_design(garbage)
        assert not v.sound and all(f.rule == "format" for f in v.violations)


# ----------------------------------------------------------- stdlib only ----

def test_imports_with_ortools_blocked():
    code = "import sys; sys.modules['ortools'] = None; sys.modules['numpy'] = None; import planner.validate"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("name", ["validate", "validate_search", "validate_stamps", "validate_roles", "validate_cost",
                                  "validate_growth", "validate_format"])
def test_imports_only_stdlib(name):
    tree = ast.parse((ROOT / "planner" / f"{name}.py").read_text())
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert not any(isinstance(n, ast.ImportFrom) and n.level > 0 for n in ast.walk(tree))
    foreign = {m for m in modules if m.split(".")[0] not in sys.stdlib_module_names} - {
        "planner.validate_search", "planner.validate_stamps", "planner.validate_roles", "planner.validate_cost",
        "planner.validate_growth", "planner.validate_format"}
    assert not foreign, foreign
