"""The firewall between the DMZ and the management network, labelled with the flows security.py's firewall matrix
passes through it. The network view: the Internet reaches the load balancer, the load balancer the DMZ network, and
the firewall stands between the DMZ network and the management network; the logical view: a stamp's tenant-facing
roles in a DMZ frame. Drawn only when the design has a DMZ network."""
from __future__ import annotations

import graphviz

from planner.catalog import load_catalog
from planner.render.design_index import Facts
from planner.render.diagram.labels import esc, note
from planner.render.theme import FIREWALL, NETWORKS, Scale, Theme
from planner.security import DMZ, MANAGEMENT, Rule, between


def network_order(nets: dict) -> list[str]:
    """The network view's row of networks, left to right: with a DMZ, the DMZ network, the firewall and the
    management network first, then the others in the IP plan's order."""
    if not {"dmz", "management"} <= set(nets):
        return [f"net-{n}" for n in nets]
    return ["net-dmz", "firewall", "net-management", *(f"net-{n}" for n in nets if n not in ("dmz", "management"))]


def draw(graph: graphviz.Digraph, facts: Facts, nets: dict, drawn: set[str], theme: Theme, scale: Scale) -> None:
    """Internet -> each drawn stamp's load balancer (its VIPs box) -> DMZ network -> firewall -> management
    network, when the design has both networks."""
    if not {"dmz", "management"} <= set(nets):
        return
    design = facts.design
    inbound = dict.fromkeys(r.port for r in _between(facts, "Internet", DMZ))
    graph.node("internet", label=note("Internet", "tenants: " + ", ".join(inbound), theme, scale))
    colour = NETWORKS["dmz"][1]
    for stamp in design.stamps:
        if f"{stamp.name}/dmz" in drawn:
            balancer = f"{stamp.name}/vips"
            if balancer in drawn:
                graph.edge("internet", balancer, color=theme.edge, penwidth="1.6")
                graph.edge(balancer, "net-dmz:n", color=colour, penwidth="2", style="dashed")
            else:
                graph.edge("internet", "net-dmz:n", color=colour, penwidth="2", style="dashed")
    graph.node("firewall", label=_label(_between(facts, DMZ, MANAGEMENT), theme, scale))
    graph.edge("net-dmz", "firewall", color=FIREWALL, penwidth="2.5")
    graph.edge("firewall", "net-management", color=FIREWALL, penwidth="2.5")


def _label(rules: list, theme: Theme, scale: Scale) -> str:
    """The firewall: its directions, then each destination and port it passes, once."""
    ways = " · ".join(dict.fromkeys(f"{r.source_zone} to {r.destination_zone}" for r in rules)) or "passes nothing"
    flows = dict.fromkeys(f"{r.destination} {r.port}" for r in rules)
    rows = "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}">{esc(flow)}</FONT></TD></TR>'
                   for flow in flows)
    return (f'<<TABLE BORDER="2" COLOR="{FIREWALL}" BGCOLOR="{theme.node}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="3" STYLE="ROUNDED"><TR><TD BGCOLOR="{FIREWALL}"><FONT COLOR="#FFFFFF"><B>Firewall</B>'
            f'</FONT></TD></TR><TR><TD><FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{esc(ways)}</FONT>'
            f'</TD></TR>{rows}</TABLE>>')


def dmz_frame(facts: Facts, theme: Theme, scale: Scale) -> dict | None:
    """The attributes of the logical view's DMZ frame (a stamp's tenant-facing roles), labelled with what the firewall
    passes to the management network; None without a DMZ network (the IP plan has one when a tenant-facing VM is)."""
    facing = load_catalog().tenant_facing()
    if not any(vm.role in facing for vm in facts.management_vms()):
        return None
    flows = ", ".join(dict.fromkeys(f"{r.destination} {r.port}" for r in _between(facts, DMZ, MANAGEMENT)))
    return {"label": f"<<B>DMZ</B>  tenant-facing tier · the firewall to the management network passes "
                     f"{esc(flows) or 'nothing'}>", "style": "rounded,dashed", "color": FIREWALL,
            "fontcolor": theme.text, "fontsize": str(scale.small), "labeljust": "l", "margin": "8", "penwidth": "2"}


def _between(facts: Facts, zone_a: str, zone_b: str) -> list[Rule]:
    """security.between of the design, once per index."""
    return facts.memo((between, zone_a, zone_b), lambda: between(facts.design, zone_a, zone_b))
