"""Diagrams that show the HA (groups, active/passive, racks as failure domains), a failure drawn (`diagram --fail`),
and large designs as pages no larger than A3 landscape (an overview, then a page per cluster or stamp, in order)."""
from __future__ import annotations

import functools
import json
import re

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.model.design import Design
from planner.output import ARTIFACT
from planner.render import diagram
from planner.render.design_index import index
from planner.render.diagram import dot as diagram_dot
from planner.render.diagram.dot import A3_POINTS
from planner.render.diagram.failover import Failure
from planner.render.diagram.ha import marks
from planner.render.theme import FAILED

from conftest import PROFILES, ROOT

pytestmark = pytest.mark.skipif(diagram_dot.shutil.which("dot") is None, reason="Graphviz dot is not installed")
runner = CliRunner()
MEDIUM = ROOT / "outputs/medium/design.json"
READABLE_ON_A3 = 6.5  # points once scaled to the page: 8.7 px at 96 dpi


@functools.cache
def load(name: str) -> Design:
    return Design.model_validate(json.loads((ROOT / "outputs" / name / "design.json").read_text(encoding="utf-8")))


def page_size(svg: bytes) -> tuple[float, float]:
    return tuple(float(v) for v in re.search(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())


def smallest_text(svg: bytes) -> float:
    """Points of the smallest text of a drawn page, once scaled to fit its page."""
    scale = re.search(rb'transform="scale\(([\d.]+)', svg)
    return min(float(s) for s in re.findall(rb'font-size="([\d.]+)"', svg)) * (float(scale.group(1)) if scale else 1)


def test_ha_groups_are_marked_with_their_roles():
    ha = marks(index(load("medium")))
    assert (ha["SQL01"].tag, ha["SQL02"].tag) == ("FCI active", "FCI passive")
    assert (ha["VMM01"].tag, ha["VMM02"].tag) == ("VMM active", "VMM passive")
    assert ha["HNVGW01"].tag == "pair 1 active" and ha["HNVGW02"].tag == "pair 1 passive"
    assert ha["SQL01"].outline == ha["SQL02"].outline != ha["VMM01"].outline
    assert ha["WAPADMAPI01"].tag == "farm 1/2"  # load-balanced: no active/passive
    design = load("medium")
    ag = design.model_copy(update={"sql_instances": [q.model_copy(update={"ha": "availability-group"})
                                                     for q in design.sql_instances]})
    assert (marks(index(ag))["SQL01"].tag, marks(index(ag))["SQL02"].tag) == ("AG primary", "AG secondary")


def test_physical_page_marks_ha_and_racks_as_failure_domains():
    source = diagram.source(load("medium"), "physical", page="MGMT01")
    assert "FCI active" in source and "FCI passive" in source and "VMM passive" in source
    assert "failure domain" in source and "outlined VMs: one HA group each" in source
    logical = diagram.source(load("multi-stamp"), "logical", page="STAMP02")
    assert "S02SQL01 (active), S02SQL02 (passive)" in logical


def test_logical_view_names_a_failover_cluster_instance_as_such():
    """Was: an FCI with a network name was labelled 'availability group' with a 'listener'."""
    source = diagram.source(load("medium"), "logical")
    assert "SQLINST01: failover cluster instance" in source and "network name sql.cloud.local" in source
    assert "availability group" not in source


def test_failure_drawing_crosses_out_the_host_and_draws_each_restart():
    design = load("medium")
    plan = next(p for p in design.failover_plans if p.failed == ["MGMT01-H01"])
    source = diagram.source(design, "physical", failure=Failure(("MGMT01-H01",), plan.restarts, "MGMT01-H01"))
    assert "failover of MGMT01-H01" in source and "MGMT01-H01  FAILED" in source
    assert "COMP01" not in source  # only the cluster that failed
    for vm, target in plan.restarts.items():
        assert f"<S>{vm}</S>" in source and f"→ {target.removeprefix('MGMT01-')}" in source
        assert re.search(rf'"?MGMT01-H01"? -> "?{target}"? \[.*color="{FAILED}"', source), target
    assert source.count("restarted from H01") == len(plan.restarts)


def test_cli_draws_a_failure_from_the_whatif_review(tmp_path):
    out = tmp_path / "fail.dot"
    result = runner.invoke(app, ["diagram", str(MEDIUM), "--fail", "COMP01-H01", "--format", "dot", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "COMP01-H01  FAILED" in text and "tenant VMs restarted" in text
    rack = runner.invoke(app, ["diagram", str(MEDIUM), "--fail-rack", "rack2", "--format", "dot", "--out", "-"])
    assert rack.exit_code == 0 and "failover of rack rack2" in rack.output
    bad = runner.invoke(app, ["diagram", str(MEDIUM), "--fail", "NOPE", "--out", str(tmp_path / "x.svg")])
    assert bad.exit_code == 2 and "no host NOPE" in bad.output and "Traceback" not in bad.output


def test_large_designs_are_an_overview_then_a_page_per_cluster_in_order():
    """Pages: the overview, then STAMP01's clusters before STAMP02's; in a stamp management, edge, then compute
    (the order a stamp is built and read in), each by name. Checked as a rule: the partition may add clusters."""
    design = load("multi-stamp")
    order = diagram.pages(design, "physical")
    assert order[:4] == ["", "MGMT01", "EDGE01", "COMP01"]
    assert sorted(order[1:]) == sorted(c.name for c in design.clusters)
    spec = {c.name: c for c in design.clusters}
    keys = [(spec[n].stamp, ("management", "edge", "compute").index(spec[n].purpose), int(n[4:])) for n in order[1:]]
    assert keys == sorted(keys) and [k[0] for k in keys][-1] == "STAMP03"
    assert diagram.pages(load("poc"), "physical") == [""]
    assert diagram.pages(load("medium"), "logical") == [""]  # one stamp: one page, scaled to fit
    overview = diagram.source(design, "physical", page="")
    assert overview.index("cluster_stamp_STAMP01") < overview.index("cluster_stamp_STAMP02")
    assert all(f"cluster:{c.name}" in overview for c in design.clusters)
    assert all(ARTIFACT.fullmatch(f"diagrams/{diagram.page_name(v, p)}.svg")
               for v, p in [("physical", ""), ("physical", "COMP01"), ("logical", "STAMP02"), ("network", "STAMP02")])


@pytest.mark.parametrize("name,view,page", [("multi-stamp", "physical", ""), ("multi-stamp", "physical", "COMP01"),
                                            ("multi-stamp", "network", ""), ("multi-stamp", "logical", "STAMP02"),
                                            ("medium", "physical", "")])
def test_no_page_is_larger_than_a3_landscape(name, view, page):
    """medium's physical view fitted one A3 page at 0.75, its 8 pt HA tags at 6.0 pt: it is paged now."""
    svg = diagram.draw(load(name), view, "svg", page=page)
    width, height = page_size(svg)
    assert width <= A3_POINTS[0] + 1 and height <= A3_POINTS[1] + 1
    assert smallest_text(svg) >= READABLE_ON_A3, (name, view, page)


@pytest.mark.parametrize("name,view", [(p, v) for p in PROFILES for v in diagram.VIEWS])
def test_every_page_of_every_reference_profile_keeps_its_text_readable_on_a3(name, view):
    """Was: service-provider's one-stamp logical and network views fitted A3 at 0.64 and 0.61, their 9 pt text
    at 5.8 and 5.5 pt."""
    design = load(name)
    pages = diagram.pages(design, view)
    drawn = diagram_dot.render_each([diagram.source(design, view, page=p) for p in pages], ("svg",))
    for page, formats in zip(pages, drawn):
        width, height = page_size(formats["svg"])
        assert width <= A3_POINTS[0] + 1 and height <= A3_POINTS[1] + 1, (name, view, page)
        assert smallest_text(formats["svg"]) >= READABLE_ON_A3, (name, view, page)


def test_cli_writes_every_page_or_the_one_asked_for(tmp_path):
    result = runner.invoke(app, ["diagram", str(MEDIUM), "--format", "dot", "--out", str(tmp_path / "m.dot")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-comp01.dot", "m-edge01.dot", "m-mgmt01.dot", "m.dot"]
    one = runner.invoke(app, ["diagram", str(MEDIUM), "--format", "dot", "--page", "EDGE01", "--out", "-"])
    assert one.exit_code == 0 and "physical view · EDGE01" in one.output
    many = runner.invoke(app, ["diagram", str(MEDIUM), "--format", "dot", "--out", "-"])
    assert many.exit_code == 2 and "--page" in many.output
    wrong = runner.invoke(app, ["diagram", str(MEDIUM), "--page", "COMP09", "--out", "-"])
    assert wrong.exit_code == 2 and "no page 'COMP09'" in wrong.output


def test_cli_writes_the_book_and_replaces_only_its_own(tmp_path):
    """Issue 17: `diagram --book` writes diagrams.pdf as `plan` does (every page of every view, one A3 sheet
    each), again over its own file, never over a file stampplan did not write, and alone (no --view, --page...)."""
    from pypdf import PdfReader
    from planner.output import owned_file
    poc = ROOT / "outputs/poc/design.json"
    target = tmp_path / "book.pdf"
    result = runner.invoke(app, ["diagram", str(poc), "--book", "--out", str(target)])
    assert result.exit_code == 0, result.output
    sheets = PdfReader(target).pages
    assert len(sheets) == sum(len(diagram.pages(load("poc"), view)) for view in diagram.VIEWS)
    assert all(round(float(s.mediabox.width)) >= round(A3_POINTS[0]) for s in sheets) and owned_file(target)
    first = target.read_bytes()
    again = runner.invoke(app, ["diagram", str(poc), "--book", "--out", str(target)])
    assert again.exit_code == 0, again.output
    assert target.read_bytes() == first  # deterministic
    foreign = tmp_path / "mine.pdf"
    foreign.write_bytes(b"%PDF-1.4 someone else's")
    refused = runner.invoke(app, ["diagram", str(poc), "--book", "--out", str(foreign)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert foreign.read_bytes() == b"%PDF-1.4 someone else's"
    both = runner.invoke(app, ["diagram", str(poc), "--book", "--view", "logical", "--out", str(target)])
    assert both.exit_code == 2 and "--book" in both.output
