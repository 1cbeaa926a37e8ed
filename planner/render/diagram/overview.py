"""The overview page of a physical view too large for one page: each stamp with its clusters (purpose, N+k, hosts
per rack, usage, VMs by role), the clusters in the order of their own pages (physical-<cluster>.*)."""
from __future__ import annotations

from collections import Counter

import graphviz

from planner.catalog import role_colour, role_label, role_order
from planner.render.design_index import Facts, count, natural
from planner.render.diagram.dot import A3_POINTS, frame, new_graph, same_rank
from planner.render.diagram.labels import chip, esc, grid, legend
from planner.render.diagram.physical_boxes import host_width, usage_rows
from planner.render.theme import INK, PURPOSES, Scale, Theme

BOX_ROW = 190  # estimated height (points) of a row of cluster boxes in a stamp frame, with the frame's share
HEADING = 150  # estimated height (points) of the title and legend


def build(facts: Facts, theme: Theme, scale: Scale) -> graphviz.Digraph:
    """The overview page: stamps top to bottom (STAMP01 first), their clusters in cluster_order, `_across` to a row."""
    design = facts.design
    subtitle = (f"{count(len(design.stamps), 'stamp')} · {count(len(design.clusters), 'cluster')} · "
                f"{count(len(design.hosts), 'host')} in {count(len(facts.racks), 'rack')} · "
                f"{count(len(design.vms), 'VM')}")
    key = legend([(purpose, colour) for purpose, colour in PURPOSES.items()],
                 ["one page per cluster follows (physical-<cluster>)", "racks are failure domains: hosts per rack",
                  "bars: vCPU and memory (GB) used of what the hosts may carry"], theme, scale)
    graph = new_graph(f"{design.name}: physical overview", subtitle, key, theme, scale)
    chain: list[str] = []  # the first cluster of every row, top to bottom
    across = _across(facts, scale)
    for stamp in sorted(design.stamps, key=lambda s: natural(s.name)):
        clusters = facts.stamp_clusters(stamp.name)
        if not clusters:
            continue
        with graph.subgraph(name=f"cluster_stamp_{stamp.name}") as box:
            box.attr(**frame(theme, theme.panel, theme.panel_line, f"<<B>{esc(stamp.name)}</B>  VMM stamp · "
                             f"{esc(count(stamp.tenants, 'tenant'))}>", scale))
            rows = [[c.name for c in clusters[i:i + across]] for i in range(0, len(clusters), across)]
            for cluster in clusters:
                box.node(cluster.name, label=cluster_box(facts, cluster, theme, scale))
            for row in rows:
                same_rank(box, row)
        chain += [row[0] for row in rows]
    for upper, lower in zip(chain, chain[1:]):
        graph.edge(upper, lower, style="invis", weight="10")
    return graph


def _across(facts: Facts, scale: Scale) -> int:
    """Cluster boxes to a row: the count giving the page the largest scale on A3 landscape (never above 1; then the
    most to a row), from estimated sizes (multi-stamp's five clusters a stamp in one row: 0.79; in rows of four it
    was 0.68, its 9 pt text below 6.5 pt)."""
    sizes = [len(facts.stamp_clusters(s.name)) for s in facts.design.stamps] or [1]
    width = host_width(scale) + 24

    def fit(across: int) -> float:
        rows = sum(-(-n // across) for n in sizes if n)
        return min(A3_POINTS[0] / (across * width + 40), A3_POINTS[1] / (rows * BOX_ROW + HEADING))
    return max(range(1, max(sizes) + 1), key=lambda across: (min(1.0, round(fit(across), 2)), across))


def cluster_box(facts: Facts, cluster, theme: Theme, scale: Scale) -> str:
    """A cluster: purpose, N+k, hosts and model, hosts per rack, usage bars, management VMs by role, tenant VMs."""
    hosts = facts.hosts.get(cluster.name, [])
    load, vcpu, memory = facts.cluster_load(cluster.name)
    racks = Counter(h.fault_domain for h in hosts)
    tolerance = f"N+{cluster.failures_tolerated}" + (" +rack" if cluster.fault_domain_tolerance else "")
    small = f'<FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">'
    roles = Counter(vm.role for h in hosts for vm in facts.vms[h.name] if not vm.is_tenant)
    cells = [chip(role_colour(r), f"{role_label(r)} ×{n}", scale)
             for r, n in sorted(roles.items(), key=lambda kv: role_order(kv[0]))]
    model = f" × {cluster.host_model}" if cluster.host_model else ""
    rows = [f'<TR><TD COLSPAN="3" ALIGN="LEFT" BGCOLOR="{PURPOSES.get(cluster.purpose, theme.panel)}">'
            f'<FONT COLOR="{INK}"><B>{esc(cluster.name)}</B>  {esc(cluster.purpose)} · {esc(tolerance)}</FONT></TD></TR>',
            f'<TR><TD COLSPAN="3" ALIGN="LEFT">{esc(count(len(hosts), "host"))}{esc(model)}</TD></TR>',
            f'<TR><TD COLSPAN="3" ALIGN="LEFT">{small}'
            f'{esc(" · ".join(f"{r} {n}" for r, n in sorted(racks.items(), key=lambda kv: natural(kv[0]))))}'
            f'</FONT></TD></TR>',
            usage_rows(load.vcpu, vcpu, load.memory_gb, memory, theme, scale)]
    if cells:
        rows.append(f'<TR><TD COLSPAN="3" ALIGN="LEFT">{grid(cells, 2)}</TD></TR>')
    if load.tenants:
        rows.append(f'<TR><TD COLSPAN="3" ALIGN="LEFT">{esc(count(load.tenants, "tenant VM"))}</TD></TR>')
    return (f'<<TABLE ID="cluster:{esc(cluster.name)}" BORDER="1" COLOR="{theme.node_line}" BGCOLOR="{theme.node}" '
            f'CELLBORDER="0" CELLSPACING="1" CELLPADDING="3" WIDTH="{host_width(scale)}" STYLE="ROUNDED">'
            f'{"".join(rows)}</TABLE>>')
