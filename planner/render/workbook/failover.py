"""Failover sheets: where each VM of a failure scenario restarts (from the design's
`failover_plans`, never computed again) and how loaded every survivor then is."""
from __future__ import annotations

from collections import defaultdict

from planner.render.workbook.inventory import Book
from planner.render.workbook.xlsx import GB, INT, PCT, Col, Sheet


def _ratio(used: float, capacity: float) -> float:
    return round(used / capacity, 4) if capacity else 0.0


def failover_sheets(book: Book) -> list[Sheet]:
    design = book.design
    vms = {vm.name: vm for vm in design.vms}
    hosts = {h.name: h for h in design.hosts}
    members: dict[str, list[str]] = defaultdict(list)
    for host in design.hosts:
        members[host.cluster].append(host.name)
    base = {name: [vcpu, memory] for name, (_, vcpu, memory, _) in book.load.items()}
    restarts, survivors = [], []
    for number, plan in enumerate(design.failover_plans, start=1):
        failed = ", ".join(plan.failed)
        after = {h: list(base[h]) for h in members[plan.cluster] if h not in plan.failed and h in base}
        count: dict[str, int] = defaultdict(int)
        for vm_name, target in plan.restarts.items():
            if target in after and vm_name in vms:
                after[target][0] += vms[vm_name].vcpu
                after[target][1] += vms[vm_name].memory_gb
                count[target] += 1
        for vm_name, target in plan.restarts.items():
            vm, to = vms.get(vm_name), hosts.get(target)
            if vm is None or to is None or target not in after:
                continue
            restarts.append([number, plan.cluster, failed, vm.name, vm.role, vm.host, target, vm.vcpu, vm.memory_gb,
                             _ratio(after[target][0], to.vcpu_capacity),
                             _ratio(after[target][1], to.usable_memory_gb)])
        for name, (vcpu, memory) in after.items():
            host = hosts[name]
            survivors.append([number, plan.cluster, failed, name, count[name], vcpu, host.vcpu_capacity,
                              _ratio(vcpu, host.vcpu_capacity), memory, host.usable_memory_gb,
                              _ratio(memory, host.usable_memory_gb)])
    first, second = Sheet("Failover", freeze="E2"), Sheet("Failover hosts", freeze="E2")
    if not restarts:
        text = "The design has no failover plan (no cluster tolerates a host failure)."
        first.note(text)
        second.note(text)
        return [first, second]
    table = first.table("tblFailover", [
        Col("Scenario", INT), Col("Cluster"), Col("Failed hosts"), Col("VM"), Col("Role"), Col("From host"),
        Col("Restarts on"), Col("vCPU", INT), Col("Memory GB", GB), Col("Restart host vCPU use after", PCT),
        Col("Restart host memory use after", PCT)], len(restarts))
    book.add(table, restarts)
    table = second.table("tblFailoverHosts", [
        Col("Scenario", INT), Col("Cluster"), Col("Failed hosts"), Col("Surviving host"),
        Col("VMs restarted here", INT),
        Col("vCPU after", INT), Col("vCPU capacity", INT), Col("vCPU utilisation", PCT), Col("Memory after GB", GB),
        Col("Usable memory GB", GB), Col("Memory utilisation", PCT)], len(survivors))
    book.add(table, survivors)
    return [first, second]
