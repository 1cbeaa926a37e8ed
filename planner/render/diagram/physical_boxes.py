"""The boxes of the physical view: a host, a slide's summary of hosts, a compact slide's cluster."""
from __future__ import annotations

from collections import Counter

from planner.catalog import role_colour, role_label, role_order
from planner.render.design_index import Facts, count, share
from planner.render.diagram.labels import bar, blank, chip, esc, grid
from planner.render.theme import Scale, Theme

CHIP = {False: 84, True: 108}     # width of a VM cell (points), page or slide
NUMBERS = {False: 84, True: 104}  # width of the "used / capacity" column
VM_COLUMNS = 3


def host_width(scale: Scale) -> int:
    """Width (points) of a host box: three VM cells across."""
    return VM_COLUMNS * (CHIP[scale.slide] + 2) + 8


def _usage_rows(vcpu: float, vcpu_cap: float, memory: float, memory_cap: float, theme: Theme,
                scale: Scale) -> str:
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


def _vm_rows(vms: list, scale: Scale, lines: int = 0, by_role: bool = False) -> str:
    """Management VMs one cell each (or counted by role), padded to `lines` rows; tenant VMs counted."""
    named = [vm for vm in vms if not vm.is_tenant]
    if by_role:
        roles = Counter(vm.role for vm in named)
        cells = [chip(role_colour(r), f"{role_label(r)} ×{n}", scale, width=CHIP[scale.slide])
                 for r, n in sorted(roles.items(), key=lambda kv: role_order(kv[0]))]
    else:
        cells = [chip(role_colour(vm.role), vm.name, scale, ident=f"vm:{vm.name}", width=CHIP[scale.slide])
                 for vm in named]
    note = ""
    if not vms:
        note = (f'<TR><TD COLSPAN="3" ALIGN="LEFT" CELLPADDING="4"><FONT POINT-SIZE="{scale.small}">'
                f'no VMs: failover reserve</FONT></TD></TR>')
        lines -= 1
    cells += [blank(scale, CHIP[scale.slide])] * (lines * VM_COLUMNS - len(cells))
    tenants = Counter(vm.role for vm in vms if vm.is_tenant)
    summary = [chip(role_colour(role), _tenant_text(role, n), scale)
               for role, n in sorted(tenants.items(), key=lambda kv: role_order(kv[0]))]
    return note + _cells_row(cells, VM_COLUMNS) + _cells_row(summary, 2)


def _tenant_text(role: str, n: int) -> str:
    if role == "tenant-vmrole":
        return f"{n:,} VM Role VM" + ("" if n == 1 else "s")
    if role == "tenant":
        return count(n, "tenant VM")
    return f"{n:,} {role}"


def _box(head: str, body: str, theme: Theme, scale: Scale, ident: str = "") -> str:
    attrs = f' ID="{esc(ident)}"' if ident else ""
    return (f'<<TABLE{attrs} BORDER="1" COLOR="{theme.node_line}" BGCOLOR="{theme.node}" CELLBORDER="0" '
            f'CELLSPACING="1" CELLPADDING="2" WIDTH="{host_width(scale)}" STYLE="ROUNDED">'
            f'<TR><TD COLSPAN="3" ALIGN="LEFT">{head}</TD></TR>{body}</TABLE>>')


def _head(title: str, model: str, theme: Theme, scale: Scale) -> str:
    return f'<B>{esc(title)}</B>  <FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{esc(model)}</FONT>'


def host_label(facts: Facts, host, lines: int, theme: Theme, scale: Scale) -> str:
    load = facts.load[host.name]
    usage = _usage_rows(load.vcpu, host.vcpu_capacity, load.memory_gb, host.usable_memory_gb, theme, scale)
    body = usage + _vm_rows(facts.vms[host.name], scale, lines)
    return _box(_head(host.name, host.model, theme, scale), body, theme, scale, ident=f"host:{host.name}")


def summary_label(facts: Facts, cluster: str, hosts: list, theme: Theme, scale: Scale) -> str:
    """One box for a cluster's hosts in a rack: summed usage, VMs counted, host names listed."""
    usage = _usage_rows(sum(facts.load[h.name].vcpu for h in hosts), sum(h.vcpu_capacity for h in hosts),
                        sum(facts.load[h.name].memory_gb for h in hosts), sum(h.usable_memory_gb for h in hosts),
                        theme, scale)
    vms = [vm for h in hosts for vm in facts.vms[h.name]]
    names = [esc(h.name.removeprefix(cluster + "-")) for h in hosts]
    lines = '<BR ALIGN="LEFT"/>'.join(" ".join(names[i:i + 8]) for i in range(0, len(names), 8))
    listing = "" if scale.compact else (
        f'<TR><TD COLSPAN="3" ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">'
        f'{lines}<BR ALIGN="LEFT"/></FONT></TD></TR>')
    head = _head(count(len(hosts), "host"), hosts[0].model, theme, scale)
    return _box(head, listing + usage + _vm_rows(vms, scale, by_role=True), theme, scale)


def compact_label(facts: Facts, spec, tolerance: str, hosts: list, theme: Theme, scale: Scale) -> str:
    """A cluster's hosts in a rack in three lines: name, usage in per cent, VMs counted by role."""
    used = [sum(facts.load[h.name].vcpu for h in hosts), sum(facts.load[h.name].memory_gb for h in hosts)]
    caps = [sum(h.vcpu_capacity for h in hosts), sum(h.usable_memory_gb for h in hosts)]
    width = (host_width(scale) - 2 * NUMBERS[scale.slide]) // 2
    usage = "".join(f'<TD><FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">{name}</FONT></TD>'
                    f'<TD>{bar(share(u, c), width, theme)}</TD>'
                    f'<TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}">{share(u, c):.0%}</FONT></TD>'
                    for name, u, c in zip(("vCPU", "mem"), used, caps))
    head = (f'<B>{esc(spec.name)}</B>  <FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">'
            f'{esc(count(len(hosts), "host"))} · {esc(spec.purpose)} · {esc(tolerance)}</FONT>')
    vms = [vm for h in hosts for vm in facts.vms[h.name]]
    return (f'<<TABLE BORDER="1" COLOR="{theme.node_line}" BGCOLOR="{theme.node}" CELLBORDER="0" CELLSPACING="1" '
            f'CELLPADDING="2" WIDTH="{host_width(scale)}" STYLE="ROUNDED"><TR><TD COLSPAN="3" ALIGN="LEFT">{head}'
            f'</TD></TR><TR><TD COLSPAN="3"><TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>{usage}</TR>'
            f'</TABLE></TD></TR>{_vm_rows(vms, scale, by_role=True)}</TABLE>>')
