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

import numpy as np

from planner.solve import rules
from planner.solve.heuristic import _order
from planner.solve.problem import ClusterProblem, Placement

HONOURS = rules.PLACEMENT | rules.RESTARTS  # the rules `place_backup` honours by construction (k <= 1)


def applies(p: ClusterProblem) -> bool:
    """Whether the engine can place p: at most one host failure, and no rule it does not know."""
    return p.k <= 1 and not rules.declines(p, HONOURS)


def place_backup(p: ClusterProblem, n: int) -> Placement | None:
    """A placement on n hosts with a backup host per VM covering every scenario, or None."""
    if not applies(p) or (p.items and n <= p.k):
        return None
    scenarios = p.scenarios(n)
    if any(len(s) >= n for s in scenarios):
        return None
    cap = p.host.capacity()
    res = [i for i in range(3) if cap[i]]
    dims = res + [3]  # the resources that have a capacity, and the VM count
    capv = np.array(list(cap) + [p.host.max_vms], dtype=np.int64)[dims]
    inv = 1.0 / capv[:len(res)]
    rack = np.array([p.rack_of(h) for h in range(n)])
    racks = p.rack_tolerance
    needs_backup = bool(scenarios)
    load = np.zeros((n, len(dims)), dtype=np.int64)
    reserve = np.zeros((n, len(dims)), dtype=np.int64)
    pair = np.zeros((n, n, len(dims)), dtype=np.int64)  # pair[f, g]: restart load of f's VMs backed up on g
    rack_pair = np.zeros((p.racks, n, len(dims)), dtype=np.int64)  # the same per failed rack
    taken: dict[str, np.ndarray] = {}  # per group, hosts (or whole racks) it already occupies
    host_of: dict[str, int] = {}
    backup: dict[str, int] = {}
    for it in _order(p):
        d = np.array(list(it.demand(p.per_host_storage)) + [1], dtype=np.int64)[dims]
        total = load + reserve + d
        ok = (total <= capv).all(axis=1)
        if it.group in taken:
            ok &= ~taken[it.group]
        if not ok.any():
            return None
        key = np.where(ok, (total[:, :len(res)] * inv).max(axis=1), np.inf)
        h = int(np.argmin(key))  # least loaded after adding the VM; lowest host number on a tie
        if needs_backup:
            need = pair[h] + d
            if racks:
                need = np.maximum(need, rack_pair[rack[h]] + d)
            new = np.maximum(reserve, need)
            fits = (load + new <= capv).all(axis=1)
            fits[h] = False
            if racks:
                fits &= rack != rack[h]
            if not fits.any():
                return None
            grow = ((new - reserve)[:, :len(res)] * inv).max(axis=1)
            room = ((load + new)[:, :len(res)] * inv).max(axis=1)
            cand = np.flatnonzero(fits)
            b = int(cand[np.lexsort((cand, room[cand], grow[cand]))[0]])  # least reservation growth, then room
            pair[h, b] += d
            if racks:
                rack_pair[rack[h], b] += d
            reserve[b] = new[b]
            backup[it.name] = b
        host_of[it.name] = h
        load[h] += d
        if it.group:
            mask = taken.setdefault(it.group, np.zeros(n, dtype=bool))
            mask[(rack == rack[h]) if it.scope == "fault_domain" else h] = True
    restarts = {}
    for s in scenarios:
        down = set(s)
        restarts[s] = {name: backup[name] for name, h in host_of.items() if h in down}
    found = Placement(n=n, host_of=host_of, restarts=restarts)
    return found if rules.sound(p, found) else None
