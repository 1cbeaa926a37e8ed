"""What if hosts or a rack fail (after a drain): restarts, stranded VMs, exit codes."""
from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError
from planner.validate import validate_design
from planner.whatif import what_if

from conftest import ROOT

SMALL = ROOT / "outputs" / "small" / "design.json"


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def cluster_design(loads: list[list[int]], k: int = 1, racks: int = 1, rack_tolerance: bool = False,
                   capacity: int = 10, plans: bool = True) -> dict:
    """One compute cluster: host i carries VMs of the given vCPUs (memory = 2 GB per vCPU); with
    `plans`, the failover plans of every single failure found by the restart search."""
    hosts = [{"name": f"C-H{i + 1}", "cluster": "C", "fault_domain": f"rack{i % racks + 1}", "model": "m",
              "vcpu_capacity": capacity, "memory_gb": 2 * capacity + 8, "usable_memory_gb": 2 * capacity,
              "price": 1000} for i in range(len(loads))]
    vms = [{"name": f"V{i + 1}-{j + 1}", "role": "tenant", "cluster": "C", "host": f"C-H{i + 1}", "vcpu": v,
            "memory_gb": 2 * v, "storage_gb": 10} for i, load in enumerate(loads) for j, v in enumerate(load)]
    design = {"format": "stampplan.design/1", "stamps": [{"name": "S", "vmm_vms": []}],
              "clusters": [{"name": "C", "stamp": "S", "purpose": "compute", "failures_tolerated": k,
                            "fault_domain_tolerance": rack_tolerance, "shared_storage_gb": 10_000}],
              "hosts": hosts, "anti_affinity_groups": [], "vms": vms, "failover_plans": []}
    if plans:
        design["failover_plans"] = [{"cluster": "C", "failed": [h["name"]],
                                     "restarts": what_if(design, [h["name"]]).clusters[0].restarts_map()}
                                    for h in hosts]
    return design


def test_k1_design_survives_every_single_failure_by_its_plans():
    design = json.loads(SMALL.read_text())
    assert validate_design(design).sound
    for host in design["hosts"]:
        result = what_if(design, [host["name"]])
        assert result.survived, host["name"]
        assert all(m.to and m.via == "failover plan" for c in result.clusters for m in c.moves)
        moved = {m.vm for c in result.clusters for m in c.moves}
        assert moved == {vm["name"] for vm in design["vms"] if vm["host"] == host["name"]}


def test_double_failure_built_to_fail():
    design = json.loads(SMALL.read_text())
    comp = [h for h in design["hosts"] if h["cluster"] == "COMP01"]
    load = {h["name"]: sum(v["vcpu"] for v in design["vms"] if v["host"] == h["name"]) for h in comp}
    two = sorted(load, key=lambda h: (-load[h], h))[:2]
    free = sum(h["vcpu_capacity"] - load[h["name"]] for h in comp if h["name"] not in two)
    assert load[two[0]] + load[two[1]] > free  # more vCPU to restart than the survivors have free
    result = what_if(design, two)
    assert not result.survived
    stranded = [m for m in result.clusters[0].moves if m.to is None]
    assert stranded and all(m.via == "restart search" for m in result.clusters[0].moves)
    cli = run("whatif", SMALL, "--fail", ",".join(two))
    assert cli.exit_code == 1 and "DOES NOT SURVIVE" in cli.output and stranded[0].vm in cli.output


def test_cli_single_failure_exits_0_with_tables():
    result = run("whatif", SMALL, "--fail", "MGMT01-H01")
    assert result.exit_code == 0
    assert "SURVIVES" in result.output and "Surviving hosts" in result.output and "MGMT01-H02" in result.output


def test_restarts_and_utilisation_figures():
    design = cluster_design([[4, 2], [3], [1]])
    result = what_if(design, ["C-H1"])
    assert result.survived
    assert sorted(m.vm for m in result.clusters[0].moves) == ["V1-1", "V1-2"]
    after = {u.host: u.vcpu[1] for u in result.usage}
    assert sum(after.values()) == 10 and set(after) == {"C-H2", "C-H3"}
    assert all(u.vcpu[1] <= u.vcpu[2] for u in result.usage)


def test_wrong_plan_is_reported_and_the_search_decides():
    design = cluster_design([[4, 2], [3], [1]])
    bad = copy.deepcopy(design)
    bad["failover_plans"][0]["restarts"] = {"V1-1": "C-H1", "V1-2": "C-H2"}  # restarts onto the failed host
    result = what_if(bad, ["C-H1"])
    assert result.survived and "wrong" in result.clusters[0].note
    assert all(m.via == "restart search" for m in result.clusters[0].moves)


def test_rack_loss_fails_every_host_of_the_rack():
    design = cluster_design([[3], [3], [3], [3]], rack_tolerance=True, racks=2, plans=False)
    result = what_if(design, rack="rack1")
    assert result.failed == ["C-H1", "C-H3"] and result.survived
    assert {m.to for m in result.clusters[0].moves} <= {"C-H2", "C-H4"}


def test_drain_then_failure():
    roomy = cluster_design([[2], [2], [2], [2]])
    result = what_if(roomy, ["C-H2"], drain="C-H1")
    assert result.survived and [m.vm for m in result.drain] == ["V1-1"]
    assert all(m.to not in ("C-H1", "C-H2") for c in result.clusters for m in c.moves)
    assert "drained" in result.clusters[0].note
    tight = cluster_design([[5], [5], [5]])  # N+1 holds, but not while a host is drained
    assert all(what_if(tight, [h]).survived for h in ("C-H1", "C-H2", "C-H3"))
    drained = what_if(tight, ["C-H2"], drain="C-H1")
    assert drained.drain[0].to in ("C-H2", "C-H3") and not drained.survived
    assert run_design("whatif", tight, "--fail", "C-H2", "--drain", "C-H1").exit_code == 1


def test_drain_that_does_not_fit():
    full = cluster_design([[6], [6]], plans=False)
    result = what_if(full, drain="C-H1")
    assert not result.survived and "do not fit" in result.drain_problem


def test_bad_arguments_exit_2(tmp_path):
    assert run("whatif", SMALL, "--fail", "NOPE-H01").exit_code == 2
    assert run("whatif", SMALL, "--fail-rack", "rack9").exit_code == 2
    assert run("whatif", SMALL).exit_code == 2
    assert run("whatif", SMALL, "--fail", "MGMT01-H01", "--drain", "MGMT01-H01").exit_code == 2
    assert run("whatif", tmp_path / "missing.json", "--fail", "X").exit_code == 2
    with pytest.raises(InputError):
        what_if({"format": "nope"}, ["X"])


def run_design(command: str, design: dict, *args):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "design.json"
        path.write_text(json.dumps(design))
        return run(command, path, *args)
