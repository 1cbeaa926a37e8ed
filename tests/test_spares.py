"""Hot spares (planner/solve/spares.py): every pair of failed hosts survived (checked by plain arithmetic), the
per-host role rules kept after the restarts, and N+2 clusters packed to their volume where backup2 stops short."""
from __future__ import annotations

import pytest

from planner.solve.backup2 import place_backup2
from planner.solve.bounds import host_lower_bound
from planner.solve.problem import ClusterProblem, HostType, Item
from planner.solve.rules import sound
from planner.solve.spares import applies, place_spares
from planner.solve.tenant import solve_tenant

from test_backup2 import cluster, survives_every_pair


def full(vms: int, hosts: int, vcpu: int = 48, sets: int = 0, racks: int = 1) -> ClusterProblem:
    """Tenant VMs of 1-8 vCPU, then 1-vCPU VMs up to `hosts` - 2 hosts of vCPU exactly (N+2 on `hosts` hosts)."""
    p = cluster(7, vms, vcpu, racks, sets)
    room = (hosts - 2) * vcpu - sum(it.vcpu for it in p.items)
    extra = tuple(Item(f"u{i:04d}", 1, 1792, 40, None, "host") for i in range(room))
    return ClusterProblem(p.cluster, p.items + extra, p.host, 2, racks, False, hosts)


@pytest.mark.parametrize("seed,vms,vcpu,racks,sets", [(0, 300, 48, 1, 0), (1, 500, 48, 1, 10), (2, 400, 96, 3, 12),
                                                      (3, 150, 24, 4, 5)])
def test_placements_survive_every_pair_of_failures(seed, vms, vcpu, racks, sets):
    p = cluster(seed, vms, vcpu, racks, sets)
    lb, _ = host_lower_bound(p)
    pl = next((pl for n in range(lb, lb + 4) if (pl := place_spares(p, n))), None)
    assert pl is not None and survives_every_pair(p, pl) and sound(p, pl)
    assert not [h for h in pl.host_of.values() if h >= pl.n - 2]  # the last two hosts are spares
    assert place_spares(p, pl.n).restarts == pl.restarts  # deterministic


def test_packs_to_the_volume_where_backup2_cannot():
    """18 hosts of vCPU exactly on 20 hosts at N+2: the spares hold it, backup2 needs more room."""
    p = full(250, 20)
    assert host_lower_bound(p)[0] == 20
    assert place_backup2(p, 20) is None
    pl = place_spares(p, 20)
    assert pl is not None and survives_every_pair(p, pl)
    res = solve_tenant(p, 20, 0, 1, 1)  # no time for the count model: the greedies alone
    assert res.placement is not None and res.placement.n == 20 and res.status == "optimal"


def test_role_caps_and_dedicated_hosts_hold_after_the_restarts():
    """Gateways at most 4 a host on hosts of their own: a spare takes one failed host whole, so both rules hold."""
    host = HostType("m", 9000, 16, 64 * 1024, None, 1024, 64)
    items = tuple(Item(f"gw{i:02d}", 2, 4096, 40, None, "host", "gateway") for i in range(10)) + \
        tuple(Item(f"vm{i:02d}", 2, 4096, 40, None, "host", "portal") for i in range(12))
    p = ClusterProblem("EDGE01", items, host, 2, 1, False, 16, role_caps=(("gateway", 4),),
                       dedicated=frozenset({"gateway"}))
    assert applies(p)
    pl = next(pl for n in range(4, 12) if (pl := place_spares(p, n)))
    assert sound(p, pl) and len(pl.restarts) == pl.n * (pl.n - 1) // 2


def test_declines_rack_loss_and_too_few_hosts():
    assert not applies(cluster(0, 50, racks=2, rack_tolerance=True))
    p = cluster(0, 50)
    assert place_spares(p, 2) is None and place_spares(p, p.max_hosts + 1) is None
