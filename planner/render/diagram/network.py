"""Network view: the stamp's networks (subnet, VLAN where given) and which hosts and VMs attach to each."""
from __future__ import annotations

from collections import Counter

import graphviz

from planner.ipplan import Subnet
from planner.catalog import role_colour, role_label, role_order
from planner.render.design_index import Facts, count
from planner.render.diagram import firewall
from planner.render.diagram.dot import frame, new_graph, same_rank
from planner.render.diagram.labels import chip, esc, grid, legend, note
from planner.render.diagram.network_links import attachments, plan_endpoints, plan_subnets, vm_groups
from planner.render.theme import NETWORKS, Scale, Theme

VM_COLUMNS = 5
HOST_COLUMNS = 8
BAR_WIDTH = 150
MAX_HOST_LINES = 24  # beyond this many network-to-cluster lines, one line per network and stamp


def build(facts: Facts, theme: Theme, scale: Scale) -> graphviz.Digraph:
    """The network view of a design."""
    design = facts.design
    nets = attachments(facts)
    networks = plan_subnets(facts)
    roles = sorted({vm.role for vm in facts.management_vms()}, key=role_order)
    key = legend([(NETWORKS[n][0], NETWORKS[n][1]) for n in nets] + [(role_label(r), role_colour(r)) for r in roles],
                 ["lines: a host NIC or VM address on that network", "subnets: declared, or carved from the supernet"],
                 theme, scale)
    carved = sum(1 for n in nets if networks[n].carved)
    subtitle = f"{count(len(nets), 'network')} ({carved} carved from the supernet) · {count(len(design.hosts), 'host')}"
    graph = new_graph(f"{design.name}: network view", subtitle, key, theme, scale)
    graph.attr(ranksep="0.8", nodesep="0.3")
    drawn = _draw_vms(graph, facts, nets, theme, scale)
    plan = plan_endpoints(facts)
    for net in nets:
        graph.node(f"net-{net}", label=_network_bar(networks[net], len(plan.get(net, [])), theme, scale))
    firewall.draw(graph, facts, nets, drawn, theme, scale)
    same_rank(graph, firewall.network_order(nets))
    for net, attached in nets.items():
        for group in (g for g in attached["groups"] if g in drawn):
            graph.edge(f"{group}:{net}:s", f"net-{net}:n", color=NETWORKS[net][1], arrowhead="none", penwidth="2")
    if scale.compact or scale.counted:
        _draw_host_tables(graph, facts, nets, theme, scale)
    else:
        _draw_clusters(graph, facts, nets, theme, scale)
    if design.requirements.get("tenants", {}).get("networking", "nvgre") == "nvgre" and "provider_address" in nets:
        tenants = facts.tenant_vms()
        graph.node("tenant-networks", label=note("Tenant virtual networks",
                                                  f"NVGRE over provider address · {count(tenants, 'tenant VM')}",
                                                  theme, scale))
        graph.edge("tenant-networks:s", "net-provider_address:n", color=NETWORKS["provider_address"][1],
                   style="dashed", arrowhead="none", penwidth="2")
    return graph


def _draw_vms(graph: graphviz.Digraph, facts: Facts, nets: dict, theme: Theme, scale: Scale) -> set[str]:
    """Per stamp, a frame with its management VMs, DMZ tier, HNV gateways and VIPs in two rows, each with a port
    per network; on a compact slide the first stamp's only (the others' are counted in their host tables, below
    the networks: the slide half as wide). Returns the groups drawn."""
    drawn: set[str] = set()
    for index, stamp in enumerate(facts.design.stamps):
        if scale.compact and index:
            continue
        groups = _stamp_groups(facts, stamp.name)
        with graph.subgraph(name=f"cluster_vms_{stamp.name}") as box:
            box.attr(**frame(theme, theme.panel, theme.panel_line, f"<<B>{esc(stamp.name)}</B>  virtual machines>",
                             scale))
            for name, vms in groups.items():
                ports = [n for n, a in nets.items() if name in a["groups"]]
                box.node(name, label=_group_box(facts, name, vms, ports, theme, scale))
            names = list(groups)  # in two rows: the frame half as wide
            for upper, lower in zip(names, names[-(-len(names) // 2):]):
                box.edge(upper, lower, style="invis")
        drawn |= set(groups)
    return drawn


def _stamp_groups(facts: Facts, stamp: str) -> dict[str, list]:
    return {n: vms for n, vms in vm_groups(facts).items() if n.startswith(stamp + "/")}


def _stamp_vm_rows(facts: Facts, stamp: str, groups: dict[str, list], span: int, theme: Theme, scale: Scale) -> str:
    """A compact slide's stamp after the first, in its host table: its VMs counted by role, its VIPs counted."""
    roles = Counter(vm.role for vms in groups.values() for vm in vms)
    cells = [chip(role_colour(r), f"{role_label(r)} ×{n}", scale)
             for r, n in sorted(roles.items(), key=lambda kv: role_order(kv[0]))]
    vips = sum(1 for lb in facts.design.load_balancers if lb.stamp == stamp) + sum(
        1 for s in facts.design.sql_instances if s.stamp == stamp and s.listener)
    return (f'<TR><TD COLSPAN="{span}" ALIGN="LEFT"><B>{esc(stamp)} virtual machines</B>  '
            f'<FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{esc(count(vips, "VIP"))}</FONT></TD></TR>'
            f'<TR><TD COLSPAN="{span}" ALIGN="LEFT">{grid(cells, 3)}</TD></TR>')


def _draw_clusters(graph: graphviz.Digraph, facts: Facts, nets: dict, theme: Theme, scale: Scale) -> None:
    """Per stamp, a frame of cluster boxes; a line from each network to each cluster NIC on it, or, when
    that would be more than MAX_HOST_LINES lines, one line per network to each stamp's frame."""
    for stamp in facts.design.stamps:
        with graph.subgraph(name=f"cluster_hosts_{stamp.name}") as box:
            box.attr(**frame(theme, theme.panel, theme.panel_line, f"<<B>{esc(stamp.name)}</B>  hosts>", scale))
            for cluster in facts.stamp_clusters(stamp.name):
                box.node(cluster.name, label=_cluster_box(facts, cluster, nets, theme, scale))
    bundled = sum(len(a["clusters"]) for a in nets.values()) > MAX_HOST_LINES
    if bundled:
        graph.attr(compound="true")
        for cluster in facts.clusters:  # keeps every cluster on the rank below the networks
            graph.edge(f"net-{next(iter(nets))}", cluster.name, style="invis")
    for net, attached in nets.items():
        colour = NETWORKS[net][1]
        if not bundled:
            for cluster in attached["clusters"]:
                graph.edge(f"net-{net}:s", f"{cluster}:{net}:n", color=colour, arrowhead="none", penwidth="2",
                           minlen="2")
            continue
        for stamp in facts.design.stamps:
            members = [c for c in facts.stamp_clusters(stamp.name) if c.name in attached["clusters"]]
            if members:
                graph.edge(f"net-{net}:s", members[len(members) // 2].name, lhead=f"cluster_hosts_{stamp.name}",
                           color=colour, arrowhead="none", penwidth="2.5")


def _draw_host_tables(graph: graphviz.Digraph, facts: Facts, nets: dict, theme: Theme, scale: Scale) -> None:
    """Compact slides: per stamp one box listing its clusters and their NICs (after the first stamp, its VMs
    counted too), in stamp order; a line per network to it."""
    for index, stamp in enumerate(facts.design.stamps):
        clusters = facts.stamp_clusters(stamp.name)
        groups = _stamp_groups(facts, stamp.name) if index and scale.compact else {}
        used = [n for n, a in nets.items()
                if any(c.name in a["clusters"] for c in clusters) or any(g in a["groups"] for g in groups)]
        rows = []
        for cluster in clusters:
            chips = "".join(f'<TD BGCOLOR="{NETWORKS[n][1]}" WIDTH="12" HEIGHT="10" FIXEDSIZE="TRUE"></TD>'
                            if cluster.name in nets[n]["clusters"] else '<TD WIDTH="12"></TD>' for n in used)
            hosts = count(len(facts.hosts.get(cluster.name, [])), "host")
            rows.append(f'<TR><TD ALIGN="LEFT"><B>{esc(cluster.name)}</B>  <FONT POINT-SIZE="{scale.small}" '
                        f'COLOR="{theme.muted}">{esc(cluster.purpose)} · {esc(hosts)}</FONT></TD>{chips}</TR>')
        name = f"{stamp.name}/hosts"
        span = len(used) + 1
        graph.node(name, label=(
            f'<<TABLE BORDER="2" COLOR="{theme.node_line}" BGCOLOR="{theme.group}" CELLBORDER="0" CELLSPACING="3" '
            f'CELLPADDING="2" STYLE="ROUNDED"><TR><TD COLSPAN="{span}">{_ports(used, theme, scale)}</TD></TR>'
            f'{_stamp_vm_rows(facts, stamp.name, groups, span, theme, scale) if groups else ""}'
            f'<TR><TD COLSPAN="{span}" ALIGN="LEFT"><B>{esc(stamp.name)} hosts</B></TD></TR>{"".join(rows)}</TABLE>>'))
        for net in used:
            graph.edge(f"net-{net}:s", f"{name}:{net}:n", color=NETWORKS[net][1], arrowhead="none", penwidth="2")
    same_rank(graph, [f"{stamp.name}/hosts" for stamp in facts.design.stamps])


def _network_bar(subnet: Subnet, addresses: int, theme: Theme, scale: Scale) -> str:
    label, colour = NETWORKS[subnet.name]
    vlan = f"VLAN {subnet.vlan}" if subnet.vlan else ("carved" if subnet.carved else "untagged")
    details = [f"{subnet.cidr} · {vlan}", f"{count(addresses, 'address')} planned"]
    rows = "".join(f'<TR><TD WIDTH="{BAR_WIDTH}"><FONT COLOR="#FFFFFF" POINT-SIZE="{scale.small}">{esc(d)}'
                   f'</FONT></TD></TR>' for d in details)
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{colour}" STYLE="ROUNDED">'
            f'<TR><TD WIDTH="{BAR_WIDTH}"><FONT COLOR="#FFFFFF"><B>{esc(label)}</B></FONT></TD></TR>{rows}</TABLE>>')


def _group_box(facts: Facts, name: str, vms: list, ports: list[str], theme: Theme, scale: Scale) -> str:
    stamp, kind = name.split("/")
    if kind == "vips":
        rows = [f"{lb.vip_fqdn}" for lb in facts.design.load_balancers if lb.stamp == stamp]
        rows += [f"{s.listener} (SQL listener)" for s in facts.design.sql_instances
                 if s.stamp == stamp and s.listener]
        if scale.compact:
            rows = [f"{len(rows)} VIPs and listeners"]
        body = "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}">{esc(r)}</FONT></TD></TR>' for r in rows)
        title = "Load-balancer VIPs and listeners"
    else:
        if scale.compact:
            roles = Counter(vm.role for vm in vms)
            cells = [chip(role_colour(r), f"{role_label(r)} ×{n}", scale)
                     for r, n in sorted(roles.items(), key=lambda kv: role_order(kv[0]))]
        else:
            cells = [chip(role_colour(vm.role), vm.name, scale, ident=f"vm:{vm.name}") for vm in vms]
        body = f'<TR><TD ALIGN="LEFT">{grid(cells, 3 if scale.slide else VM_COLUMNS)}</TD></TR>'
        title = {"gateways": "HNV gateways", "dmz": "Tenant-facing tier (DMZ)"}.get(kind, "Management VMs")
    return (f'<<TABLE BORDER="1" COLOR="{theme.node_line}" BGCOLOR="{theme.node}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="4" STYLE="ROUNDED"><TR><TD ALIGN="LEFT"><B>{esc(title)}</B></TD></TR>{body}'
            f'<TR><TD>{_ports(ports, theme, scale)}</TD></TR></TABLE>>')


def _ports(nets: list[str], theme: Theme, scale: Scale) -> str:
    """A row of coloured NIC cells, each a PORT named after its network (edges attach there)."""
    cells = "".join(f'<TD PORT="{n}" BGCOLOR="{NETWORKS[n][1]}" WIDTH="28" HEIGHT="8" FIXEDSIZE="TRUE"></TD>'
                    for n in nets)
    return (f'<TABLE BORDER="0" CELLSPACING="6" CELLPADDING="0"><TR>{cells}</TR></TABLE>')


def _cluster_box(facts: Facts, cluster, nets: dict, theme: Theme, scale: Scale) -> str:
    hosts = facts.hosts.get(cluster.name, [])
    cells = [f'<TD ID="host:{esc(h.name)}" BORDER="1" COLOR="{theme.node_line}" CELLPADDING="2">'
             f'<FONT POINT-SIZE="{scale.small}">{esc(h.name.removeprefix(cluster.name + "-"))}</FONT></TD>'
             for h in hosts]
    ports = [n for n, a in nets.items() if cluster.name in a["clusters"]]
    return (f'<<TABLE BORDER="2" COLOR="{theme.node_line}" BGCOLOR="{theme.group}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="4" STYLE="ROUNDED"><TR><TD>{_ports(ports, theme, scale)}</TD></TR>'
            f'<TR><TD ALIGN="LEFT"><B>{esc(cluster.name)}</B>  '
            f'<FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{esc(cluster.purpose)} · '
            f'{esc(count(len(hosts), "host"))}</FONT></TD></TR>'
            f'<TR><TD ALIGN="LEFT">{grid(cells, HOST_COLUMNS)}</TD></TR></TABLE>>')
