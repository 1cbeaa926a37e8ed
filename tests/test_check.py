"""`stampplan check`: plans a folder of profiles and fails on drift from committed outputs."""
from __future__ import annotations

import shutil
from xml.etree import ElementTree as ET

from typer.testing import CliRunner

from planner.cli import app

from conftest import ROOT

runner = CliRunner()


def check(*args):
    result = runner.invoke(app, ["check", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def test_update_then_clean_then_drift_named(tmp_path):
    profiles, outputs = tmp_path / "profiles", tmp_path / "outputs"
    profiles.mkdir()
    shutil.copy(ROOT / "profiles" / "poc.yaml", profiles / "poc.yaml")
    assert check(profiles, "--outputs", outputs, "--update").exit_code == 0
    assert (outputs / "poc" / "design.json").is_file()
    assert check(profiles, "--outputs", outputs).exit_code == 0

    text = (profiles / "poc.yaml").read_text().replace("count: 5", "count: 9")
    (profiles / "poc.yaml").write_text(text)
    junit = tmp_path / "junit.xml"
    result = check(profiles, "--outputs", outputs, "--junit", junit)
    assert result.exit_code == 1
    assert "drift" in result.output and "design.json" in result.output
    suite = ET.parse(junit).getroot()
    assert suite.get("failures") == "1" and suite.find("testcase/failure") is not None


def test_profile_that_cannot_be_met_fails_the_check(tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (ROOT / "profiles" / "poc.yaml").read_text().replace("racks: 1", "racks: 1\n  survive_rack_loss: true")
    (profiles / "clash.yaml").write_text(text)
    result = check(profiles, "--outputs", tmp_path / "outputs")
    assert result.exit_code == 1 and "exit 3" in result.output


def test_empty_folder_is_bad_input(tmp_path):
    assert check(tmp_path).exit_code == 2
