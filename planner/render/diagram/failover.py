"""A failure scenario drawn on the physical view: the failed hosts crossed out, each of their VMs struck through
with where it restarts, the restarted VMs drawn on the hosts that take them, a red line per source and target.

The scenario (which hosts fail, where each VM goes) comes from the caller: `stampplan diagram --fail` asks the
what-if review (the design's failover plan, or the validator's restart search) and passes the answer here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from planner.render.design_index import Facts, natural


@dataclass(frozen=True)
class Failure:
    """Hosts that fail at once and where each of their VMs restarts (None: it cannot restart)."""

    failed: tuple[str, ...]
    restarts: dict[str, str | None] = field(default_factory=dict)
    title: str = ""  # what failed, for the heading ("COMP01-H01", "rack rack2")

    def clusters(self, facts: Facts) -> list[str]:
        """The clusters of the failed hosts (the ones the drawing shows)."""
        of = {h.name: h.cluster for hosts in facts.hosts.values() for h in hosts}
        return sorted({of[h] for h in self.failed if h in of}, key=natural)

    def arrivals(self, facts: Facts) -> dict[str, list]:
        """Target host -> the VMs (design objects) that restart on it, by name."""
        out: dict[str, list] = {}
        for host in sorted(self.failed, key=natural):
            for vm in facts.vms.get(host, []):
                target = self.restarts.get(vm.name)
                if target:
                    out.setdefault(target, []).append(vm)
        return out

    def lines(self, facts: Facts) -> list[tuple[str, str, int]]:
        """(failed host, target host, VMs restarted there), in name order."""
        counts: dict[tuple[str, str], int] = {}
        for host in self.failed:
            for vm in facts.vms.get(host, []):
                target = self.restarts.get(vm.name)
                if target:
                    counts[(host, target)] = counts.get((host, target), 0) + 1
        return [(a, b, n) for (a, b), n in sorted(counts.items(), key=lambda kv: (natural(kv[0][0]), natural(kv[0][1])))]

    def stranded(self, facts: Facts) -> int:
        """VMs of the failed hosts that cannot restart."""
        return sum(1 for h in self.failed for vm in facts.vms.get(h, []) if not self.restarts.get(vm.name))
