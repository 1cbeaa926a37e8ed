"""stampplan never removes or replaces a file or folder that it did not write (issue 12)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from planner import output
from planner.cli import app
from planner.errors import Interrupted

runner = CliRunner()
POC = ROOT / "profiles" / "poc.yaml"
CLI = [sys.executable, "-c", "from planner.cli import main; main()"]


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def plan(*args):
    result = runner.invoke(app, ["plan", *map(str, args), "-q"])
    assert "Traceback" not in result.output
    return result


def test_out_at_a_folder_stampplan_did_not_write_is_refused_untouched(tmp_path):
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (clone / "planner.py").write_text("print('source')\n")
    before = snapshot(clone)
    result = plan(POC, "--out", clone)
    assert result.exit_code == 2 and "did not write" in result.output
    assert snapshot(clone) == before


def test_out_at_the_current_folder_is_refused(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "outputs" / "poc", tmp_path / "o")
    monkeypatch.chdir(tmp_path / "o")
    before = snapshot(tmp_path)
    assert plan(POC, "--out", ".").exit_code == 2
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("empty", ["mine", "diagrams/mine"])
def test_an_empty_user_folder_is_never_removed(tmp_path, empty):
    target = tmp_path / "o"  # an empty folder was invisible to the ownership check: the swap deleted it
    if "/" in empty:
        shutil.copytree(ROOT / "outputs" / "poc", target)
    (target / empty).mkdir(parents=True)
    result = plan(POC, "--out", target)
    assert result.exit_code == 2 and f"{empty}/" in result.output, result.output
    assert (target / empty).is_dir()


def test_a_user_file_inside_an_earlier_output_is_never_removed(tmp_path):
    target = tmp_path / "o"
    shutil.copytree(ROOT / "outputs" / "poc", target)
    (target / "notes.txt").write_text("mine")
    before = snapshot(target)
    result = plan(POC, "--out", target)
    assert result.exit_code == 2 and "notes.txt" in result.output
    assert snapshot(target) == before


def test_an_earlier_output_and_an_empty_folder_are_replaced(tmp_path):
    target = tmp_path / "o"
    shutil.copytree(ROOT / "outputs" / "small", target)
    assert plan(POC, "--out", target).exit_code == 0
    assert (target / "design.json").read_bytes() == (ROOT / "outputs" / "poc" / "design.json").read_bytes()
    (tmp_path / "empty").mkdir()
    assert plan(POC, "--out", tmp_path / "empty").exit_code == 0


def test_a_dot_named_requirements_file_cannot_target_outputs_itself(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "outputs" / "poc", tmp_path / "outputs" / "poc")
    shutil.copy(POC, tmp_path / "..yaml")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path / "outputs")
    result = plan("..yaml")
    assert result.exit_code == 2 and "give --out" in result.output
    assert snapshot(tmp_path / "outputs") == before


def test_check_update_refuses_a_dot_named_profile_and_goes_on(tmp_path):
    profiles, outputs = tmp_path / "profiles", tmp_path / "outputs"
    profiles.mkdir()
    shutil.copy(POC, profiles / "..yaml")
    shutil.copy(POC, profiles / "poc.yaml")
    (outputs / "keep").mkdir(parents=True)
    (outputs / "keep" / "mine.txt").write_text("mine")
    junit = tmp_path / "junit.xml"
    result = runner.invoke(app, ["check", str(profiles), "--outputs", str(outputs), "--update", "--junit", str(junit)])
    assert result.exit_code == 1 and "give --out" in result.output
    assert (outputs / "keep" / "mine.txt").read_text() == "mine"
    assert (outputs / "poc" / "design.json").is_file() and junit.is_file()


def test_out_at_a_file_or_a_symlink_is_refused(tmp_path):
    afile = tmp_path / "report.txt"
    afile.write_text("mine")
    assert plan(POC, "--out", afile).exit_code == 2
    assert afile.read_text() == "mine"
    real = tmp_path / "real"
    shutil.copytree(ROOT / "outputs" / "poc", real)
    link = tmp_path / "link"
    link.symlink_to(real)
    result = plan(POC, "--out", link)
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert link.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["link", "real", "report.txt"]


def test_an_interrupt_while_the_folders_swap_is_reported_truthfully(tmp_path, monkeypatch):
    target = tmp_path / "o"
    shutil.copytree(ROOT / "outputs" / "small", target)
    real_rmtree, calls = shutil.rmtree, []

    def interrupted_rmtree(path, *args, **kwargs):
        if not calls:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the previous folder is removed
        calls.append(path)
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(output, "rmtree", interrupted_rmtree)
    with pytest.raises(Interrupted) as stop:
        output.write_folder(target, {"design.json": b'{"format": "stampplan.design/1"}'})
    assert stop.value.exit_code == 130 and "holds the complete new design" in str(stop.value)
    assert snapshot(target) == {"design.json": b'{"format": "stampplan.design/1"}'}
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_sigterm_exits_143_with_a_message_and_leaves_no_temp_folder(tmp_path):
    proc = subprocess.Popen([*CLI, "plan", str(ROOT / "profiles" / "service-provider.yaml"), "--out",
                             str(tmp_path / "o")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    proc.stderr.readline()  # the first progress line: the command's SIGTERM handler is installed (a fixed sleep
    proc.send_signal(signal.SIGTERM)  # raced it under load and Python's default handler killed the process)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "terminated" in stderr and "Traceback" not in stderr, stderr[-2000:]
    assert list(tmp_path.iterdir()) == []


def test_single_artifacts_go_beside_not_into_a_plan_folder(tmp_path, monkeypatch):
    design = tmp_path / "poc" / "design.json"
    shutil.copytree(ROOT / "outputs" / "poc", design.parent)
    monkeypatch.chdir(tmp_path)
    before = snapshot(design.parent)
    for args in (["diagram", str(design), "--format", "dot"], ["bom", str(design)], ["checklist", str(design)]):
        assert runner.invoke(app, args).exit_code == 0
    assert snapshot(design.parent) == before
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["contoso-poc-bom.xlsx", "contoso-poc-checklist", "contoso-poc-physical.dot", "poc"]
    for args in (["diagram", str(design), "--format", "dot"], ["bom", str(design)]):  # their own files: replaced
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output


def test_a_single_artifact_never_replaces_a_file_stampplan_did_not_write(tmp_path):
    design = ROOT / "outputs" / "poc" / "design.json"
    mine = tmp_path / "budget.xlsx"
    mine.write_bytes(b"PK\x03\x04 not stampplan's")
    result = runner.invoke(app, ["bom", str(design), "--out", str(mine)])
    assert result.exit_code == 2 and "--force" in result.output
    assert mine.read_bytes() == b"PK\x03\x04 not stampplan's"
    assert runner.invoke(app, ["bom", str(design), "--out", str(mine), "--force"]).exit_code == 0
    (tmp_path / "dir.svg").mkdir()
    assert runner.invoke(app, ["diagram", str(design), "--out", str(tmp_path / "dir.svg"), "--force"]).exit_code == 2


def test_every_name_a_plan_writes_is_a_known_artifact():
    for folder in (ROOT / "outputs").iterdir():
        names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
        assert all(output.ARTIFACT.fullmatch(n) for n in names), folder


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("stampplan ")


def test_junit_at_a_folder_or_a_read_only_place_is_bad_input(tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    shutil.copy(POC, profiles / "poc.yaml")
    result = runner.invoke(app, ["check", str(profiles), "--outputs", str(tmp_path / "o"), "--junit", str(tmp_path)])
    assert result.exit_code == 2 and "give a file name" in result.output
    blocker = tmp_path / "afile"
    blocker.write_text("x")  # a path under a file cannot be written, even by root
    result = runner.invoke(app, ["check", str(profiles), "--outputs", str(tmp_path / "o"), "--junit",
                                 str(blocker / "j.xml")])
    assert result.exit_code == 2 and "cannot write" in result.output


def test_a_diagram_in_every_format_replaces_its_own_file_on_a_second_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # PDF and PNG carried no stampplan mark: the second run was refused (exit 2)
    design = ROOT / "outputs" / "poc" / "design.json"
    for fmt in ("svg", "png", "pdf"):
        for _ in range(2):
            result = runner.invoke(app, ["diagram", str(design), "--format", fmt])
            assert result.exit_code == 0, result.output
