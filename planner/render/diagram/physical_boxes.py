"""The boxes of the physical view: a host, a slide's summary of hosts, a compact slide's rack."""
from __future__ import annotations

from collections import Counter

from planner.catalog import role_colour, role_label, role_order
from planner.render.design_index import Facts, count, share
from planner.render.diagram.failover import Failure
from planner.render.diagram.ha import Mark
from planner.render.diagram.labels import bar, blank, chip, esc, grid
from planner.render.theme import FAILED, FAILED_FILL, Scale, Theme

CHIP = {False: 84, True: 108}     # width of a VM cell (points), page or slide
NUMBERS = {False: 84, True: 104}  # width of the "used / capacity" column
VM_COLUMNS = 3
COMPACT_BAR = 36   # width of a usage bar on a compact slide


def host_width(scale: Scale) -> int:
    """Width (points) of a host box: three VM cells across."""
    return VM_COLUMNS * (CHIP[scale.slide] + 2) + 8


def usage_rows(vcpu: float, vcpu_cap: float, memory: float, memory_cap: float, theme: Theme,
               scale: Scale) -> str:
    """Two rows: vCPU and memory used of the capacity, as bars and numbers."""
    numbers = NUMBERS[scale.slide]
    width = host_width(scale) - numbers - 3 * int(scale.small) - 12
    rows = []
    for name, used, cap in (("vCPU", vcpu, vcpu_cap), ("mem", memory, memory_cap)):
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{name}</FONT></TD>'
                    f'<TD>{bar(share(used, cap), width, theme)}</TD>'
                    f'<TD ALIGN="RIGHT" WIDTH="{numbers}"><FONT POINT-SIZE="{scale.small}">'
                    f'{used:,.0f} / {cap:,.0f}</FONT></TD></TR>')
    return "".join(rows)


def _cells_row(cells: list[str], columns: int) -> str:
    return f'<TR><TD COLSPAN="3" ALIGN="LEFT">{grid(cells, columns)}</TD></TR>' if cells else ""


def _vm_rows(vms: list, scale: Scale, lines: int = 0, by_role: bool = False, cells: list[str] | None = None,
             arrived: int = 0) -> str:
    """Management VMs one cell each (`cells`, or counted by role), padded to `lines` rows; tenant VMs counted
    (with `arrived` more restarted here)."""
    named = [vm for vm in vms if not vm.is_tenant]
    if by_role:
        roles = Counter(vm.role for vm in named)
        cells = [chip(role_colour(r), f"{role_label(r)} ×{n}", scale, width=CHIP[scale.slide])
                 for r, n in sorted(roles.items(), key=lambda kv: role_order(kv[0]))]
    elif cells is None:
        cells = [chip(role_colour(vm.role), vm.name, scale, ident=f"vm:{vm.name}", width=CHIP[scale.slide])
                 for vm in named]
    note = ""
    if not cells and not any(vm.is_tenant for vm in vms) and not arrived:
        note = (f'<TR><TD COLSPAN="3" ALIGN="LEFT" CELLPADDING="4"><FONT POINT-SIZE="{scale.small}">'
                f'no VMs: failover reserve</FONT></TD></TR>')
        lines -= 1
    cells = cells + [blank(scale, CHIP[scale.slide])] * (lines * VM_COLUMNS - len(cells))
    tenants = Counter(vm.role for vm in vms if vm.is_tenant)
    summary = [chip(role_colour(role), _tenant_text(role, n), scale)
               for role, n in sorted(tenants.items(), key=lambda kv: role_order(kv[0]))]
    if arrived:
        summary.append(chip(FAILED_FILL, f"+{count(arrived, 'tenant VM')} restarted", scale, outline=FAILED))
    return note + _cells_row(cells, VM_COLUMNS) + _cells_row(summary, 2)


def _tenant_text(role: str, n: int) -> str:
    if role == "tenant-vmrole":
        return f"{n:,} VM Role VM" + ("" if n == 1 else "s")
    if role == "tenant":
        return count(n, "tenant VM")
    return f"{n:,} {role}"


def _box(head: str, body: str, theme: Theme, scale: Scale, ident: str = "", line: str = "", border: int = 1) -> str:
    attrs = f' ID="{esc(ident)}"' if ident else ""
    return (f'<<TABLE{attrs} BORDER="{border}" COLOR="{line or theme.node_line}" BGCOLOR="{theme.node}" '
            f'CELLBORDER="0" CELLSPACING="1" CELLPADDING="2" WIDTH="{host_width(scale)}" STYLE="ROUNDED">'
            f'<TR><TD COLSPAN="3" ALIGN="LEFT">{head}</TD></TR>{body}</TABLE>>')


def _head(title: str, model: str, theme: Theme, scale: Scale) -> str:
    return f'<B>{esc(title)}</B>  <FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{esc(model)}</FONT>'


def named_vms(facts: Facts, host, failure: Failure | None = None) -> int:
    """Management VMs drawn one cell each in a host's box (those restarted onto it included)."""
    load = facts.load[host.name]
    arriving = failure.arrivals(facts).get(host.name, []) if failure else []
    return load.vms - load.tenants + sum(1 for vm in arriving if not vm.is_tenant)


def host_label(facts: Facts, host, lines: int, theme: Theme, scale: Scale, marks: dict[str, Mark] | None = None,
               failure: Failure | None = None) -> str:
    """A host: model, usage bars, a cell per management VM (outlined and tagged by its HA group), tenant VMs
    counted. In a failure: a failed host is crossed out with where each VM goes; a host taking VMs shows them."""
    marks = marks or {}
    down = failure is not None and host.name in failure.failed
    arriving = failure.arrivals(facts).get(host.name, []) if failure else []
    short = _short_name(host.cluster)
    cells = []
    for vm in facts.vms[host.name]:
        if vm.is_tenant:
            continue
        mark = marks.get(vm.name)
        if down:
            target = failure.restarts.get(vm.name)
            cells.append(chip(role_colour(vm.role), vm.name, scale, ident=f"vm:{vm.name}", width=CHIP[scale.slide],
                              note=f"→ {short(target)}" if target else "cannot restart", strike=True))
        else:
            cells.append(chip(role_colour(vm.role), vm.name, scale, ident=f"vm:{vm.name}", width=CHIP[scale.slide],
                              note=mark.tag if mark else "", outline=mark.outline if mark else ""))
    cells += [chip(role_colour(vm.role), vm.name, scale, width=CHIP[scale.slide], outline=FAILED,
                   note=f"restarted from {short(vm.host)}") for vm in arriving if not vm.is_tenant]
    load = facts.load[host.name]
    vcpu = load.vcpu + sum(vm.vcpu for vm in arriving)
    memory = load.memory_gb + sum(vm.memory_gb for vm in arriving)
    usage = usage_rows(vcpu, host.vcpu_capacity, memory, host.usable_memory_gb, theme, scale)
    body = usage + _vm_rows(facts.vms[host.name], scale, lines, cells=cells,
                            arrived=sum(1 for vm in arriving if vm.is_tenant))
    if down:
        head = (f'<FONT COLOR="{FAILED}"><B>× {esc(host.name)}  FAILED</B></FONT>  '
                f'<FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{esc(host.model)}</FONT>')
        return _box(head, body, theme, scale, ident=f"host:{host.name}", line=FAILED, border=3)
    return _box(_head(host.name, host.model, theme, scale), body, theme, scale, ident=f"host:{host.name}",
                line=FAILED if arriving else "")


def _short_name(cluster: str):
    """A host name without its cluster prefix (COMP01-H05 -> H05)."""
    return lambda name: name.removeprefix(cluster + "-")


def summary_label(facts: Facts, cluster: str, hosts: list, theme: Theme, scale: Scale) -> str:
    """One box for a cluster's hosts in a rack: summed usage, VMs counted, host names listed."""
    usage = usage_rows(sum(facts.load[h.name].vcpu for h in hosts), sum(h.vcpu_capacity for h in hosts),
                        sum(facts.load[h.name].memory_gb for h in hosts), sum(h.usable_memory_gb for h in hosts),
                        theme, scale)
    vms = [vm for h in hosts for vm in facts.vms[h.name]]
    names = [esc(h.name.removeprefix(cluster + "-")) for h in hosts]
    lines = '<BR ALIGN="LEFT"/>'.join(" ".join(names[i:i + 8]) for i in range(0, len(names), 8))
    listing = (f'<TR><TD COLSPAN="3" ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">'
                f'{lines}<BR ALIGN="LEFT"/></FONT></TD></TR>')
    head = _head(count(len(hosts), "host"), hosts[0].model, theme, scale)
    return _box(head, listing + usage + _vm_rows(vms, scale, by_role=True), theme, scale)


def rack_table(facts: Facts, blocks: list[tuple], columns: int, theme: Theme, scale: Scale) -> str:
    """A compact slide's rack: a line per cluster in it (hosts, N+k, vCPU and memory used, VMs and a swatch
    per management role), the lines in `columns` side by side."""
    roles = [_roles(facts, hosts) for _, hosts in blocks]
    slots = max(map(len, roles))
    lines = [_compact_line(facts, spec, hosts, r, slots, theme, scale) for (spec, hosts), r in zip(blocks, roles)]
    per = -(-len(lines) // columns)
    head = "".join(f'<TD ALIGN="LEFT"{span}><FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{name}</FONT></TD>'
                   for name, span in (("cluster", ""), ("hosts", ""), ("vCPU", ""), ("memory", ""),
                                      ("VMs", f' COLSPAN="{slots + 1}"')))
    cells = [f'<TD VALIGN="TOP"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>{head}</TR>'
             f'{"".join(lines[i:i + per])}</TABLE></TD>' for i in range(0, len(lines), per)]
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="6" CELLPADDING="0"><TR>{"".join(cells)}</TR></TABLE>>'


def _roles(facts: Facts, hosts: list) -> list[str]:
    """The management roles with a VM on `hosts`, in role order."""
    return sorted({vm.role for h in hosts for vm in facts.vms[h.name] if not vm.is_tenant}, key=role_order)


def _compact_line(facts: Facts, spec, hosts: list, roles: list[str], slots: int, theme: Theme, scale: Scale) -> str:
    """One cluster's line: the VM count, then a swatch per role in `slots` cells."""
    used = [sum(facts.load[h.name].vcpu for h in hosts), sum(facts.load[h.name].memory_gb for h in hosts)]
    caps = [sum(h.vcpu_capacity for h in hosts), sum(h.usable_memory_gb for h in hosts)]
    tolerance = f"N+{spec.failures_tolerated}" + (" +rack" if spec.fault_domain_tolerance else "")
    usage = "".join(f'<TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
                    f'<TD>{bar(share(u, c), COMPACT_BAR, theme)}</TD><TD ALIGN="RIGHT" WIDTH="30">'
                    f'<FONT POINT-SIZE="{scale.small}">{share(u, c):.0%}</FONT></TD></TR></TABLE></TD>'
                    for u, c in zip(used, caps))
    vms = [vm for h in hosts for vm in facts.vms[h.name]]
    tenants = sum(1 for vm in vms if vm.is_tenant)
    what = count(tenants, "tenant VM") if tenants else f"{len(vms):,}"
    swatches = "".join(f'<TD BGCOLOR="{role_colour(r)}" WIDTH="8" HEIGHT="10" FIXEDSIZE="TRUE"></TD>' for r in roles)
    swatches += '<TD WIDTH="8"></TD>' * (slots - len(roles)) if roles else ""
    span = "" if roles else f' COLSPAN="{slots + 1}"'
    small = f'<FONT POINT-SIZE="{scale.small}">'
    return (f'<TR><TD ALIGN="LEFT">{small}<B>{esc(spec.name)}</B></FONT></TD>'
            f'<TD ALIGN="LEFT">{small}{len(hosts)} · {esc(tolerance)}</FONT></TD>{usage}'
            f'<TD ALIGN="RIGHT"{span}>{small}{esc(what)}</FONT></TD>{swatches}</TR>')
