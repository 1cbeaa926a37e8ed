"""The placement problem of one cluster in integer units (vCPU, MB of memory, GB of storage)."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import NamedTuple

from planner.cost import unit_cost
from planner.model.design import AntiAffinityGroup, Cluster, Vm
from planner.model.requirements import HostModel, Requirements
from planner.sizing import MB_PER_GB, host_capacity

MAX_RESTARTS = 250_000  # per cluster: VM restarts over all failure scenarios' plans (design.json, bom.xlsx)


class TooManyScenarios(Exception):
    """A cluster of `n` hosts would have restart plans of more than MAX_RESTARTS VM restarts in all."""

    def __init__(self, n: int, count: int, restarts: int):
        super().__init__(f"{n} hosts: {count} scenarios, {restarts} restarts")
        self.n, self.count, self.restarts = n, count, restarts


@dataclass(frozen=True)
class HostType:
    """One host model as it serves a cluster: capacities after ratio and reserve."""

    model: str
    price: float            # hardware
    vcpu: int
    memory_mb: int
    storage_gb: int | None  # None: storage is shared (counted per cluster)
    max_vms: int
    memory_gb: float
    unit_cost: float = 0.0  # what one host costs over the term (planner/cost.py): what the engines minimise

    def capacity(self) -> tuple[int, int, int]:
        return self.vcpu, self.memory_mb, self.storage_gb if self.storage_gb is not None else 0


class Item(NamedTuple):
    """One VM to place, in integer units (a named tuple: a large cluster makes thousands, 5x faster than a frozen
    dataclass)."""

    name: str
    vcpu: int
    memory_mb: int
    storage_gb: int
    group: str | None
    scope: str  # "host" | "fault_domain"
    role: str = ""
    cap: int = 1  # the most members of its group on one host (above 1: a spread group)

    def demand(self, per_host_storage: bool) -> tuple[int, int, int]:
        return self.vcpu, self.memory_mb, self.storage_gb if per_host_storage else 0


@dataclass(frozen=True)
class ClusterProblem:
    """Everything needed to place one cluster's VMs on hosts of one type."""

    cluster: str
    items: tuple[Item, ...]
    host: HostType
    k: int
    racks: int
    rack_tolerance: bool
    max_hosts: int
    roles: frozenset[str] | None = None  # the roles allowed on the cluster (by its purpose); None: any
    role_caps: tuple[tuple[str, int], ...] = ()  # (role, the most VMs of it on one host)
    dedicated: frozenset[str] = frozenset()  # roles whose hosts run no other role

    @property
    def per_host_storage(self) -> bool:
        return self.host.storage_gb is not None

    def rack_of(self, slot: int) -> int:
        return slot % self.racks

    def fits_empty_host(self, item: Item) -> bool:
        return all(d <= c for d, c in zip(item.demand(self.per_host_storage), self.host.capacity()))

    def scenario_count(self, n: int) -> int:
        """len(self.scenarios(n)), without listing them: a rack of k hosts is one of the k-subsets."""
        racks = [len(range(r, n, self.racks)) for r in range(min(n, self.racks))] if self.rack_tolerance else []
        return (math.comb(n, self.k) if self.k else 0) + sum(1 for size in racks if not self.k or size != self.k)

    def restart_count(self, n: int) -> int:
        """VM restarts in all the restart plans of n hosts (at most)."""
        return len(self.items) * restarts_per_vm(n, self.k, self.rack_tolerance)

    def scenarios(self, n: int) -> list[tuple[int, ...]]:
        """Failure scenarios over hosts 0..n-1: every k-subset, and each rack (not already a k-subset) when asked.
        Raises TooManyScenarios when their plans would exceed MAX_RESTARTS, so work and memory stay bounded."""
        out = self.k_subsets(n)
        seen = set(out)
        return out + [rack for rack in self.rack_scenarios(n) if rack not in seen]

    def k_subsets(self, n: int) -> list[tuple[int, ...]]:
        """Every k hosts of 0..n-1 failing at once (none when k is 0)."""
        self._bounded(n)
        return list(itertools.combinations(range(n), self.k)) if self.k else []

    def rack_scenarios(self, n: int) -> list[tuple[int, ...]]:
        """Each non-empty rack of hosts 0..n-1 failing whole, when rack loss is to be survived."""
        self._bounded(n)
        racks = [tuple(range(r, n, self.racks)) for r in range(self.racks)] if self.rack_tolerance else []
        return [rack for rack in racks if rack]

    def _bounded(self, n: int) -> None:
        if self.restart_count(n) > MAX_RESTARTS:
            raise TooManyScenarios(n, self.scenario_count(n), self.restart_count(n))


def restarts_per_vm(n: int, k: int, rack_tolerance: bool) -> int:
    """The failure scenarios of n hosts in which one VM restarts: the C(n-1, k-1) k-subsets holding its
    host, and its rack."""
    return (math.comb(n - 1, k - 1) if k and n else 0) + (1 if rack_tolerance else 0)


@dataclass
class Placement:
    """Hosts 0..n-1 with the items on each, and a restart plan per failure scenario."""

    n: int
    host_of: dict[str, int]
    restarts: dict[tuple[int, ...], dict[str, int]]
    models: tuple[HostType, ...] = ()  # each host's model when the cluster mixes models (empty: all the problem's)

    def host(self, p: ClusterProblem, h: int) -> HostType:
        """Host h's model."""
        return self.models[h] if self.models else p.host


def host_type(model: HostModel, cluster: Cluster, req: Requirements, max_vms: int, sql_host: bool = False) -> HostType:
    """`model` as it serves `cluster` (capacities from sizing.host_capacity, term cost from cost.unit_cost)."""
    vcpu, memory_mb, storage_gb = host_capacity(model, cluster, req)
    return HostType(model=model.name, price=model.price, vcpu=vcpu, memory_mb=memory_mb, storage_gb=storage_gb,
                    max_vms=max_vms, memory_gb=model.memory_gb, unit_cost=unit_cost(model, req, sql_host))


def items_of(vms: list[Vm], groups: dict[str, AntiAffinityGroup]) -> tuple[Item, ...]:
    """item_of of each VM; VMs alike but for their names share the rest of their items (a compute cluster's
    thousands of VMs are of a few sizes: 1 µs a VM instead of 3)."""
    alike: dict[tuple, tuple] = {}  # (vcpu, memory, storage, role, group) -> the item's fields after its name
    out = []
    for vm in vms:
        key = (vm.vcpu, vm.memory_gb, vm.storage_gb, vm.role, vm.anti_affinity_group)
        rest = alike.get(key)
        if rest is None:
            rest = alike[key] = item_of(vm, groups)[1:]
        out.append(Item._make((vm.name, *rest)))
    return tuple(out)


def item_of(vm: Vm, groups: dict[str, AntiAffinityGroup]) -> Item:
    group = groups.get(vm.anti_affinity_group or "")
    return Item(name=vm.name, vcpu=vm.vcpu, memory_mb=round(vm.memory_gb * MB_PER_GB),
                storage_gb=math.ceil(vm.storage_gb), group=vm.anti_affinity_group,
                scope=group.scope if group else "host", role=vm.role,
                cap=group.max_per_host or 1 if group else 1)
