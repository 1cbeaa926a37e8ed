"""What changed between two designs: clusters, hosts, VMs moved, role counts, cost.

Works on design.json alone (the validator's index), so it compares designs from any version
of the planner. Anything else that differs is named by its top-level section.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from planner.errors import InputError
from planner.validate import DesignIndex, index_design

SUMMARISED = {"clusters", "hosts", "vms", "cost"}


@dataclass
class DesignDiff:
    clusters_added: list[str] = field(default_factory=list)
    clusters_removed: list[str] = field(default_factory=list)
    clusters_changed: list[tuple[str, str]] = field(default_factory=list)  # cluster, what changed
    hosts_added: list[dict] = field(default_factory=list)
    hosts_removed: list[dict] = field(default_factory=list)
    hosts_changed: list[tuple[str, str]] = field(default_factory=list)     # host, what changed
    vms_added: list[dict] = field(default_factory=list)
    vms_removed: list[dict] = field(default_factory=list)
    vms_moved: list[tuple[str, str, str, str]] = field(default_factory=list)  # vm, role, old host, new host
    vms_resized: list[tuple[str, str]] = field(default_factory=list)       # vm, what changed
    roles: list[tuple[str, int, int]] = field(default_factory=list)        # role, old count, new count
    cost: tuple[float, float] = (0.0, 0.0)
    host_count: tuple[int, int] = (0, 0)
    vm_count: tuple[int, int] = (0, 0)
    other: list[str] = field(default_factory=list)                          # other sections that differ

    @property
    def empty(self) -> bool:
        return not (self.clusters_added or self.clusters_removed or self.clusters_changed or self.hosts_added
                    or self.hosts_removed or self.hosts_changed or self.vms_added or self.vms_removed
                    or self.vms_moved or self.vms_resized or self.roles or self.cost[0] != self.cost[1] or self.other)


def _index(design: dict, label: str) -> DesignIndex:
    idx, findings = index_design(design)
    bad = [f for f in findings if f.rule == "format"]
    if bad:
        raise InputError(f"{label}: not a usable design.json: {bad[0].subject}: {bad[0].message}")
    return idx


def _cost(design: dict, idx: DesignIndex) -> float:
    cost = design.get("cost")
    if isinstance(cost, dict) and isinstance(cost.get("hardware"), (int, float)):
        return float(cost["hardware"])
    return float(sum(h.get("price") or 0 for h in idx.hosts.values()))


def _changes(old: dict, new: dict, keys: tuple[str, ...]) -> str:
    return ", ".join(f"{k} {old.get(k)} -> {new.get(k)}" for k in keys if old.get(k) != new.get(k))


def diff_designs(old: dict, new: dict, old_label: str = "OLD", new_label: str = "NEW") -> DesignDiff:
    """Compare two designs; identical designs give an empty diff."""
    a, b = _index(old, old_label), _index(new, new_label)
    d = DesignDiff()
    d.clusters_added = [c for c in b.clusters if c not in a.clusters]
    d.clusters_removed = [c for c in a.clusters if c not in b.clusters]
    cluster_keys = ("stamp", "purpose", "failures_tolerated", "fault_domain_tolerance", "host_model",
                    "shared_storage_gb")
    d.clusters_changed = [(name, text) for name, c in b.clusters.items() if name in a.clusters
                          for text in [_changes(a.clusters[name], c, cluster_keys)] if text]
    d.hosts_added = [h for name, h in b.hosts.items() if name not in a.hosts]
    d.hosts_removed = [h for name, h in a.hosts.items() if name not in b.hosts]
    host_keys = ("cluster", "model", "fault_domain", "vcpu_capacity", "usable_memory_gb", "usable_storage_gb")
    d.hosts_changed = [(name, text) for name, h in b.hosts.items() if name in a.hosts
                       for text in [_changes(a.hosts[name], h, host_keys)] if text]
    d.vms_added = [vm for name, vm in b.vms.items() if name not in a.vms]
    d.vms_removed = [vm for name, vm in a.vms.items() if name not in b.vms]
    d.vms_moved = [(name, str(vm.get("role", "")), a.vms[name]["host"], vm["host"]) for name, vm in b.vms.items()
                   if name in a.vms and a.vms[name]["host"] != vm["host"]]
    vm_keys = ("vcpu", "memory_gb", "storage_gb", "anti_affinity_group")
    d.vms_resized = [(name, text) for name, vm in b.vms.items() if name in a.vms
                     for text in [_changes(a.vms[name], vm, vm_keys)] if text]
    ra = Counter(str(vm.get("role", "?")) for vm in a.vms.values())
    rb = Counter(str(vm.get("role", "?")) for vm in b.vms.values())
    d.roles = [(r, ra[r], rb[r]) for r in sorted(set(ra) | set(rb)) if ra[r] != rb[r]]
    d.cost = (_cost(old, a), _cost(new, b))
    d.host_count = (len(a.hosts), len(b.hosts))
    d.vm_count = (len(a.vms), len(b.vms))
    d.other = [k for k in sorted((set(old) | set(new)) - SUMMARISED) if _canon(old.get(k)) != _canon(new.get(k))]
    if not (d.clusters_added or d.clusters_removed or d.clusters_changed) and \
            _canon(old.get("clusters")) != _canon(new.get("clusters")):
        d.other.insert(0, "clusters")
    return d


def _canon(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)
