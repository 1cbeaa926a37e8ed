"""Failover sheets and the full restart list, from the design's `failover_plans` (never computed again).

The Failover sheet has one row per failure scenario (what restarts, the busiest survivor after); the
Failover map has one row per cluster, failed host and restart host, summed over the cluster's
scenarios. Every single restart (200 000 rows at service-provider N+2) goes to failover.csv beside
the workbook, not into it."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

from planner.catalog import role_order
from planner.model.design import FailoverPlan
from planner.render.cells import csv_cells
from planner.render.workbook.inventory import Book
from planner.render.workbook.xlsx import GB, INT, PCT, Col, Sheet

CSV_NAME = "failover.csv"
CSV_COLUMNS = ("Scenario", "Cluster", "Failed hosts", "VM", "Role", "From host", "Restarts on", "vCPU", "Memory GB",
               "Restart host vCPU use after", "Restart host memory use after")
NO_PLAN = "The design has no failover plan (no cluster tolerates a host failure)."


def _ratio(used: float, capacity: float) -> float:
    return round(used / capacity, 4) if capacity else 0.0


class Moved(NamedTuple):
    """What the sheets and the CSV read of a VM that restarts, as plain fields (reading a pydantic model's field
    costs four times a tuple's, and the largest designs have 250 000 restarts)."""

    name: str
    role: str
    host: str | None
    vcpu: int
    memory_gb: float


_NAME, _ROLE, _VCPU, _MEMORY = (itemgetter(Moved._fields.index(f)) for f in ("name", "role", "vcpu", "memory_gb"))


@dataclass
class Scenario:
    """One failover plan: its restarts and every survivor's load after them."""

    number: int
    plan: FailoverPlan
    vms: list[Moved]                        # the VMs that restart, in the plan's order
    targets: list[str]                      # the surviving host each restarts on (two lists: no tuple per restart)
    use: dict[str, tuple[float, float]]     # surviving host -> (vCPU, memory) utilisation after the restarts

    @property
    def failed(self) -> str:
        return ", ".join(self.plan.failed)

    @property
    def moves(self) -> Iterator[tuple[Moved, str]]:
        """(VM, the surviving host it restarts on) of every restart, in order."""
        return zip(self.vms, self.targets)


def failover_scenarios(book: Book) -> list[Scenario]:
    """Every failover plan of the design with its survivors' loads, computed once for the sheets and the CSV."""
    design = book.design
    vms = {vm.name: Moved(vm.name, vm.role, vm.host, vm.vcpu, vm.memory_gb) for vm in design.vms}
    hosts = {h.name: h for h in design.hosts}
    members: dict[str, list[str]] = defaultdict(list)
    for host in design.hosts:
        members[host.cluster].append(host.name)
    base = {name: (vcpu, memory) for name, (_, vcpu, memory, _) in book.load.items()}
    scenarios = []
    for number, plan in enumerate(design.failover_plans, start=1):
        after = {h: list(base[h]) for h in members[plan.cluster] if h not in plan.failed and h in base}
        moved, targets = [], []
        for name, to in plan.restarts.items():
            vm, load = vms.get(name), after.get(to)
            if vm is not None and load is not None:
                moved.append(vm)
                targets.append(to)
                load[0] += vm.vcpu
                load[1] += vm.memory_gb
        use = {h: (_ratio(vcpu, hosts[h].vcpu_capacity), _ratio(memory, hosts[h].usable_memory_gb))
               for h, (vcpu, memory) in after.items()}
        scenarios.append(Scenario(number, plan, moved, targets, use))
    return scenarios


def failover_csv(scenarios: list[Scenario]) -> bytes:
    """failover.csv: every restart of every scenario, with the restart host's use after (text defused).
    Each distinct piece (a scenario, a VM, a host and its use) is formatted once; a row joins its pieces."""
    vm_front, vm_back = _Cells(itemgetter(0, 1, 2)), _Cells(itemgetter(3, 4))  # name, role, host; vCPU, memory
    hosts = _Cells(lambda host: (host,))
    chunks = [(csv_cells(CSV_COLUMNS) + "\r\n").encode()]
    for s in scenarios:
        use = {host: csv_cells(after) for host, after in s.use.items()}
        rows = zip(repeat(csv_cells((s.number, s.plan.cluster, s.failed))), map(vm_front.__getitem__, s.vms),
                   map(hosts.__getitem__, s.targets), map(vm_back.__getitem__, s.vms), map(use.__getitem__, s.targets))
        chunks.append(("\r\n".join(map(",".join, rows)) + "\r\n").encode() if s.vms else b"")
    return b"".join(chunks)


class _Cells(dict):
    """key -> the CSV cells of `values(key)`, formatted once."""

    def __init__(self, values: Callable[[Any], tuple]) -> None:
        super().__init__()
        self.values = values

    def __missing__(self, key: Any) -> str:
        text = self[key] = csv_cells(self.values(key))
        return text


def failover_sheets(book: Book, scenarios: list[Scenario]) -> list[Sheet]:
    first, second = Sheet("Failover", freeze="D3"), Sheet("Failover map", freeze="D3")
    rows, moves = [], _Moves()
    for s in scenarios:
        use = s.use
        cpu_host = max(use, key=lambda h: use[h][0], default="")
        memory_host = max(use, key=lambda h: use[h][1], default="")
        vcpu, memory, receiving = moves.add(s)
        rows.append([s.number, s.plan.cluster, s.failed, len(s.vms), vcpu, round(memory, 2), receiving,
                     cpu_host, use.get(cpu_host, (0.0, 0.0))[0], memory_host, use.get(memory_host, (0.0, 0.0))[1]])
    if not scenarios:
        first.note(NO_PLAN)
        second.note(NO_PLAN)
        return [first, second]
    table = first.table("tblFailover", [
        Col("Scenario", INT), Col("Cluster"), Col("Failed hosts"), Col("VMs restarted", INT),
        Col("vCPU restarted", INT), Col("Memory restarted GB", GB), Col("Hosts receiving", INT),
        Col("Busiest host (vCPU)"), Col("Highest vCPU use after", PCT), Col("Busiest host (memory)"),
        Col("Highest memory use after", PCT)], len(rows),
        caption=f"One row per failure scenario; every restart, one row per VM, is in {CSV_NAME} "
                "(`stampplan plan` writes it beside this workbook)")
    book.add(table, rows)
    rows = moves.rows([h.name for h in book.design.hosts])
    table = second.table("tblFailoverMap", [
        Col("Cluster"), Col("From host"), Col("Restarts on"), Col("Scenarios", INT), Col("VM restarts", INT),
        Col("VMs", INT), Col("Roles", wrap=True, width=40), Col("Most vCPU in one scenario", INT),
        Col("Most memory GB in one scenario", GB), Col("Highest vCPU use after", PCT),
        Col("Highest memory use after", PCT)], len(rows),
        caption="Restart map: what moves from a failed host to a surviving one, over all scenarios of its cluster")
    book.add(table, rows)
    return [first, second]


@dataclass(slots=True)
class _Pair:
    """What moves from one failed host to one restart host, over the scenarios of its cluster."""

    scenarios: int = 0
    restarts: int = 0
    vms: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    vcpu: int = 0          # most in one scenario
    memory: float = 0.0    # most in one scenario
    cpu_use: float = 0.0   # highest utilisation of the restart host after
    memory_use: float = 0.0


class _Moves:
    """The restart map: per (cluster, failed host, restart host), the moves summed over the scenarios."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str, str], _Pair] = defaultdict(_Pair)

    def add(self, scenario: Scenario) -> tuple[int, float, int]:
        """Count one scenario's moves; return its vCPU and memory restarted (summed in restart order) and the
        number of hosts receiving."""
        here: dict[tuple[str | None, str], list[Moved]] = {}  # (from, to) -> its VMs in this scenario, in order
        for vm, to in scenario.moves:
            group = here.get((vm.host, to))
            if group is None:
                here[(vm.host, to)] = [vm]
            else:
                group.append(vm)
        for (host, to), vms in here.items():  # a pair's count and sums here, the restart host's use after
            pair = self.pairs[(scenario.plan.cluster, host, to)]
            pair.vms.update(map(_NAME, vms))
            pair.roles.update(map(_ROLE, vms))
            pair.scenarios += 1
            pair.restarts += len(vms)
            vcpu, memory, (cpu_use, memory_use) = sum(map(_VCPU, vms)), sum(map(_MEMORY, vms)), scenario.use[to]
            if vcpu > pair.vcpu:  # as max(): an equal value keeps the one before
                pair.vcpu = vcpu
            if memory > pair.memory:
                pair.memory = memory
            if cpu_use > pair.cpu_use:
                pair.cpu_use = cpu_use
            if memory_use > pair.memory_use:
                pair.memory_use = memory_use
        return sum(map(_VCPU, scenario.vms)), sum(map(_MEMORY, scenario.vms)), len(set(scenario.targets))

    def rows(self, host_order: list[str]) -> list[list]:
        rank = {name: i for i, name in enumerate(host_order)}
        return [[cluster, source, target, p.scenarios, p.restarts, len(p.vms),
                 ", ".join(sorted(p.roles, key=role_order)),
                 p.vcpu, round(p.memory, 2), p.cpu_use, p.memory_use]
                for (cluster, source, target), p in sorted(self.pairs.items(),
                                                            key=lambda kv: (rank[kv[0][1]], rank[kv[0][2]]))]
