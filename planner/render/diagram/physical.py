"""Physical view: racks holding clusters, hosts (model, utilisation) and the VMs on each host.

On a page every host is a box, its management VMs marked by HA group (planner/render/diagram/ha.py). On a
slide, compute hosts of a cluster in a rack share one box; on a compact slide (a large design) a rack is a table
with a line per cluster, racks side by side. A page may show some clusters only (a page of a large design), or a
failure: the failed hosts' clusters with where each VM restarts (planner/render/diagram/failover.py).
"""
from __future__ import annotations

import graphviz

from planner.catalog import role_colour, role_label, role_order
from planner.render.design_index import Facts, count, natural
from planner.render.diagram.dot import A3_POINTS, frame, new_graph, same_rank
from planner.render.diagram.failover import Failure
from planner.render.diagram.ha import marks
from planner.render.diagram.labels import esc, legend
from planner.render.diagram.physical_boxes import (VM_COLUMNS, host_label, host_width, named_vms, rack_table,
                                                   summary_label)
from planner.render.theme import FAILED, Scale, Theme

COMPACT_COLUMN, COMPACT_LINE = 340, 17  # estimated width of a compact rack's column, height of a line
SUMMARY_MIN_HOSTS = 3  # on a slide, compute hosts of a cluster in a rack share a box from this many


def build(facts: Facts, theme: Theme, scale: Scale, clusters: list[str] | None = None,
          failure: Failure | None = None) -> graphviz.Digraph:
    """The physical view of a design, or of `clusters` only, or of the clusters a `failure` hits."""
    design = facts.design
    if failure is not None:
        clusters = failure.clusters(facts)
    blocks = _blocks(facts, clusters)
    hosts = [h for block in blocks.values() for _, hs in block for h in hs]
    vms = sum(facts.load[h.name].vms for h in hosts)
    subtitle = (f"{count(len(hosts), 'host')} in {count(len(blocks), 'rack')} · "
                f"{count(len({h.cluster for h in hosts}), 'cluster')} · {count(vms, 'VM')}")
    title = f"{design.name}: physical view" + (f" · {', '.join(clusters)}" if clusters else "")
    ha = marks(facts)
    notes = ["racks are failure domains", "bars: vCPU and memory (GB) used of what the hosts may carry"]
    if any(vm.name in ha for h in hosts for vm in facts.vms[h.name]):
        notes.insert(1, "outlined VMs: one HA group each (tag: the initial active / primary node)")
    if failure is not None:
        title = f"{design.name}: failover of {failure.title or ', '.join(failure.failed)}"
        moved = [n for _, _, n in failure.lines(facts)]
        subtitle = (f"{count(len(failure.failed), 'host')} failed · {count(sum(moved), 'VM')} restart on "
                    f"{count(len({b for _, b, _ in failure.lines(facts)}), 'host')}"
                    + (f" · {failure.stranded(facts):,} cannot restart" if failure.stranded(facts) else ""))
        notes[1:1] = ["× failed host: each VM struck through with where it restarts",
                      "red outline: restarted here; bars show the load after the failover"]
    roles = sorted({vm.role for h in hosts for vm in facts.vms[h.name]}, key=role_order)
    key = legend([(role_label(r), role_colour(r)) for r in roles], notes, theme, scale)
    graph = new_graph(title, subtitle, key, theme, scale)
    if scale.compact:
        _compact_racks(graph, facts, blocks, theme, scale)
        return graph
    columns = _columns(facts, blocks, scale, failure)
    look = (ha, failure)
    for rack, block in blocks.items():
        with graph.subgraph(name=f"cluster_rack_{rack}") as sub:
            sub.attr(**frame(theme, theme.panel, theme.panel_line, f"<<B>{esc(rack)}</B>  failure domain>", scale))
            above: list[str] = []
            for cluster, cluster_hosts in block:
                above = _cluster_block(sub, facts, cluster, cluster_hosts, above, columns, theme, scale, look)
    for source, target, n in failure.lines(facts) if failure else []:
        graph.edge(source, target, label=count(n, "VM"), color=FAILED, fontcolor=FAILED, penwidth="2",
                   constraint="false")
    return graph


def _compact_racks(graph: graphviz.Digraph, facts: Facts, blocks: dict[str, list[tuple[str, list]]], theme: Theme,
                   scale: Scale) -> None:
    """A compact slide: each rack a table of its clusters, a line each; the racks in a grid, row by row."""
    specs = {c.name: c for c in facts.clusters}
    across, columns = _rack_grid(len(blocks), max(len(b) for b in blocks.values()))
    names = [f"rack_{rack}" for rack in blocks]
    for rack, name in zip(blocks, names):
        with graph.subgraph(name=f"cluster_rack_{rack}") as sub:
            sub.attr(**frame(theme, theme.panel, theme.panel_line, f"<<B>{esc(rack)}</B>>", scale))
            sub.node(name, label=rack_table(facts, [(specs[c], h) for c, h in blocks[rack]], columns, theme, scale))
    for i in range(0, len(names), across):
        same_rank(graph, names[i:i + across])
    for upper, lower in zip(names, names[across:]):
        graph.edge(upper, lower, style="invis")


def _rack_grid(racks: int, lines: int) -> tuple[int, int]:
    """(racks side by side, columns of cluster lines in a rack) giving a compact slide the largest scale,
    from estimated sizes (points) of a line and a column of lines."""
    best, best_scale = (racks, 1), 0.0
    for across in range(1, racks + 1):
        for columns in range(1, 4):
            width = across * (columns * COMPACT_COLUMN + 30)
            height = -(-racks // across) * (-(-lines // columns) * COMPACT_LINE + 70) + 130
            fit = min(13.333 * 72 / width, 7.5 * 72 / height)
            if fit > best_scale + 0.01:
                best, best_scale = (across, columns), fit
    return best


def _blocks(facts: Facts, clusters: list[str] | None = None) -> dict[str, list[tuple[str, list]]]:
    """rack -> [(cluster, its hosts in that rack)], clusters in cluster_order; only racks holding one of
    `clusters` (every cluster when None)."""
    blocks: dict[str, list[tuple[str, list]]] = {rack: [] for rack in facts.racks}
    for cluster in facts.clusters:
        if clusters is not None and cluster.name not in clusters:
            continue
        by_rack: dict[str, list] = {}
        for host in facts.hosts.get(cluster.name, []):
            by_rack.setdefault(host.fault_domain, []).append(host)
        for rack in sorted(by_rack, key=natural):
            blocks[rack].append((cluster.name, by_rack[rack]))
    return {rack: block for rack, block in blocks.items() if block}


def _summarised(facts: Facts, hosts: list, scale: Scale) -> bool:
    compute = next(c.purpose for c in facts.clusters if c.name == hosts[0].cluster) == "compute"
    return scale.slide and compute and len(hosts) >= SUMMARY_MIN_HOSTS


def _columns(facts: Facts, blocks: dict[str, list[tuple[str, list]]], scale: Scale,
             failure: Failure | None = None) -> int:
    """Hosts side by side in a cluster block: the count giving the most nearly landscape drawing (on a page,
    no wider than A3 where one column allows)."""
    target = 16 / 9 if scale.slide else 1.6
    width = host_width(scale) + 30
    best, best_gap = 1, float("inf")
    for columns in range(1, 6):
        if columns > 1 and not scale.slide and len(blocks) * columns * width > A3_POINTS[0]:
            break
        height = max((sum(_block_height(facts, hosts, columns, scale, failure) for _, hosts in block)
                      for block in blocks.values()), default=1) + 140
        gap = abs(len(blocks) * columns * width / height - target)
        if gap < best_gap - 0.1:
            best, best_gap = columns, gap
    return best


def _block_height(facts: Facts, hosts: list, columns: int, scale: Scale, failure: Failure | None = None) -> float:
    """Estimated height (points) of a cluster block laid out `columns` hosts to a row."""
    line = scale.text * 1.9
    if _summarised(facts, hosts, scale):
        return 6 * line
    total = 2 * line
    for i in range(0, len(hosts), columns):
        chips = max(-(-named_vms(facts, h, failure) // VM_COLUMNS) for h in hosts[i:i + columns])
        total += (4 + chips) * line
    return total


def _cluster_block(sub, facts: Facts, cluster: str, hosts: list, above: list[str], columns: int,
                   theme: Theme, scale: Scale, look: tuple) -> list[str]:
    """Draw one cluster's hosts in one rack as a grid below `above`; return the names of its last row.
    `look`: (HA marks, failure or None)."""
    spec = next(c for c in facts.clusters if c.name == cluster)
    rack = hosts[0].fault_domain
    tolerance = f"N+{spec.failures_tolerated}" + (" +rack" if spec.fault_domain_tolerance else "")
    title = f"<<B>{esc(cluster)}</B>  {esc(spec.purpose)} · {esc(tolerance)} · {esc(spec.stamp)}>"
    with sub.subgraph(name=f"cluster_{rack}_{cluster}") as box:
        box.attr(**frame(theme, theme.group, theme.node_line, title, scale))
        if _summarised(facts, hosts, scale):
            name = f"{cluster}@{rack}"
            box.node(name, label=summary_label(facts, cluster, hosts, theme, scale))
            rows = [[name]]
        else:
            rows = []
            for i in range(0, len(hosts), columns):
                row = hosts[i:i + columns]
                lines = max(-(-named_vms(facts, h, look[1]) // VM_COLUMNS) for h in row)
                for host in row:
                    box.node(host.name, label=host_label(facts, host, lines, theme, scale, *look))
                rows.append([h.name for h in row])
                same_rank(box, rows[-1])
    for upper, lower in zip([above] + rows, rows):  # stack the rows, columns aligned left
        for top, bottom in zip(upper, lower):
            sub.edge(top, bottom, style="invis", weight="10")
    return rows[-1]
