"""The restart-aware greedy for two host failures (planner/solve/backup2.py): its placements survive every pair of
failed hosts (checked here by plain arithmetic, without the engines' rules), and the tenant solve uses it where
the balanced greedy with greedy restarts falls short."""
from __future__ import annotations

import itertools
import random

import pytest

from planner.solve.backup2 import applies, place_backup2
from planner.solve.bounds import host_lower_bound
from planner.solve.problem import ClusterProblem, HostType, Item
from planner.solve.rules import sound
from planner.solve.tenant import solve_tenant


def cluster(seed: int, vms: int, vcpu: int = 48, racks: int = 1, sets: int = 0, rack_tolerance: bool = False,
            k: int = 2) -> ClusterProblem:
    """Random tenant VMs of 1-8 vCPU (1 792 MB each), and `sets` 3-member availability sets (rack scope when
    there are racks)."""
    rng = random.Random(seed)
    items = [Item(f"t{i:04d}", c, c * 1792, 40, None, "host") for i in range(vms)
             for c in [rng.choices([1, 2, 4, 8], [60, 28, 10, 2])[0]]]
    scope = "fault_domain" if racks > 1 else "host"
    items += [Item(f"s{g:03d}-{j}", 2, 3584, 40, f"set{g:03d}", scope) for g in range(sets) for j in range(3)]
    host = HostType("m", 9000, vcpu, 190 * 1024, None, 1024, 192)
    return ClusterProblem("COMP01", tuple(items), host, k, racks, rack_tolerance, 64)


def survives_every_pair(p: ClusterProblem, pl) -> bool:
    """Every pair of failed hosts: each VM on them restarts once on a survivor, and no survivor passes its vCPU,
    memory or VM count; anti-affinity sets on distinct hosts (and racks) while running."""
    cap = (p.host.vcpu, p.host.memory_mb, p.host.max_vms)
    on = {h: [it for it in p.items if pl.host_of[it.name] == h] for h in range(pl.n)}
    load = {h: [sum(it.vcpu for it in vms), sum(it.memory_mb for it in vms), len(vms)] for h, vms in on.items()}
    pairs = list(itertools.combinations(range(pl.n), 2))
    if sorted(pl.restarts) != pairs:
        return False
    for pair in pairs:
        plan, after = pl.restarts[pair], {h: list(load[h]) for h in range(pl.n) if h not in pair}
        if sorted(plan) != sorted(it.name for h in pair for it in on[h]):
            return False
        for it in (it for h in pair for it in on[h]):
            if plan[it.name] not in after:
                return False
            row = after[plan[it.name]]
            row[0], row[1], row[2] = row[0] + it.vcpu, row[1] + it.memory_mb, row[2] + 1
        if any(a > c for row in after.values() for a, c in zip(row, cap)):
            return False
    for h, row in load.items():
        if any(a > c for a, c in zip(row, cap)):
            return False
    sets: dict[str, list[int]] = {}
    for it in p.items:
        if it.group:
            sets.setdefault(it.group, []).append(pl.host_of[it.name] % p.racks if it.scope == "fault_domain"
                                                 else pl.host_of[it.name])
    return all(len(set(where)) == len(where) for where in sets.values())


@pytest.mark.parametrize("seed,vms,vcpu,racks,sets", [(0, 300, 48, 1, 0), (1, 500, 48, 1, 10), (2, 400, 96, 3, 12),
                                                      (3, 150, 24, 4, 5), (4, 800, 96, 1, 0)])
def test_placements_survive_every_pair_of_failures(seed, vms, vcpu, racks, sets):
    p = cluster(seed, vms, vcpu, racks, sets)
    lb, _ = host_lower_bound(p)
    pl = next((pl for n in range(lb, lb + 4) if (pl := place_backup2(p, n))), None)
    assert pl is not None
    assert survives_every_pair(p, pl) and sound(p, pl)
    assert place_backup2(p, pl.n).restarts == pl.restarts  # deterministic


def test_the_check_catches_a_broken_plan():
    p = cluster(0, 300)
    pl = place_backup2(p, host_lower_bound(p)[0] + 1)
    name = next(iter(pl.restarts[(0, 1)]))
    pl.restarts[(0, 1)][name] = 1  # onto a failed host
    assert not survives_every_pair(p, pl) and not sound(p, pl)
    pl = place_backup2(p, host_lower_bound(p)[0] + 1)
    busy = tuple(sorted(sorted(range(pl.n), key=lambda h: -sum(it.vcpu for it in p.items
                                                                 if pl.host_of[it.name] == h))[:2]))
    target = next(h for h in range(pl.n) if h not in busy)
    for name in pl.restarts[busy]:
        pl.restarts[busy][name] = target  # the two busiest hosts' VMs all onto one survivor
    assert not survives_every_pair(p, pl) and not sound(p, pl)


def test_declines_what_it_does_not_handle():
    assert not applies(cluster(0, 50, racks=2, rack_tolerance=True))
    assert not applies(cluster(0, 50, k=1))
    p = cluster(0, 50)
    assert applies(p) and place_backup2(p, 3) is None and place_backup2(p, p.max_hosts + 1) is None


def test_tenant_solve_packs_n2_at_the_bound_where_the_balanced_greedy_needs_one_more():
    """500 VMs on 48-vCPU hosts at N+2: the bound is 21; the balanced greedy with greedy restarts needs 22 (and
    the count model is left out here: no time for it)."""
    p = cluster(0, 500)
    lb, _ = host_lower_bound(p)
    res = solve_tenant(p, lb, 0, 1, 1)
    assert lb == 21 and res.placement is not None and res.placement.n == 21 and res.status == "optimal"
    assert survives_every_pair(p, res.placement)


def test_tenant_solve_tries_backup2_before_the_count_model(monkeypatch):
    """Cheap engines first: where backup2 packs an N+2 cluster the count model is not built (a 3 000-VM cluster
    of 53 hosts: a 365 000-variable model, 190 CPU s and 4 GB, before backup2 placed it in 3 s)."""
    import planner.solve.tenant as tenant

    def no_model(*args, **kwargs):
        raise AssertionError("the count model ran before backup2")

    monkeypatch.setattr(tenant, "_solve_count", no_model)
    p = cluster(0, 500)
    res = solve_tenant(p, host_lower_bound(p)[0], 30, 1, 1)
    assert res.placement is not None and res.placement.n == 21 and res.method == "heuristic"
