"""requirements.growth: the design holds the final year under the utilisation ceiling, each year's host count
is a real placement, the validator rejects a wrong schedule, and every output shows it."""
from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from helpers import BASE, requirements
from planner.cli import app
from planner.model.design import Design
from planner.plan import plan
from planner.settings import SolverSettings
from planner.tenant_units import tenant_vm_names, tenant_width
from planner.solve.bounds import host_lower_bound
from planner.solve.cluster import problems
from planner.solve.exact import solve_exact
from planner.solve.problem import ClusterProblem
from planner.validate import validate_design
from planner.validate_growth import check_growth, grown, tenant_vms

FAST = SolverSettings(time_limit=10, workers=1)
GROWTH = {"annual_rate": 0.3, "applies_to": "vms", "years": 3, "utilisation_ceiling": 0.8}
runner = CliRunner()


@cache
def _design(applies_to: str = "vms") -> Design:
    return plan(requirements(**{"tenants.vms_per_tenant": 10, "growth": {**GROWTH, "applies_to": applies_to}}), FAST)


def test_growth_rounds_up_exactly():
    assert grown(100, 0.1, 2) == 121  # 1.1 ** 2 in floating point would give 122
    assert grown(10, 0.3, 3) == 22 and grown(7, 0, 5) == 7 and grown(0, 0.5, 3) == 0
    tenants = {"count": 10, "vms_per_tenant": 4, "vm_roles": [{"instances": 2, "deployments": 3}]}
    assert tenant_vms(tenants, GROWTH, 2) == 10 * 7 + 2 * 6
    assert tenant_vms(tenants, {**GROWTH, "applies_to": "tenants"}, 2) == 17 * 4 + 2 * 6


@pytest.mark.parametrize("field, value, words", [
    ("annual_rate", -0.1, "greater than or equal to 0"), ("annual_rate", 2.5, "less than or equal to 2"),
    ("years", 11, "less than or equal to 10"), ("utilisation_ceiling", 0, "greater than 0"),
    ("utilisation_ceiling", 1.2, "less than or equal to 1"), ("applies_to", "hosts", "'vms' or 'tenants'"),
    ("rate", 0.3, "Extra inputs")])
def test_bad_growth_fields_are_named(field, value, words):
    with pytest.raises(ValidationError) as error:
        requirements(**{f"growth.{field}": value})
    assert f"growth.{field}" in str(error.value).replace("\n", ".") and words in str(error.value)


def test_bad_growth_is_exit_2_naming_the_field(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({**BASE, "growth": {"years": 20}}))
    result = runner.invoke(app, ["plan", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 2 and "growth.years" in result.output and "Traceback" not in result.output


def test_no_growth_section_and_no_growth_are_the_same_design():
    assert requirements().final_year() == requirements()
    assert requirements(growth={"years": 3}).final_year().tenants == requirements().tenants


@pytest.mark.parametrize("applies_to", ["vms", "tenants"])
def test_the_design_holds_the_final_year_under_the_ceiling(applies_to):
    design = _design(applies_to)
    g = design.growth
    assert [y.tenant_vms for y in g.schedule] == [100, 130, 170, 220]
    assert sum(vm.is_tenant for vm in design.vms) == 220 and design.requirements["tenants"]["vms_per_tenant"] == 10
    assert g.schedule[-1].hosts == len(design.hosts) and sum(y.added_hosts for y in g.schedule) == len(design.hosts)
    assert round(sum(y.added_cost for y in g.schedule), 2) == sum(h.price for h in design.hosts)
    hosts = [y.clusters[0].hosts for y in g.schedule]
    assert hosts == sorted(hosts) and hosts[0] < hosts[-1]
    for h in design.hosts:  # 2 x 8 cores x 4 vCPU per core, at most 80 %; memory 80 % of (256 less the reserve)
        if h.cluster.startswith("COMP"):
            assert h.vcpu_capacity == 51 and h.usable_memory_gb <= 0.8 * h.memory_gb
    verdict = validate_design(json.loads(design.to_json()))
    assert verdict.sound, verdict.violations


def _year_problem(design: Design, year: int) -> tuple[ClusterProblem, int]:
    """COMP01's problem with that year's VMs (rebuilt from the requirements, not from the planner's schedule)."""
    req = requirements(**{"tenants.vms_per_tenant": 10, "growth": GROWTH})
    names = tenant_vm_names(req.in_year(year), tenant_width(req.final_year()))
    cluster = next(c for c in design.clusters if c.name == "COMP01")
    vms = [vm for vm in design.vms if vm.cluster == "COMP01" and vm.name in names]
    p = next(p for p in problems(cluster, vms, req.final_year(), {}, 1024) if p.host.model == cluster.host_model)
    return p, design.growth.schedule[year].clusters[0].hosts


@pytest.mark.parametrize("year", [0, 1])
def test_a_years_host_count_holds_that_years_vms_with_n_plus_k(year):
    design = _design()
    p, hosts = _year_problem(design, year)
    placed = solve_exact(p, hosts, None, FAST).placement  # the year's VMs and every k-failure on that many hosts
    assert placed is not None and placed.n <= hosts
    assert len(placed.restarts) == placed.n  # N+1: one restart plan per host, each within capacity (rules.check)
    fewer = solve_exact(p, hosts - 1, None, FAST)
    assert fewer.placement is None and fewer.status == "infeasible"  # and not one host fewer


def test_every_years_host_count_is_the_volume_bound():
    design = _design()
    for year in range(3):
        p, hosts = _year_problem(design, year)
        assert host_lower_bound(p)[0] == hosts  # no fewer hosts can hold the year's vCPU with N+1


@pytest.mark.parametrize("edit, words", [
    (lambda g: g["schedule"][1]["clusters"][0].update(hosts=g["schedule"][1]["clusters"][0]["hosts"] - 1),
     "year 1"),
    (lambda g: g["schedule"][0]["clusters"][0].update(hosts=2), "offer"),
    (lambda g: g["schedule"][2].update(tenant_vms=999), "tenant VMs"),
    (lambda g: g["additional_hosts"].clear(), "bought after day one"),
    (lambda g: g["schedule"][3].update(added_cost=1), "added for"),
    (lambda g: g.update(utilisation_ceiling=1.0), "utilisation_ceiling"),
    (lambda g: g.pop("schedule"), "malformed"),
    (lambda g: g.clear(), "no growth block")])
def test_the_validator_rejects_a_wrong_schedule(edit, words):
    data = json.loads(_design().to_json())
    assert check_growth(data) == []
    bad = copy.deepcopy(data)
    edit(bad["growth"])
    bad["growth"] = bad["growth"] or None
    found = check_growth(bad)
    assert found and any(words in f"{subject} {message}" for _, subject, message in found), found
    assert not validate_design(bad).sound


def test_summary_workbook_report_and_decisions_show_the_years(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({**copy.deepcopy(BASE), "growth": GROWTH}))
    result = runner.invoke(app, ["plan", str(path), "--out", str(tmp_path / "o"), "--time-limit", "10"])
    assert result.exit_code == 0, result.output
    design = json.loads((tmp_path / "o" / "design.json").read_text())
    line = "day one: " + str(design["growth"]["schedule"][0]["hosts"]) + " hosts; year 1: +"
    assert line in result.output.replace("\n", "")
    assert "compute's vCPU and memory used are shares of the 80%" in result.output  # not read as over the ceiling
    import openpyxl
    sheet = openpyxl.load_workbook(tmp_path / "o" / "bom.xlsx")["Growth"]
    rows = [r for r in sheet.iter_rows(values_only=True)][2:]
    assert [r[0] for r in rows] == [0, 1, 2, 3]
    assert [r[3] for r in rows] == [y["hosts"] for y in design["growth"]["schedule"]]
    assert '<section id="growth">' in (tmp_path / "o" / "report.html").read_text()
    assert "Sized for year 3" in (tmp_path / "o" / "decisions.md").read_text()


def test_a_sweep_over_the_growth_rate(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(Path(__file__).resolve().parent.parent.joinpath("profiles", "poc.yaml").read_text()
                    + "growth: {years: 1}\n")
    spec = tmp_path / "s.yaml"
    spec.write_text(f"base: {base}\naxes:\n  growth.annual_rate: [0, 0.5]\n")
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "o"), "--jobs", "1", "-q"])
    assert result.exit_code == 0, result.output
    designs = [json.loads(p.read_text()) for p in sorted((tmp_path / "o" / "variants").glob("*/design.json"))]
    vms = [sum(vm["role"].startswith("tenant") for vm in d["vms"]) for d in designs]
    assert vms[1] > vms[0] and [d["growth"]["annual_rate"] for d in designs] == [0, 0.5]


def test_a_clash_in_the_final_year_says_it_is_the_growth():
    from planner.errors import Infeasible
    with pytest.raises(Infeasible) as error:  # 20 000 VMs fit one stamp on day one; 26 000 in year 1 do not
        plan(requirements(**{"tenants.count": 1, "tenants.vms_per_tenant": 20_000,
                             "growth": {"annual_rate": 0.3, "years": 1}}), FAST)
    assert "in year 1 of growth" in str(error.value) and "26,000" in str(error.value)


def test_the_deck_shows_the_hosts_bought_per_year():
    from test_deck import runs
    from planner.render.deck import deck
    prs, text = runs(deck(_design(), ("cost",)))
    assert len(prs.slides) == 2 and any("Hosts bought per year" in run.text for run in text)


def test_a_compute_host_above_the_ceiling_does_not_answer_the_requirements():
    from planner.conformance import check_requirements
    req = requirements(**{"tenants.vms_per_tenant": 10, "growth": GROWTH})
    data = json.loads(_design().to_json())
    assert check_requirements(data, req) == []
    host = next(h for h in data["hosts"] if h["cluster"] == "COMP01")
    host["vcpu_capacity"] = 64  # the full 2 x 8 cores x 4, not 80 % of it
    found = check_requirements(data, req)
    assert [f.subject for f in found] == [host["name"]] and "utilisation_ceiling" in found[0].message
