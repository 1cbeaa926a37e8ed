"""The boxes of the logical view: a role (VMs, size, VIP, SQL databases), a cluster, a stamp's clusters, a stamp."""
from __future__ import annotations

from planner.catalog import load_catalog, role_colour, role_label, role_order
from planner.render.design_index import Facts, count, natural
from planner.render.diagram.ha import marks, part
from planner.render.diagram.labels import chip, esc, grid
from planner.render.theme import INK, Scale, Theme

MAX_NAMES = 3  # VM names listed in a role box; more become "first … last"
HOST_COLUMNS = 8


def role_box(facts: Facts, stamp: str, role: str, vms: list, theme: Theme, scale: Scale) -> str:
    ha = marks(facts)
    names = [vm.name + (f" ({part(ha.get(vm.name))})" if part(ha.get(vm.name)) else "") for vm in vms]
    shown = ", ".join(names) if len(names) <= MAX_NAMES else f"{names[0]} … {names[-1]}"
    first = vms[0]
    clusters = ", ".join(sorted({vm.cluster for vm in vms}, key=natural))
    rows = [f'<TR><TD BGCOLOR="{role_colour(role)}" ALIGN="LEFT"><FONT COLOR="{INK}"><B>{esc(role_label(role))}'
            f'</B></FONT></TD></TR>']
    if scale.compact:
        rows.append(_text_row(f"{count(len(vms), 'VM')} · {clusters}", theme, scale, muted=True))
    else:
        rows += [_text_row(shown, theme, scale),
                 _text_row(f"{len(vms)} × {first.vcpu} vCPU, {first.memory_gb:g} GB · {clusters}", theme, scale,
                           muted=True)]
        rows += [_text_row(f"LB VIP {lb.vip_fqdn}", theme, scale) for lb in facts.design.load_balancers
                 if lb.stamp == stamp and lb.role == role]
    if role == "sql":
        for sql in facts.design.sql_instances:
            if sql.stamp == stamp:
                rows.append(_text_row(f"{sql.name}: {sql.ha.replace('-', ' ')}", theme, scale))
                if sql.listener:  # an AG's listener, an FCI's network name
                    name = "listener" if sql.ha == "availability-group" else "network name"
                    rows.append(_text_row(f"{name} {sql.listener}", theme, scale))
                if scale.compact:
                    rows.append(_text_row(count(len(sql.databases), "database"), theme, scale, muted=True))
                    continue
                cells = [chip(role_colour(db.role), db.name, scale) for db in sql.databases]
                columns = 1 if scale.slide or scale.counted else 2
                rows.append(f'<TR><TD ALIGN="LEFT">{grid(cells, columns)}</TD></TR>')
    if role not in load_catalog().looks():
        rows.append(_text_row(f"role {role}", theme, scale, muted=True))
    return (f'<<TABLE BORDER="1" COLOR="{theme.node_line}" BGCOLOR="{theme.node}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="4">{"".join(rows)}</TABLE>>')


def _text_row(text: str, theme: Theme, scale: Scale, muted: bool = False) -> str:
    colour = f' COLOR="{theme.muted}"' if muted else ""
    return f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}"{colour}>{esc(text)}</FONT></TD></TR>'


def cluster_box(facts: Facts, cluster, theme: Theme, scale: Scale) -> str:
    hosts = facts.hosts.get(cluster.name, [])
    load = facts.cluster_load(cluster.name)[0]
    cells = [f'<TD ID="host:{esc(h.name)}" BORDER="1" COLOR="{theme.node_line}" CELLPADDING="2">'
             f'<FONT POINT-SIZE="{scale.small}">{esc(_short(h.name, cluster.name))}</FONT></TD>' for h in hosts]
    what = count(load.tenants, "tenant VM") if cluster.purpose == "compute" else count(load.vms, "VM")
    model = f"{count(len(hosts), 'host')} × {cluster.host_model}" if cluster.host_model else count(len(hosts), "host")
    rows = [f'<TR><TD ALIGN="LEFT"><B>{esc(cluster.name)}</B>  <FONT POINT-SIZE="{scale.small}" '
            f'COLOR="{theme.muted}">{esc(cluster.purpose)} · N+{cluster.failures_tolerated}</FONT></TD></TR>',
            _text_row(f"{model} · {what}", theme, scale, muted=True),
            f'<TR><TD ALIGN="LEFT">{grid(cells, HOST_COLUMNS, spacing=2)}</TD></TR>']
    return (f'<<TABLE BORDER="2" COLOR="{theme.node_line}" BGCOLOR="{theme.group}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="4" STYLE="ROUNDED">{"".join(rows)}</TABLE>>')


def clusters_table(facts: Facts, clusters: list, theme: Theme, scale: Scale) -> str:
    """A stamp's clusters as the rows of one box (compact slides); each row is a port named after its cluster."""
    rows = []
    for cluster in clusters:
        hosts = len(facts.hosts.get(cluster.name, []))
        rows.append(f'<TR><TD PORT="{esc(cluster.name)}" ALIGN="LEFT"><B>{esc(cluster.name)}</B>  '
                    f'<FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{esc(cluster.purpose)} · '
                    f'{esc(count(hosts, "host"))}</FONT></TD></TR>')
    return (f'<<TABLE BORDER="2" COLOR="{theme.node_line}" BGCOLOR="{theme.group}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="4" STYLE="ROUNDED"><TR><TD ALIGN="LEFT"><B>Hyper-V clusters</B></TD></TR>{"".join(rows)}'
            f'</TABLE>>')


def _short(host: str, cluster: str) -> str:
    return host[len(cluster) + 1:] if host.startswith(cluster + "-") and len(host) > len(cluster) + 1 else host


def stamp_box(facts: Facts, stamp, theme: Theme, scale: Scale) -> str:
    """A stamp in one box (compact slides, every stamp after the first): its roles with VM counts, its
    clusters with host counts, its tenant VMs."""
    roles = sorted(facts.role_vms(stamp.name).items(), key=lambda kv: role_order(kv[0]))
    cells = [chip(role_colour(role), f"{role_label(role)} ×{len(vms)}", scale) for role, vms in roles]
    clusters = facts.stamp_clusters(stamp.name)
    hosts = " · ".join(f"{c.name} {len(facts.hosts.get(c.name, []))}" for c in clusters)
    tenants = count(facts.tenant_vms([c.name for c in clusters]), "tenant VM")
    rows = [f'<TR><TD ALIGN="LEFT"><B>{esc(stamp.name)}</B>  <FONT POINT-SIZE="{scale.small}" '
            f'COLOR="{theme.muted}">VMM stamp · {esc(count(stamp.tenants, "tenant"))}</FONT></TD></TR>',
            f'<TR><TD ALIGN="LEFT">{grid(cells, 3)}</TD></TR>',
            _text_row(f"hosts: {hosts}", theme, scale), _text_row(tenants, theme, scale, muted=True)]
    return (f'<<TABLE BORDER="1" COLOR="{theme.panel_line}" BGCOLOR="{theme.panel}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="3" STYLE="ROUNDED">{"".join(rows)}</TABLE>>')
