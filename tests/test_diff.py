"""What changed between two designs; exit 0 when identical, 1 when they differ, 2 on bad input."""
from __future__ import annotations

import copy
import json

from typer.testing import CliRunner

from planner.cli import app
from planner.diff import diff_designs

from conftest import ROOT

SMALL = ROOT / "outputs" / "small" / "design.json"
POC = ROOT / "outputs" / "poc" / "design.json"


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_design_against_itself_is_empty_and_exits_0():
    design = json.loads(SMALL.read_text())
    assert diff_designs(design, copy.deepcopy(design)).empty
    result = run("diff", SMALL, SMALL)
    assert result.exit_code == 0 and "No differences" in result.output


def test_changes_are_named():
    old = json.loads(SMALL.read_text())
    new = copy.deepcopy(old)
    gone = new["hosts"].pop()                                      # last host removed ...
    moved = [vm for vm in new["vms"] if vm["host"] == gone["name"]]
    for vm in moved:                                               # ... its VMs moved to the first host
        vm["host"] = new["hosts"][0]["name"]
    new["vms"].pop(0)                                              # one VM removed
    new["cost"]["hardware"] -= gone["price"]
    d = diff_designs(old, new)
    assert not d.empty
    assert [h["name"] for h in d.hosts_removed] == [gone["name"]] and not d.hosts_added
    assert {m[0] for m in d.vms_moved} == {vm["name"] for vm in moved}
    assert len(d.vms_removed) == 1 and d.cost == (old["cost"]["hardware"], old["cost"]["hardware"] - gone["price"])
    role = old["vms"][0]["role"]
    assert any(r == role and b == a - 1 for r, a, b in d.roles)


def test_other_sections_count_as_differences():
    old = json.loads(SMALL.read_text())
    new = copy.deepcopy(old)
    new["failover_plans"] = new["failover_plans"][1:]
    d = diff_designs(old, new)
    assert d.other == ["failover_plans"] and not d.empty


def test_cli_differs_exits_1(tmp_path):
    result = run("diff", POC, SMALL)
    assert result.exit_code == 1
    for text in ("hardware cost", "Hosts added", "VMs per role", "wap-express", "DIFFERENT"):
        assert text in result.output


def test_bad_input_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert run("diff", SMALL, bad).exit_code == 2
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something else"}))
    assert run("diff", SMALL, other).exit_code == 2
    assert run("diff", SMALL, tmp_path / "missing.json").exit_code == 2
