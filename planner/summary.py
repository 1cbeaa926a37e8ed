"""The terminal summary of a design and of a validation verdict (rich tables)."""
from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.table import Table

from planner.model.design import Design
from planner.terminal import styled
from planner.validate import Verdict


def print_design(design: Design, console: Console) -> None:
    """Stamps, clusters, hosts with utilisation, VMs per role, solver status and gap."""
    load = defaultdict(lambda: [0, 0.0, 0])
    for vm in design.vms:
        entry = load[vm.host]
        entry[0] += vm.vcpu
        entry[1] += vm.memory_gb
        entry[2] += 1
    table = Table(title=f"{design.name}: {len(design.stamps)} stamp(s), {len(design.clusters)} cluster(s)")
    for col in ("stamp", "cluster", "purpose", "N+k", "hosts", "model", "VMs", "vCPU used", "memory used", "solve"):
        table.add_column(col, justify="right" if col in ("hosts", "VMs", "vCPU used", "memory used") else "left")
    reports = {r.cluster: r for r in design.solver.clusters}
    for c in design.clusters:
        hosts = [h for h in design.hosts if h.cluster == c.name]
        vcpu = sum(load[h.name][0] for h in hosts) / max(1, sum(h.vcpu_capacity for h in hosts))
        mem = sum(load[h.name][1] for h in hosts) / max(1, sum(h.usable_memory_gb for h in hosts))
        r = reports[c.name]
        rack = " +rack" if c.fault_domain_tolerance else ""
        table.add_row(c.stamp, c.name, c.purpose, f"N+{c.failures_tolerated}{rack}", str(len(hosts)),
                      c.host_model or "", str(sum(load[h.name][2] for h in hosts)), f"{vcpu:.0%}", f"{mem:.0%}",
                      f"{r.method} {r.status}")
    console.print(table)
    roles = Counter(vm.role for vm in design.vms)
    console.print("VMs per role: " + ", ".join(f"{role} {n}" for role, n in sorted(roles.items())))
    s = design.solver
    counts = [b["stamps"] for b in s.stamp_bounds or []]
    over = f" (whole design, {counts[0]}-{counts[-1]} stamps)" if counts else ""
    console.print(f"Solver: {s.status}; cost {s.objective:,.0f}; lower bound {s.lower_bound:,.0f}{over}; "
                  f"gap {s.gap:.1%}; {len(design.hosts)} hosts; {len(design.failover_plans)} failover plans")
    console.print(f"Cost: {design.cost_line()}")
    if design.growth:
        console.print(f"Growth ({design.growth.annual_rate:.0%}/year of {design.growth.applies_to}, compute at most "
                      f"{design.growth.utilisation_ceiling:.0%} full): {design.growth.line()}")
        if design.growth.utilisation_ceiling < 1:
            console.print(f"  (compute's vCPU and memory used are shares of the "
                          f"{design.growth.utilisation_ceiling:.0%} its VMs may use)")
    for r in s.clusters:
        console.print(f"  {r.cluster}: host count driven by {r.binding}")
    from planner.model.requirements import Requirements  # lazily: `validate` prints verdicts without the planner
    from planner.stamps import stamp_capacity

    req = Requirements.model_validate(design.requirements).final_year()
    console.print(f"Stamps: {len(design.stamps)} on one SPF ({design.stamps[0].spf}), "
                  f"{stamp_capacity(design.system_center).reason(req, len(design.stamps))}")


MAX_SHOWN = 20  # violations (and undecided scenarios) listed; the rest are counted


def print_verdict(verdict: Verdict, extra: list, console: Console) -> None:
    """The first MAX_SHOWN violations and undecided findings, then a one-line verdict."""
    violations = verdict.violations + extra
    for label, style, findings in (("violation", "red", violations), ("undecided", "yellow", verdict.undecided)):
        for f in findings[:MAX_SHOWN]:
            console.print(styled(label, style, f"{f.rule}: {f.subject}: {f.message}"))
        if len(findings) > MAX_SHOWN:
            console.print(f"... and {len(findings) - MAX_SHOWN:,} more {label}(s)")
    word = "NOT SOUND" if violations else "UNDECIDED" if verdict.undecided else "SOUND"
    console.print(f"{word}: {verdict.scenarios} failure scenarios "
                  f"({verdict.certified} by certificate, {verdict.searched} by search), "
                  f"{len(violations)} violation(s), {len(verdict.undecided)} undecided"
                  + (" (the checker could not prove every failure scenario)" if word == "UNDECIDED" else ""))
