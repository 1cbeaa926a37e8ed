"""What the design-review commands print: whatif, headroom and diff results as rich tables.

The domain modules (whatif.py, headroom.py, diff.py) return data; only the CLI prints.
"""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from planner.diff import DesignDiff
from planner.headroom import Room, Size
from planner.terminal import styled
from planner.whatif import Move, WhatIf

WHATIF_ROWS = 40  # more moves than this are summarised per (from, to) unless details are asked for
DIFF_ROWS = 20  # rows per list unless all are asked for


# ------------------------------------------------------------------ whatif ----

def _pct(used: float, cap: float) -> str:
    return f"{used / cap:.0%}" if cap else "-"


def _moves_table(title: str, moves: list[Move], details: bool) -> Table:
    """Every VM when few (or asked), else one row per (from, to) pair with the stranded VMs listed."""
    table = Table(title=title)
    if details or len(moves) <= WHATIF_ROWS:
        for col in ("VM", "role", "vCPU", "memory GB", "from", "to", "by"):
            table.add_column(col, justify="right" if col in ("vCPU", "memory GB") else "left")
        for m in moves:
            table.add_row(m.vm, m.role, f"{m.vcpu:g}", f"{m.memory_gb:g}", m.source,
                          m.to or styled("cannot restart", "red"), m.via)
        return table
    for col in ("from", "to", "VMs", "vCPU", "memory GB", "by"):
        table.add_column(col, justify="right" if col in ("VMs", "vCPU", "memory GB") else "left")
    groups: dict[tuple, list[Move]] = {}
    for m in moves:
        groups.setdefault((m.source, m.to or "", m.via), []).append(m)
    for (source, to, via), ms in sorted(groups.items()):
        table.add_row(source, to or styled("cannot restart", "red"), str(len(ms)),
                      f"{sum(m.vcpu for m in ms):g}", f"{sum(m.memory_gb for m in ms):g}", via)
    return table


def print_whatif(r: WhatIf, console: Console, details: bool = False) -> None:
    """Drain moves, restarts per cluster, survivors' utilisation and the verdict, as tables."""
    if r.rack:
        also = f" and {', '.join(r.named)} {'fails' if len(r.named) == 1 else 'fail'}" if r.named else ""
        console.print(f"What if {r.rack} is lost ({r.rack_hosts} hosts){also}"
                      + (f", with {r.drained} drained first" if r.drained else "") + "?")
    elif r.failed:
        console.print(f"What if {', '.join(r.failed)} {'fails' if len(r.failed) == 1 else 'fail'}"
                      + (f", with {r.drained} drained first" if r.drained else "") + "?")
    else:
        console.print(f"What if {r.drained} is drained for maintenance?")
    if r.drained:
        console.print(_moves_table(f"Drain {r.drained} (maintenance)", r.drain, details))
        if r.drain_problem:
            console.print(styled("cannot drain:", "red", r.drain_problem))
    for c in r.clusters:
        console.print(_moves_table(f"{c.cluster}: {', '.join(c.failed)} down", c.moves, details))
        if c.note:
            console.print(f"  {c.cluster}: {c.note}")
    if r.usage:
        table = Table(title="Surviving hosts")
        for col in ("host", "cluster", "VMs", "vCPU before", "vCPU after", "memory before", "memory after"):
            table.add_column(col, justify="left" if col in ("host", "cluster") else "right")
        for u in r.usage:
            table.add_row(u.host, u.cluster, f"{u.vms[0]} -> {u.vms[1]}", _pct(u.vcpu[0], u.vcpu[2]),
                          _pct(u.vcpu[1], u.vcpu[2]), _pct(u.memory[0], u.memory[2]), _pct(u.memory[1], u.memory[2]))
        console.print(table)
    stranded = [m.vm for c in r.clusters for m in c.moves if m.to is None]
    if r.survived and not r.failed:
        console.print(f"DRAINS: every VM of {r.drained} moves to another host of its cluster")
    elif r.survived:
        console.print(f"SURVIVES: every affected VM restarts ({sum(len(c.moves) for c in r.clusters)} restarted"
                      + (f", with {r.drained} drained)" if r.drained else ")"))
    elif r.drain_problem:
        console.print(f"DOES NOT SURVIVE: {r.drained} cannot be drained")
    else:
        undecided = [c.cluster for c in r.clusters if c.status == "undecided"]
        shown = f": {', '.join(stranded[:10])}" + (" ..." if len(stranded) > 10 else "") if stranded else ""
        console.print(f"DOES NOT SURVIVE: {len(stranded)} VM(s) cannot restart{shown}"
                      + (f" (the restart search gave up in {', '.join(undecided)})" if undecided else ""))


# ---------------------------------------------------------------- headroom ----

def print_headroom(size: Size, rooms: list[Room], console: Console) -> None:
    """One row per compute cluster: how many more fit, the utilisation after, and what stops one more."""
    table = Table(title=f"Headroom for {size.name} VMs ({size.vcpu:g} vCPU, {size.memory_gb:g} GB memory, "
                        f"{size.storage_gb:g} GB storage), every promise kept")
    for col in ("cluster", "hosts", "promise", "tenant VMs", "more fit", "vCPU now -> after",
                "memory now -> after", "stopped by"):
        table.add_column(col, justify="right" if col in ("hosts", "tenant VMs", "more fit") else "left")
    for r in rooms:
        table.add_row(r.cluster, str(r.hosts), r.promise, str(r.tenant_vms), styled(str(r.fits), "bold"),
                      f"{r.vcpu[0]:.0%} -> {r.vcpu[1]:.0%}", f"{r.memory[0]:.0%} -> {r.memory[1]:.0%}", r.stopped_by)
    console.print(table)
    for r in rooms:
        console.print(f"  {r.cluster}: one more does not fit: {r.stops}")
    if not rooms:
        console.print("The design has no compute cluster.")
    elif len(rooms) > 1:
        console.print(f"In all: {sum(r.fits for r in rooms)} more (each cluster counted on its own; "
                      f"the stamp limits apply to their sum)")


# -------------------------------------------------------------------- diff ----

def _money(x: float) -> str:
    return f"{x:,.0f}"


def print_diff(d: DesignDiff, console: Console, old_label: str, new_label: str, every: bool = False) -> None:
    """A summary table, then the hosts, VMs and role counts that changed (lists cut at DIFF_ROWS
    rows unless `every`)."""
    limit = None if every else DIFF_ROWS
    if d.empty:
        console.print(f"No differences: {old_label} and {new_label} describe the same design.")
        return
    table = Table(title=f"{old_label} -> {new_label}")
    for col in ("", "old", "new", "change"):
        table.add_column(col, justify="left" if not col else "right")
    delta = d.cost[1] - d.cost[0]
    pct = f" ({delta / d.cost[0]:+.1%})" if d.cost[0] else ""
    table.add_row("hosts", str(d.host_count[0]), str(d.host_count[1]), f"{d.host_count[1] - d.host_count[0]:+d}")
    table.add_row("VMs", str(d.vm_count[0]), str(d.vm_count[1]), f"{d.vm_count[1] - d.vm_count[0]:+d}")
    table.add_row("hardware cost", _money(d.cost[0]), _money(d.cost[1]), f"{delta:+,.0f}{pct}")
    console.print(table)
    if d.clusters_added or d.clusters_removed:
        console.print(f"Clusters added: {', '.join(d.clusters_added) or '-'}; removed: "
                      f"{', '.join(d.clusters_removed) or '-'}")
    if d.hosts_added or d.hosts_removed:
        t = Table(title="Hosts added and removed")
        for col in ("", "host", "cluster", "model", "fault domain", "price"):
            t.add_column(col, justify="right" if col == "price" else "left")
        for sign, hosts in (("+", d.hosts_added), ("-", d.hosts_removed)):
            for h in hosts:
                t.add_row(sign, h["name"], h["cluster"], str(h.get("model", "")), h["fault_domain"],
                          _money(h.get("price") or 0))
        console.print(t)
    _rows(console, "Clusters changed", ("cluster", "change"), d.clusters_changed, limit)
    _rows(console, "Hosts changed", ("host", "change"), d.hosts_changed, limit)
    if d.roles:
        t = Table(title="VMs per role")
        for col in ("role", "old", "new", "change"):
            t.add_column(col, justify="left" if col == "role" else "right")
        for role, a, b in d.roles:
            t.add_row(role, str(a), str(b), f"{b - a:+d}")
        console.print(t)
    _rows(console, "VMs moved", ("VM", "role", "from", "to"), d.vms_moved, limit)
    _rows(console, "VMs added", ("VM", "role", "host"),
          [(v["name"], str(v.get("role", "")), v["host"]) for v in d.vms_added], limit)
    _rows(console, "VMs removed", ("VM", "role", "host"),
          [(v["name"], str(v.get("role", "")), v["host"]) for v in d.vms_removed], limit)
    _rows(console, "VMs resized", ("VM", "change"), d.vms_resized, limit)
    if d.other:
        console.print(f"Other sections that differ: {', '.join(d.other)}")
    console.print(f"DIFFERENT: {len(d.hosts_added)} host(s) added, {len(d.hosts_removed)} removed, "
                  f"{len(d.vms_moved)} VM(s) moved, cost {delta:+,.0f}")


def _rows(console: Console, title: str, columns: tuple[str, ...], rows: list[tuple], limit: int | None) -> None:
    if not rows:
        return
    t = Table(title=f"{title} ({len(rows)})")
    for col in columns:
        t.add_column(col)
    for row in rows[:limit]:
        t.add_row(*row)
    console.print(t)
    if limit is not None and len(rows) > limit:
        console.print(f"  ... and {len(rows) - limit} more (--all lists every one)")


# ------------------------------------------------------------------- sweep ----

def print_sweep(rows: list, seconds: dict[str, float], console: Console) -> None:
    """The comparison table of a sweep, with each variant's plan time (kept out of the files)."""
    from planner.sweep.compare import shown

    table = Table(title="Variants compared (Pareto-optimal marked *)")
    for col in ("variant", "status", "hosts", "total", "per VM/month", "survives", "headroom", "gap", "time"):
        table.add_column(col, justify="left" if col in ("variant", "status", "survives") else "right")
    for r in rows:
        took = seconds.get(r.folder)
        table.add_row(("* " if r.pareto else "  ") + r.variant, r.status if r.status == "ok" else
                      styled(r.status, "red"), shown(r.hosts, "hosts"), shown(r.total, "total"),
                      shown(r.per_vm_month, "per_vm_month"), r.survives, shown(r.headroom, "headroom"),
                      shown(r.gap, "gap"), "kept" if took is None and r.status != "not run" else
                      "" if took is None else f"{took:.1f} s")
    console.print(table)
    for r in rows:
        if r.message:
            console.print(styled(f"{r.variant}:", "red", f"{r.status}: {r.message}"))
