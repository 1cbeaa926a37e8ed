"""Issue 15 on the diagrams: the firewall between the DMZ (tenant-facing tier) and the management network, labelled
with the flows security.py's firewall matrix passes through it (network view), the DMZ tier framed with them (logical
view); neither without a DMZ."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from planner.catalog import load_catalog
from planner.model.design import Design
from planner.render import diagram
from planner.render.diagram import dot as diagram_dot
from planner.security import DMZ, MANAGEMENT, between, firewall

from conftest import ROOT

pytestmark = pytest.mark.skipif(diagram_dot.shutil.which("dot") is None, reason="Graphviz dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"


def load(name: str) -> Design:
    return Design.model_validate(json.loads((ROOT / "outputs" / name / "design.json").read_text(encoding="utf-8")))


def svg_items(svg: bytes) -> dict[str, list[str]]:
    """Title of every node and edge of a drawn SVG -> its text lines."""
    items = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is not None and group.get("class") in ("node", "edge"):
            items[title.text] = [t.text for t in group.iter(f"{SVG}text") if t.text]
    return items


@pytest.mark.parametrize("name", ["medium", "service-provider"])
def test_network_view_draws_the_firewall_between_the_dmz_and_the_management_network(name):
    design = load(name)
    items = svg_items(diagram.draw(design, "network", "svg"))
    assert {"net-dmz->firewall", "firewall->net-management"} <= set(items)  # DMZ network -> firewall -> management
    assert any(t.startswith("internet->") and t.endswith("/vips") for t in items)  # Internet -> load balancer
    assert any(t.split(":")[0].endswith("/vips->net-dmz") for t in items)  # load balancer -> DMZ network
    passes = {f"{r.destination} {r.port}" for r in firewall(design)
              if {r.source_zone, r.destination_zone} == {DMZ, MANAGEMENT}}
    assert passes and set(items["firewall"][2:]) == passes, items["firewall"]  # title, direction, then the flows


def test_no_firewall_without_a_dmz():
    design = load("poc")
    assert "dmz" not in design.requirements.get("networks", {})
    items = svg_items(diagram.draw(design, "network", "svg"))
    assert not any("firewall" in title or "internet" in title for title in items)


def test_logical_view_frames_the_dmz_tier_with_what_the_firewall_passes():
    design = load("medium")
    graph = json.loads(diagram_dot.render(diagram.source(design, "logical"), ("json",))["json"])
    by_id = {o["_gvid"]: o for o in graph["objects"]}
    dmz = next(o for o in graph["objects"] if o["name"] == "cluster_dmz_STAMP01")
    facing = load_catalog().tenant_facing()
    assert {by_id[i]["name"] for i in dmz["nodes"]} == {f"STAMP01/{vm.role}" for vm in design.vms
                                                         if vm.role in facing}
    for rule in between(design, DMZ, MANAGEMENT):
        assert f"{rule.destination} {rule.port}" in dmz["label"], rule
    assert "cluster_dmz" not in diagram.source(load("poc"), "logical")
