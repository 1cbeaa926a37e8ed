"""Restart-aware first-fit-decreasing for N+1 (and rack loss): every VM gets a primary host
and a backup host, and every host reserves room for the worst scenario's restarts onto it.

With k <= 1, the failure scenarios containing a host h are {h} and (with rack loss) h's
rack. A VM on h gets a backup host b outside every scenario containing h. For host g, the
restart load of scenario S is the sum over the VMs on S whose backup is g; g's
*reservation* is the largest of these over the scenarios (per resource). A placement where
load[g] + reservation[g] <= capacity for every g survives every scenario, with "restart
on the backup" as the certificate. VMs go largest first to the host with the most room
(balanced), honouring anti-affinity; the backup is the host whose reservation grows
least, so reservations overlap across scenarios instead of adding up.
"""
from __future__ import annotations

from planner.solve.heuristic import Placement, _order
from planner.solve.problem import ClusterProblem


def applies(p: ClusterProblem) -> bool:
    return p.k <= 1


def place_backup(p: ClusterProblem, n: int) -> Placement | None:
    """A placement on n hosts with a backup host per VM covering every scenario, or None."""
    if not applies(p) or (p.items and n <= p.k):
        return None
    cap = p.host.capacity()
    res = [i for i in range(3) if cap[i]]
    scenarios = p.scenarios(n)
    if any(len(s) >= n for s in scenarios):
        return None
    racks = p.rack_tolerance
    rack = [p.rack_of(h) for h in range(n)]
    needs_backup = bool(scenarios)
    load = [[0, 0, 0, 0] for _ in range(n)]  # vCPU, memory, storage, VM count
    reserve = [[0, 0, 0, 0] for _ in range(n)]
    pair = [[[0, 0, 0, 0] for _ in range(n)] for _ in range(n)] if needs_backup else None  # pair[f][g]
    rack_pair = [[[0, 0, 0, 0] for _ in range(n)] for _ in range(p.racks)] if racks else None
    capv = list(cap) + [p.host.max_vms]
    dims = res + [3]
    taken_host: dict[str, set[int]] = {}
    taken_rack: dict[str, set[int]] = {}
    host_of: dict[str, int] = {}
    backup: dict[str, int] = {}
    inv = [1.0 / c if c else 0.0 for c in capv]
    for it in _order(p):
        d = list(it.demand(p.per_host_storage)) + [1]
        best, best_key = -1, None
        for h in range(n):
            lh, rh = load[h], reserve[h]
            if any(lh[i] + rh[i] + d[i] > capv[i] for i in dims):
                continue
            if it.group and (h in taken_host.get(it.group, ()) or
                             (it.scope == "fault_domain" and rack[h] in taken_rack.get(it.group, ()))):
                continue
            key = max((lh[i] + rh[i] + d[i]) * inv[i] for i in res)
            if best_key is None or key < best_key:
                best, best_key = h, key
        if best < 0:
            return None
        h = best
        b = -1
        if needs_backup:
            b_key = None
            ph = pair[h]
            rph = rack_pair[rack[h]] if racks else None
            for g in range(n):
                if g == h or (racks and rack[g] == rack[h]):
                    continue
                lg, rg, pg = load[g], reserve[g], ph[g]
                ok, grow, room = True, 0.0, 0.0
                for i in dims:
                    need = pg[i] + d[i]
                    if racks:
                        need = max(need, rph[g][i] + d[i])
                    new = rg[i] if rg[i] >= need else need
                    if lg[i] + new > capv[i]:
                        ok = False
                        break
                    if i < 3:
                        grow = max(grow, (new - rg[i]) * inv[i])
                        room = max(room, (lg[i] + new) * inv[i])
                if not ok:
                    continue
                key = (grow, room)
                if b_key is None or key < b_key:
                    b, b_key = g, key
            if b < 0:
                return None
            pg = ph[b]
            for i in dims:
                pg[i] += d[i]
                need = pg[i]
                if racks:
                    rph[b][i] += d[i]
                    need = max(need, rph[b][i])
                if need > reserve[b][i]:
                    reserve[b][i] = need
            backup[it.name] = b
        host_of[it.name] = h
        for i in dims:
            load[h][i] += d[i]
        if it.group:
            taken_host.setdefault(it.group, set()).add(h)
            taken_rack.setdefault(it.group, set()).add(rack[h])
    restarts = {}
    for s in scenarios:
        down = set(s)
        restarts[s] = {name: backup[name] for name, h in host_of.items() if h in down}
    return Placement(n=n, host_of=host_of, restarts=restarts)
