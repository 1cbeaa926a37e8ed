"""Restart-aware first-fit-decreasing for two host failures (N+2): the counterpart of backup.py.

Every VM on host h gets two backup hosts b1 != b2 (both != h). In scenario {h, x} it restarts on b1, or on b2
when x is b1. For host g, inflow[g, a, b] is the restart load that scenario {a, b} sends to g; g's
*reservation* is the largest over every pair (per resource). A placement where load[g] + reservation[g] <=
capacity for every g survives every pair, with "restart on the first surviving backup" as the certificate.
VMs go largest first to the host with the most room (balanced), honouring anti-affinity; b1 is the host whose
reservation grows least (so reservations overlap across pairs instead of adding up; on a tie the host that already
holds the most, so the room gathers on a few hosts that can take the largest VMs), then b2 likewise. Within a
size, the VMs of rack-scoped groups go first, then other groups, while hosts still have room.
Declines rack loss and the per-host role rules (backup.py and the count model handle those).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from planner.solve import rules
from planner.solve.backup import _Limits, dimensions
from planner.solve.heuristic import _order, grouped_first
from planner.solve.problem import ClusterProblem, Placement

if TYPE_CHECKING:
    import numpy as np

HONOURS = rules.PLACEMENT | rules.RESTARTS  # what `place_backup2` honours (k == 2, no rack loss)


def applies(p: ClusterProblem) -> bool:
    """Whether the engine can place p: exactly two host failures, no rack loss, and no rule it does not know."""
    return p.k == 2 and not p.rack_tolerance and not rules.declines(p, HONOURS)


def place_backup2(p: ClusterProblem, n: int) -> Placement | None:
    """A placement on n hosts with two backup hosts per VM covering every pair of failures, or None."""
    import numpy as np
    if not applies(p) or n < 4 or n > p.max_hosts:
        return None
    res, dims, capv, inv = dimensions(p)
    capv, inv = np.array(capv, dtype=np.int64), np.array(inv)
    load = np.zeros((n, len(dims)), dtype=np.int64)
    reserve = np.zeros((n, len(dims)), dtype=np.int64)
    inflow = np.zeros((n, n, n, len(dims)), dtype=np.int64)  # [g, a, b]: what scenario {a, b} restarts on g
    limits = _Limits(p, n)
    host_of: dict[str, int] = {}
    backups: dict[str, tuple[int, int]] = {}
    for it in sorted(_order(p), key=grouped_first(p)):
        d = np.array(list(it.demand(p.per_host_storage)) + [1], dtype=np.int64)[dims]
        total = load + reserve + d
        allowed = limits.allowed(it)
        ok = (total <= capv).all(axis=1) & (True if allowed is None else np.array(allowed))
        if not ok.any():
            return None
        h = int(np.argmin(np.where(ok, (total[:, :len(res)] * inv).max(axis=1), np.inf)))
        b1 = _backup(np.maximum(reserve, inflow[:, h].max(axis=1) + d), reserve, load, capv, inv, (h,))
        if b1 is None:
            return None
        b2 = _backup(np.maximum(reserve, inflow[:, h, b1] + d), reserve, load, capv, inv, (h, b1))
        if b2 is None:
            return None
        others = np.ones(n, dtype=bool)
        others[[h, b1]] = False
        inflow[b1, h, others] += d
        inflow[b1, others, h] += d
        inflow[b2, h, b1] += d
        inflow[b2, b1, h] += d
        reserve[b1] = np.maximum(reserve[b1], inflow[b1, h].max(axis=0))
        reserve[b2] = np.maximum(reserve[b2], inflow[b2, h, b1])
        host_of[it.name] = h
        backups[it.name] = (b1, b2)
        load[h] += d
        limits.add(it, h)
    on: list[list[str]] = [[] for _ in range(n)]
    for name, h in host_of.items():
        on[h].append(name)
    restarts = {}
    for s in p.scenarios(n):
        restarts[s] = {name: b2 if b1 in s else b1 for h in s for name in on[h] for b1, b2 in [backups[name]]}
    found = Placement(n=n, host_of=host_of, restarts=restarts)
    return found if rules.sound(p, found) else None


def _backup(new: np.ndarray, reserve: np.ndarray, load: np.ndarray, capv: np.ndarray, inv: np.ndarray,
            exclude: tuple[int, ...]) -> int | None:
    """The host whose reservation grows least to `new`, then the one holding the most (backups gather on a few
    hosts that keep room, like spares, instead of every host keeping a little), then the least loaded, then the
    lowest number, among those where it still fits and not in `exclude`; None when none."""
    import numpy as np
    fits = (load + new <= capv).all(axis=1)
    fits[list(exclude)] = False
    if not fits.any():
        return None
    r = len(inv)
    grow = ((new - reserve)[:, :r] * inv).max(axis=1)
    held = (new[:, :r] * inv).max(axis=1)
    room = ((load + new)[:, :r] * inv).max(axis=1)
    cand = np.flatnonzero(fits)
    return int(cand[np.lexsort((cand, room[cand], -held[cand], grow[cand]))[0]])

