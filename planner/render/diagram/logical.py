"""Logical view: the management roles of each stamp and how they talk, down to the clusters they manage.

On a compact slide (a large design) a stamp's clusters are one box, and every stamp after the first (the one
with SPF and WAP) is one summary box."""
from __future__ import annotations

import graphviz

from planner.catalog import load_catalog, role_colour, role_label, role_order
from planner.render.design_index import Facts, count, natural
from planner.render.diagram import firewall
from planner.render.diagram.dot import frame, heading, new_graph, same_rank
from planner.render.diagram.labels import esc, legend, note
from planner.render.diagram.logical_boxes import cluster_box, clusters_table, role_box, stamp_box
from planner.render.theme import EDGES, Scale, Theme

SUMMARY_ROWS = 4  # a compact slide's stamp summaries (every stamp after the first): this many to a column, in order
# (four: the most one SPF serves after the first stamp; one column keeps a five-stamp slide at 12 pt x 0.49)


def build(facts: Facts, theme: Theme, scale: Scale) -> graphviz.Digraph:
    """The logical view of a design."""
    design = facts.design
    present = sorted({vm.role for vm in facts.management_vms()}, key=role_order)
    subtitle = (f"{count(len(design.stamps), 'stamp')} · {count(len(present), 'management role')} · "
                f"{design.wap_deployment} WAP · System Center {design.system_center}")
    title = f"{design.name}: logical view"
    graph = new_graph(title, subtitle, None, theme, scale, rankdir="LR")
    graph.attr(ranksep="0.45", nodesep="0.25")
    nodes = _draw_nodes(graph, facts, theme, scale)
    kinds = sorted(_draw_flows(graph, facts, nodes), key=list(EDGES).index)
    key = legend([(role_label(r), role_colour(r)) for r in present]
                 + [(f"{EDGES[k][0]} ({EDGES[k][2]} line)", EDGES[k][1]) for k in kinds], [], theme, scale)
    graph.attr(label=heading(title, subtitle, key, theme, scale))  # the legend names only the lines drawn
    return graph


def _draw_nodes(graph: graphviz.Digraph, facts: Facts, theme: Theme, scale: Scale) -> dict[tuple[str, str], list]:
    """Every node; returns (stamp or '', flow end) -> the node names (or node:port) it stands for."""
    design = facts.design
    nodes: dict[tuple[str, str], list] = {}
    tenants = sum(s.tenants for s in design.stamps)
    graph.node("tenants", label=note("Tenants", f"{count(tenants, 'tenant')} · Internet", theme, scale))
    graph.node("admins", label=note("Cloud administrators", "corporate network", theme, scale))
    nodes[("", "tenants")], nodes[("", "admins")] = ["tenants"], ["admins"]
    networking = design.requirements.get("tenants", {}).get("networking", "nvgre")
    dmz = firewall.dmz_frame(facts, theme, scale)
    for index, stamp in enumerate(design.stamps):
        roles = facts.role_vms(stamp.name)
        if scale.compact and index:
            name = f"{stamp.name}/summary"
            graph.node(name, label=stamp_box(facts, stamp, theme, scale))
            for end in [*roles, "clusters", "compute", "tenant-networks"]:
                nodes[(stamp.name, end)] = [name]
            continue
        with graph.subgraph(name=f"cluster_stamp_{stamp.name}") as box:
            box.attr(**frame(theme, theme.panel, theme.panel_line, f"<<B>{esc(stamp.name)}</B>  "
                             f"VMM stamp · {esc(count(stamp.tenants, 'tenant'))}>", scale))
            _draw_roles(box, facts, stamp.name, roles, nodes, dmz, theme, scale)
            clusters = facts.stamp_clusters(stamp.name)
            compute = [c.name for c in clusters if c.purpose == "compute"]
            if scale.compact or scale.counted:
                name = f"{stamp.name}/clusters"
                box.node(name, label=clusters_table(facts, clusters, theme, scale))
                nodes[(stamp.name, "clusters")] = [name]
                nodes[(stamp.name, "compute")] = [f"{name}:{c}" for c in compute]
            else:
                for cluster in clusters:
                    box.node(cluster.name, label=cluster_box(facts, cluster, theme, scale))
                nodes[(stamp.name, "clusters")] = [c.name for c in clusters]
                nodes[(stamp.name, "compute")] = compute
            if "hnv-gateway" in roles:
                name = f"{stamp.name}/tenant-networks"
                vms = facts.tenant_vms([c.name for c in clusters])
                box.node(name, label=note("Tenant virtual networks",
                                            f"{networking.upper()} · {count(vms, 'tenant VM')}", theme, scale))
                nodes[(stamp.name, "tenant-networks")] = [name]
    summaries = [f"{s.name}/summary" for s in design.stamps[1:]] if scale.compact else []
    for left, right in zip(summaries, summaries[SUMMARY_ROWS:]):  # in columns of SUMMARY_ROWS
        graph.edge(left, right, style="invis")
    for top in range(0, len(summaries), SUMMARY_ROWS):  # STAMP02 above STAMP03
        same_rank(graph, summaries[top:top + SUMMARY_ROWS])
    if any(r == "hnv-gateway" for _, r in nodes):
        graph.node("internet", label=note("Outside networks", "Internet · WAN · VPN", theme, scale))
        nodes[("", "internet")] = ["internet"]
    return nodes


def _draw_roles(box: graphviz.Digraph, facts: Facts, stamp: str, roles: dict, nodes: dict, dmz: dict | None,
                theme: Theme, scale: Scale) -> None:
    """A stamp's role boxes; with a DMZ network, its tenant-facing roles in the `dmz` frame (firewall.dmz_frame)."""
    facing = load_catalog().tenant_facing() if dmz else set()
    ordered = sorted(roles.items(), key=lambda kv: role_order(kv[0]))

    def draw(target: graphviz.Digraph, items: list) -> None:
        for role, vms in items:
            target.node(f"{stamp}/{role}", label=role_box(facts, stamp, role, vms, theme, scale))
            nodes[(stamp, role)] = [f"{stamp}/{role}"]
    draw(box, [kv for kv in ordered if kv[0] not in facing])
    if any(role in facing for role in roles):
        with box.subgraph(name=f"cluster_dmz_{stamp}") as inner:
            inner.attr(**dmz)
            draw(inner, [kv for kv in ordered if kv[0] in facing])


def _draw_flows(graph: graphviz.Digraph, facts: Facts, nodes: dict[tuple[str, str], list]) -> set[str]:
    """Draw every flow whose ends exist (a flow end "clusters" is every cluster of the stamp, "compute" its compute
    clusters), and the database lines to each stamp's SQL; return the kinds drawn."""
    stamps = [s.name for s in facts.design.stamps]
    edges: list[tuple[str, str, str]] = []
    for flow in load_catalog().flows():  # who talks to whom: roles.yaml `talks_to`
        edges += [(a, b, flow.kind) for a, b in _pairs(nodes, stamps, flow.source, flow.to)]
    for sql in facts.design.sql_instances:
        target = nodes.get((sql.stamp, "sql"))
        for role in sorted({db.role for db in sql.databases} - {"sql"}, key=role_order):
            owner = nodes.get((sql.stamp, role)) or nodes.get((stamps[0], role))
            if target and owner:
                edges.append((owner[0], target[0], "data"))
    drawn = []  # once each; none within one node (a compact slide's stamp summary)
    for a, b, kind in edges:
        if (a, b, kind) not in drawn and a.split(":")[0] != b.split(":")[0]:
            _edge(graph, a, b, kind)
            drawn.append((a, b, kind))
    return {kind for _, _, kind in drawn}


def _pairs(nodes: dict, stamps: list[str], source: str, target: str) -> list[tuple[str, str]]:
    """Node pairs of one flow: within a stamp, or from a global role or pseudo-node to every stamp."""
    pairs = []
    for stamp in stamps:
        ends = [nodes.get((stamp, end)) or nodes.get(("", end)) or nodes.get((stamps[0], end)) or []
                for end in (source, target)]
        pairs += [(a, b) for a in ends[0] for b in ends[1]]
    return sorted(set(pairs), key=lambda p: (natural(p[0]), natural(p[1])))


def _edge(graph: graphviz.Digraph, a: str, b: str, kind: str) -> None:
    _, colour, style = EDGES[kind]
    graph.edge(a, b, color=colour, style=style, penwidth="1.6" if style == "dotted" else "1.2")
