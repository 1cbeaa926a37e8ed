"""The placement problem of one cluster in integer units (vCPU, MB of memory, GB of storage)."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from planner.model.design import Cluster, Vm
from planner.model.requirements import HostModel, Requirements

MB_PER_GB = 1024
MEMORY_STEP_MB = 256  # usable memory is rounded down to a quarter of a GB
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
    price: float
    vcpu: int
    memory_mb: int
    storage_gb: int | None  # None: storage is shared (counted per cluster)
    max_vms: int
    memory_gb: float

    def capacity(self) -> tuple[int, int, int]:
        return self.vcpu, self.memory_mb, self.storage_gb if self.storage_gb is not None else 0


@dataclass(frozen=True)
class Item:
    """One VM to place, in integer units."""

    name: str
    vcpu: int
    memory_mb: int
    storage_gb: int
    group: str | None
    scope: str  # "host" | "fault_domain"
    role: str = ""

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
        """VM restarts in all the restart plans of n hosts (at most): each VM is in C(n-1, k-1)
        k-subsets, and in one rack."""
        subsets = math.comb(n - 1, self.k - 1) if self.k and n else 0
        return len(self.items) * (subsets + (1 if self.rack_tolerance else 0))

    def scenarios(self, n: int) -> list[tuple[int, ...]]:
        """Failure scenarios over hosts 0..n-1: every k-subset, and each rack when asked.
        Raises TooManyScenarios when their plans would exceed MAX_RESTARTS, so work and memory stay bounded."""
        if self.restart_count(n) > MAX_RESTARTS:
            raise TooManyScenarios(n, self.scenario_count(n), self.restart_count(n))
        out = list(itertools.combinations(range(n), self.k)) if self.k else []
        if self.rack_tolerance:
            seen = set(out)
            for r in range(self.racks):
                rack = tuple(s for s in range(n) if self.rack_of(s) == r)
                if rack and rack not in seen:
                    seen.add(rack)
                    out.append(rack)
        return out


def host_type(model: HostModel, cluster: Cluster, req: Requirements, max_vms: int) -> HostType:
    """Capacities of `model` in `cluster`: cores x ratio, memory less the host reserve."""
    reserve = req.hardware.host_reserve
    usable = model.memory_gb * (1 - reserve.memory_percent / 100) - reserve.memory_gb
    usable_mb = max(0, math.floor(usable * MB_PER_GB / MEMORY_STEP_MB) * MEMORY_STEP_MB)
    local = req.hardware.shared_storage.type == "local"
    return HostType(model=model.name, price=model.price,
                    vcpu=math.floor(model.sockets * model.cores_per_socket * cluster.vcpu_per_core),
                    memory_mb=usable_mb, storage_gb=math.floor(model.storage_gb) if local else None,
                    max_vms=max_vms, memory_gb=model.memory_gb)


def item_of(vm: Vm, scope_of: dict[str, str]) -> Item:
    return Item(name=vm.name, vcpu=vm.vcpu, memory_mb=round(vm.memory_gb * MB_PER_GB),
                storage_gb=math.ceil(vm.storage_gb), group=vm.anti_affinity_group,
                scope=scope_of.get(vm.anti_affinity_group or "", "host"), role=vm.role)
