"""The restart-aware greedy (planner/solve/backup.py) in plain Python: no numpy, and the very decisions its numpy
version took (same hosts, backups and ties) on random clusters with racks, rack loss, groups, caps and dedicated
roles."""
from __future__ import annotations

import hashlib
import random
import sys

from planner.solve import rules
from planner.solve.backup import place_backup
from planner.solve.problem import ClusterProblem, HostType, Item

# sha256 of `_decisions(range(40))`, taken with the numpy version (commit cecd419)
NUMPY_DECISIONS = "779a2dc71cf796e77e8045eabc2057611d0ac222809a022cc170e0e743a4c2ca"


def random_problem(seed: int) -> ClusterProblem:
    """A cluster of up to 90 VMs of random sizes, roles and HA groups (host or rack scope, spread), some roles
    capped per host or dedicated, on 1-4 racks, local or shared storage, N+0 or N+1."""
    rnd = random.Random(seed)
    roles = [f"r{i}" for i in range(rnd.randint(1, 4))]
    groups = {f"g{i}": (rnd.choice(["host", "fault_domain"]), rnd.choice([1, 1, 2, 3]))
              for i in range(rnd.randint(0, 4))}
    items = []
    for i in range(rnd.randint(1, 90)):
        group = rnd.choice([None, None, *groups]) if groups else None
        scope, cap = groups[group] if group else ("host", 1)
        items.append(Item(f"v{rnd.randint(0, 999):03d}-{i}", rnd.choice([1, 2, 2, 4, 8]),
                          rnd.choice([1024, 2048, 4096, 8192]), rnd.choice([10, 40, 100]), group, scope,
                          rnd.choice(roles), cap))
    host = HostType(model="h", price=1, vcpu=rnd.choice([16, 24, 32, 48]),
                    memory_mb=rnd.choice([65536, 98304, 131072]), storage_gb=rnd.choice([None, 800, 2000]),
                    max_vms=rnd.choice([8, 16, 64, 1024]), memory_gb=128)
    racks = rnd.choice([1, 1, 2, 3, 4])
    return ClusterProblem(cluster="C", items=tuple(items), host=host, k=rnd.choice([0, 1, 1, 1]), racks=racks,
                          rack_tolerance=racks > 1 and rnd.random() < 0.5, max_hosts=16,
                          role_caps=tuple((r, rnd.randint(1, 6)) for r in roles if rnd.random() < 0.3),
                          dedicated=frozenset(r for r in roles if rnd.random() < 0.15))


def _decisions(seeds) -> str:
    """A digest of every placement (hosts and restarts) the greedy makes on 1-16 hosts of each random cluster."""
    out = hashlib.sha256()
    for seed in seeds:
        p = random_problem(seed)
        for n in range(1, p.max_hosts + 1):
            pl = place_backup(p, n)
            made = pl and (sorted(pl.host_of.items()), sorted((s, sorted(r.items())) for s, r in pl.restarts.items()))
            out.update(repr((seed, n, made)).encode())
    return out.hexdigest()


def test_the_decisions_are_the_numpy_versions(monkeypatch):
    """Every placement, sound or not (the rule check would hide a different but sound one)."""
    monkeypatch.setattr(rules, "sound", lambda p, pl: True)
    assert _decisions(range(40)) == NUMPY_DECISIONS


def test_places_without_numpy(monkeypatch):
    """numpy's import (0.1 s) was most of what the greedy cost a small plan."""
    monkeypatch.setitem(sys.modules, "numpy", None)  # `import numpy` now fails
    p = random_problem(63)
    assert p.rack_tolerance and p.dedicated and p.role_caps  # every per-host rule in play
    assert any(place_backup(p, n) for n in range(1, p.max_hosts + 1))


def test_kept_primary_keys_are_fresh(monkeypatch):
    """The primary keys kept per demand (only the hosts changed since recomputed) equal keys computed afresh
    at every VM, on clusters whose sizes come in runs and interleave."""
    from planner.solve import backup
    checked = []
    key = backup._Hosts._key

    def fresh(self, d):
        kept = key(self, d)
        assert kept == [self._share(g, d) for g in self.hosts]
        checked.append(d)
        return kept

    monkeypatch.setattr(backup._Hosts, "_key", fresh)
    monkeypatch.setattr(rules, "sound", lambda p, pl: True)
    for seed in range(12):
        p = random_problem(seed)
        for n in range(1, p.max_hosts + 1):
            place_backup(p, n)
    assert len(set(checked)) > 20


def test_a_vm_recomputes_the_keys_of_few_hosts(monkeypatch):
    """A VM changes two hosts (its own and its backup): placing 600 VMs of three sizes on 12 hosts recomputes
    a few host keys a VM, not every host's (each key is a host's largest share once the VM is added)."""
    from planner.solve import backup
    calls = []
    share = backup._Hosts._share
    monkeypatch.setattr(backup._Hosts, "_share", lambda self, g, d: calls.append(g) or share(self, g, d))
    items = tuple(Item(f"v{i:04d}", (1, 2, 4)[i % 3], (2048, 4096, 8192)[i % 3], 40, None, "host") for i in range(600))
    p = ClusterProblem(cluster="C", items=items, host=HostType(model="h", price=1, vcpu=256, memory_mb=1048576,
                       storage_gb=None, max_vms=1024, memory_gb=1024), k=1, racks=1, rack_tolerance=False,
                       max_hosts=16)
    assert place_backup(p, 12) is not None
    assert len(calls) < 4 * len(items)
