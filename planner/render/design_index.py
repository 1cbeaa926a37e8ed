"""What the diagrams and the report read from a design: loads, groupings and orders."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from planner.model.design import Cluster, Design, FailoverPlan, Host, Vm


def natural(text: str) -> tuple:
    """Sort key that puts rack2 before rack10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


PURPOSE_ORDER = ("management", "edge", "compute")  # the order a stamp is built and read in


def cluster_order(cluster: Cluster) -> tuple:
    """The one order of clusters in every drawing: STAMP01's first; in a stamp management, edge, then compute,
    each by name (MGMT01, EDGE01, COMP01, COMP02, ...)."""
    purpose = PURPOSE_ORDER.index(cluster.purpose) if cluster.purpose in PURPOSE_ORDER else len(PURPOSE_ORDER)
    return natural(cluster.stamp), purpose, natural(cluster.name)


@dataclass
class Load:
    vcpu: int = 0
    memory_gb: float = 0.0
    vms: int = 0
    tenants: int = 0  # of `vms`, tenant workloads


@dataclass
class Facts:
    """A design, indexed once for drawing."""

    design: Design
    clusters: list[Cluster]                        # in cluster_order
    hosts: dict[str, list[Host]]                   # cluster -> hosts, by name
    vms: dict[str, list[Vm]]                        # host -> VMs, by name
    load: dict[str, Load]                           # host -> load
    racks: list[str]
    managed: list[Vm] = field(default_factory=list)   # management and edge VMs, by name
    unplaced: list[Vm] = field(default_factory=list)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """`compute()` once per index under `key`: what several drawings read from the design (read-only)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def stamp_clusters(self, stamp: str) -> list[Cluster]:
        return [c for c in self.clusters if c.stamp == stamp]

    def management_vms(self) -> list[Vm]:
        return self.managed

    def role_vms(self, stamp: str) -> dict[str, list[Vm]]:
        """Management roles of a stamp -> their VMs."""
        names = {c.name for c in self.stamp_clusters(stamp)}
        roles: dict[str, list[Vm]] = defaultdict(list)
        for vm in self.management_vms():
            if vm.cluster in names:
                roles[vm.role].append(vm)
        return roles

    def tenant_vms(self, clusters: list[str] | None = None) -> int:
        """Tenant VMs placed on the hosts of `clusters` (all clusters by default)."""
        names = [c.name for c in self.clusters] if clusters is None else clusters
        return sum(self.load[h.name].tenants for c in names for h in self.hosts.get(c, []))

    def cluster_load(self, cluster: str) -> tuple[Load, int, float]:
        """Summed load of a cluster's hosts, with their vCPU and usable memory capacity."""
        total = Load()
        vcpu = memory = 0.0
        for host in self.hosts.get(cluster, []):
            load = self.load[host.name]
            total.vcpu += load.vcpu
            total.memory_gb += load.memory_gb
            total.vms += load.vms
            total.tenants += load.tenants
            vcpu += host.vcpu_capacity
            memory += host.usable_memory_gb
        return total, int(vcpu), memory

    def worst_failures(self) -> dict[str, tuple[FailoverPlan, int]]:
        """Cluster -> its failure scenario that restarts the most VMs (the first such), and its scenario count."""
        worst: dict[str, tuple[FailoverPlan, int]] = {}
        for plan in self.design.failover_plans:
            best, n = worst.get(plan.cluster, (plan, 0))
            worst[plan.cluster] = (plan if len(plan.restarts) > len(best.restarts) else best, n + 1)
        return worst


def index(design: Design) -> Facts:
    """Group a design's hosts and VMs for drawing (stable orders throughout); the last few are kept."""
    for kept, facts in _RECENT:
        if kept is design:
            return facts
    facts = _index(design)
    _RECENT[:] = [(design, facts)] + _RECENT[:RECENT_KEPT - 1]
    return facts


_RECENT: list[tuple[Design, Facts]] = []
RECENT_KEPT = 8  # a design and the parts drawn as its pages (one per stamp: up to five)


def _index(design: Design) -> Facts:
    hosts: dict[str, list[Host]] = {c.name: [] for c in design.clusters}
    for host in sorted(design.hosts, key=lambda h: natural(h.name)):
        hosts.setdefault(host.cluster, []).append(host)
    vms: dict[str, list[Vm]] = {h.name: [] for h in design.hosts}
    load = {h.name: Load() for h in design.hosts}
    managed, unplaced = [], []
    for vm in design.vms:
        tenant = vm.is_tenant
        if not tenant:
            managed.append(vm)
        entry = load.get(vm.host)
        if entry is None:
            unplaced.append(vm)
            continue
        vms[vm.host].append(vm)
        entry.vcpu += vm.vcpu
        entry.memory_gb += vm.memory_gb
        entry.vms += 1
        entry.tenants += tenant
    managed.sort(key=lambda v: natural(v.name))
    order = {vm.name: i for i, vm in enumerate(managed)}
    for host_vms in vms.values():
        host_vms.sort(key=lambda v: order.get(v.name, len(order)))
    racks = sorted({h.fault_domain for h in design.hosts}, key=natural)
    return Facts(design, sorted(design.clusters, key=cluster_order), hosts, vms, load, racks, managed, unplaced)


def share(used: float, capacity: float) -> float:
    return used / capacity if capacity > 0 else 0.0


def count(n: int, word: str) -> str:
    """'1 host', '3 hosts', '1,560 VMs'."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}{'es' if word.endswith('ss') else 's'}"
