"""`stampplan sweep`: variants expanded as written, planned as `plan` would, the same bytes with any
number of workers or on Ray, failures as rows, Ctrl-C keeps what finished, --resume skips it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pptx.util import Pt
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError
from planner.sweep import run as sweep_run
from planner.sweep.spec import load_sweep
from test_deck import runs

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _sweep(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"base: {ROOT / 'profiles' / 'poc.yaml'}\n" + body)
    return path


AXES = "axes:\n  availability.compute.host_failures: [0, 1]\n  hardware.host_models.0.price: {from: 6000, to: 7000, step: 1000}\n"
OPTIONS = ("options:\n  - {name: Option A, set: {tenants.count: 5}}\n"
           "  - {name: Option B, set: {availability.management.host_failures: 3, hardware.max_hosts_per_cluster: 2}}\n")


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_axes_give_every_combination_in_order(tmp_path):
    base, variants = load_sweep(_sweep(tmp_path, AXES))
    assert [v.name for v in variants] == ["host_failures=0 price=6000", "host_failures=0 price=7000",
                                          "host_failures=1 price=6000", "host_failures=1 price=7000"]
    assert variants[2].requirements.availability.compute.host_failures == 1
    assert variants[2].requirements.hardware.host_models[0].price == 6000
    assert variants[1].differs(base) == "(the base)"
    assert variants[0].slug == "001-host-failures-0-price-6000"


@pytest.mark.parametrize("body, message", [
    ("axes: {}\n", "either 'axes'"),
    ("axes:\n  tenants.count: []\n", "no values"),
    ("axes:\n  Tenants..count: [1]\n", "not a dotted field path"),
    ("axes:\n  tenants.count: [1, -4]\n", "tenants.count"),
    ("axes:\n  hardware.host_models.7.price: [1]\n", "not an index"),
    ("axes:\n  tenants.count: {from: 1, to: 5000}\n  racks.x: {from: 1, to: 5}\n", "more than the 1,000"),
    ("options:\n  - {name: A, set: {tenants.count: 1}}\n  - {name: a, set: {tenants.count: 2}}\n", "same name"),
])
def test_bad_sweep_files_are_refused_with_the_field_named(tmp_path, body, message):
    with pytest.raises(InputError, match=message):
        load_sweep(_sweep(tmp_path, body))
    result = runner.invoke(app, ["sweep", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and not (tmp_path / "o").exists()


def test_one_or_two_workers_give_the_same_bytes_and_failures_are_rows(tmp_path):
    path = _sweep(tmp_path, OPTIONS)
    for jobs in ("1", "2"):
        result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / jobs), "--jobs", jobs, "-q"])
        assert result.exit_code == 0, result.output
    one, two = _files(tmp_path / "1"), _files(tmp_path / "2")
    assert one == two
    assert sorted(one) == ["comparison.csv", "comparison.md", "comparison.xlsx", "options.pptx", "pareto.png",
                           "pareto.svg", "sweep.json", "variants/001-option-a/design.json"]
    record = json.loads(one["sweep.json"])
    assert [v["status"] for v in record["variants"]] == ["ok", "infeasible"]
    assert "cannot survive 3 host failures with at most 2 hosts" in record["variants"][1]["message"]

    prs, text = runs(one["options.pptx"])  # the presenter's slides: readable when projected
    assert len(prs.slides) == 3 and text and all(run.font.size >= Pt(18) for run in text)
    assert any("Option A" in run.text for run in text)
    plan = runner.invoke(app, ["plan", str(ROOT / "profiles" / "poc.yaml"), "--out", str(tmp_path / "p"), "-q"])
    assert plan.exit_code == 0  # planned exactly as plan would: the same design.json
    assert one["variants/001-option-a/design.json"] == (tmp_path / "p" / "design.json").read_bytes()


def test_ctrl_c_keeps_the_finished_variants_and_resume_plans_the_rest(tmp_path, monkeypatch):
    path = _sweep(tmp_path, AXES)
    real = sweep_run.plan_variant
    calls = []

    def interrupted_after_two(task):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(task.slug)
        return real(task)

    monkeypatch.setattr(sweep_run, "plan_variant", interrupted_after_two)
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o"), "--jobs", "1", "-q"])
    assert result.exit_code == 130
    record = json.loads((tmp_path / "o" / "sweep.json").read_text())
    assert [v["status"] for v in record["variants"]] == ["ok", "ok", "not run", "not run"]
    monkeypatch.setattr(sweep_run, "plan_variant", lambda task: calls.append(task.slug) or real(task))
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o"), "--jobs", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert calls[2:] == ["003-host-failures-1-price-6000", "004-host-failures-1-price-7000"]
    fresh = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "f"), "--jobs", "1", "-q"])
    assert fresh.exit_code == 0 and _files(tmp_path / "o") == _files(tmp_path / "f")


def test_pareto_marks_the_cheapest_at_each_resilience(tmp_path):
    result = runner.invoke(app, ["sweep", str(_sweep(tmp_path, AXES)), "--out", str(tmp_path / "o"), "-q",
                                 "--jobs", "1"])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "o" / "comparison.csv").read_text().splitlines()[1:]
    marked = {line.split(",")[0]: "resilience" in line for line in lines}
    assert marked == {"host_failures=0 price=6000": True, "host_failures=0 price=7000": False,
                      "host_failures=1 price=6000": True, "host_failures=1 price=7000": False}


def test_the_default_jobs_are_the_cores_and_a_ray_address_nobody_listens_on_is_exit_2(tmp_path):
    path = _sweep(tmp_path, "options:\n  - {name: A, set: {tenants.count: 5}}\n")
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o"), "--engine", "local",
                                 "--address", "127.0.0.1:1"])
    assert result.exit_code == 2 and "--engine ray" in result.output
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o"), "--engine", "ray",
                                 "--address", "127.0.0.1:1"])  # Ray alone waited minutes
    assert result.exit_code == 2 and "no Ray cluster answers" in result.output


def test_a_foreign_folder_is_refused_before_planning(tmp_path):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["sweep", str(_sweep(tmp_path, OPTIONS)), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and (tmp_path / "o" / "notes.txt").read_text() == "mine"


def test_ray_gives_the_same_bytes_as_the_local_pool(tmp_path):
    pytest.importorskip("ray")
    path = _sweep(tmp_path, OPTIONS)
    for engine in ("local", "ray"):
        result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / engine), "--engine", engine,
                                     "--jobs", "2", "-q"])
        assert result.exit_code == 0, result.output
    assert _files(tmp_path / "local") == _files(tmp_path / "ray")
