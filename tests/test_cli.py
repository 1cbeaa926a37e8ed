"""The command line as a user meets it: exit codes and messages, never a traceback."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from planner.cli import app

from conftest import ROOT

runner = CliRunner()
POC = ROOT / "profiles" / "poc.yaml"


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_plan_writes_design_and_summary(tmp_path):
    result = run("plan", POC, "--out", tmp_path / "poc", "--quiet")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "poc" / "design.json").is_file()
    assert "SOUND" in result.output and "Solver: optimal" in result.output


def test_plan_reports_progress_after_the_last_placement(tmp_path):
    """Issue 18: the checks and the drawing (most of a large plan's time) each announce themselves, in order."""
    result = run("plan", POC, "--out", tmp_path / "poc")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    placed = max(i for i, line in enumerate(lines) if "COMP01 on " in line)
    checking = next(i for i, line in enumerate(lines) if "checking the design: 2 hosts, 25 VMs" in line)
    drawing = next(i for i, line in enumerate(lines) if "drawing the artifacts" in line)
    assert placed < checking < drawing


def test_plan_replaces_the_folder_as_a_whole(tmp_path):
    target = tmp_path / "out"
    shutil.copytree(ROOT / "outputs" / "small", target)
    (target / "diagrams" / "stale.svg").write_text("an artifact an older stampplan wrote")
    assert run("plan", POC, "--out", target, "-q").exit_code == 0
    assert not (target / "diagrams" / "stale.svg").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_validate_with_requirements(tmp_path):
    run("plan", POC, "--out", tmp_path / "d", "-q")
    result = run("validate", tmp_path / "d" / "design.json", "--requirements", POC)
    assert result.exit_code == 0 and "SOUND" in result.output


def test_validate_catches_a_shrunk_host(tmp_path):
    run("plan", POC, "--out", tmp_path / "d", "-q")
    path = tmp_path / "d" / "design.json"
    data = json.loads(path.read_text())
    data["hosts"][0]["vcpu_capacity"] = 1
    path.write_text(json.dumps(data))
    result = run("validate", path)
    assert result.exit_code == 1 and "host-capacity" in result.output


def test_validate_catches_unmet_requirements(tmp_path):
    run("plan", POC, "--out", tmp_path / "d", "-q")
    stricter = tmp_path / "strict.yaml"
    stricter.write_text(POC.read_text().replace("compute: {host_failures: 0}", "compute: {host_failures: 1}"))
    result = run("validate", tmp_path / "d" / "design.json", "--requirements", stricter)
    assert result.exit_code == 1 and "availability.compute.host_failures" in result.output


@pytest.mark.parametrize("text, expected", [
    ("name: [unclosed", "not valid YAML"),
    ("- just\n- a list\n", "expected a mapping"),
    ("name: x\ntenants: {count: 1, vms_per_tenant: 1}\n", "hardware: Field required"),
    ("name: x\ntenants: {count: 1, vms_per_tenant: 1, colour: red}\nhardware: {host_models: []}\n",
     "tenants.colour"),
    ("!!python/object/apply:os.system ['echo hi']\n", "not valid YAML"),
])
def test_bad_requirements_exit_2_with_the_field(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = run("plan", path, "--out", tmp_path / "o")
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert not (tmp_path / "o").exists()


def test_error_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    text = POC.read_text()
    path.write_text(text.replace("count: 5", "count: -5"))
    line = text.splitlines().index("  count: 5") + 1
    result = run("plan", path)
    assert result.exit_code == 2 and f"{path}:{line}: tenants.count" in result.output


def test_missing_file_and_bad_arguments_exit_2(tmp_path):
    assert run("plan", tmp_path / "nope.yaml").exit_code == 2
    assert run("plan").exit_code == 2
    assert run("validate", tmp_path / "nope.json").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_infeasible_exits_3_naming_the_clash(tmp_path):
    path = tmp_path / "clash.yaml"
    path.write_text(POC.read_text().replace("racks: 1", "racks: 1\n  survive_rack_loss: true"))
    result = run("plan", path, "--out", tmp_path / "o")
    assert result.exit_code == 3
    assert "availability.survive_rack_loss" in result.output and "availability.racks" in result.output


def test_schema_is_json_schema():
    result = run("schema")
    schema = json.loads(result.output)
    assert result.exit_code == 0 and "tenants" in schema["properties"]


def test_console_script_runs_in_a_subprocess(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [")
    proc = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "plan", str(bad)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_validate_runs_without_the_solver(tmp_path):
    """`stampplan validate` needs neither OR-Tools nor the sizing and solver modules."""
    run("plan", POC, "--out", tmp_path / "d", "-q")
    code = ("import sys; sys.modules['ortools'] = None; sys.modules['planner.sizing'] = None; "
            "sys.modules['planner.solve'] = None; sys.modules['planner.plan'] = None; "
            "from planner.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", code, "validate", str(tmp_path / "d" / "design.json"),
                           "--requirements", str(POC)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "SOUND" in proc.stdout
