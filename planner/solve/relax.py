"""Each relaxation a clash suggests, checked by re-solving before it is printed.

A suggestion is a clash (field, value, what would relax it) with the change its relaxation makes to
the placement problem: more hosts per cluster, one host failure fewer, no rack loss, a
host model twice as large, no memory reserve, shared storage, smaller VMs, or fewer members of an anti-affinity group. The greedy
placement (heuristic.py, every rule) re-solves the relaxed problem of each host model on offer, then
a short solve of the hole model at the lower bound (holes.py) and of the count model (tenant.py; the exact model
where it does not apply): a relaxation that places is printed with the hosts it takes; one that does not
is marked as not enough on its own (in a proven clash) or dropped (a mere suspect). A relaxed problem whose lower
bound (bounds.py) still passes the host limit is not re-solved.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from planner.settings import SolverSettings
from planner.solve.bounds import host_lower_bound
from planner.solve.exact import solve_exact
from planner.solve.heuristic import smallest_placement
from planner.solve.holes import solve_holes
from planner.solve.problem import ClusterProblem, Item
from planner.solve.tenant import count_model_applies, solve_tenant

Clash = tuple[str, object, str]  # (field path, value, what would relax it)
Relax = Callable[[ClusterProblem], Iterable[ClusterProblem]]  # relaxed problems, the preferred first
CHECK = SolverSettings(time_limit=2, workers=1)  # the exact re-solve when the greedy one finds nothing
MAX_SHRINK = 16  # group sizes tried when a group is made smaller


@dataclass(frozen=True)
class Suggestion:
    clash: Clash
    relax: Relax


def more_hosts(p: ClusterProblem) -> list[ClusterProblem]:
    return [replace(p, max_hosts=max(p.max_hosts, 64))]


def fewer_failures(p: ClusterProblem) -> list[ClusterProblem]:
    return [replace(p, k=p.k - 1)] if p.k else []


def no_rack_loss(p: ClusterProblem) -> list[ClusterProblem]:
    return [replace(p, rack_tolerance=False)]


def larger_host(p: ClusterProblem) -> list[ClusterProblem]:
    h = p.host
    return [replace(p, host=replace(h, vcpu=2 * h.vcpu, memory_mb=2 * h.memory_mb,
                                    storage_gb=None if h.storage_gb is None else 2 * h.storage_gb))]


def more_vcpu(p: ClusterProblem) -> list[ClusterProblem]:
    return [replace(p, host=replace(p.host, vcpu=2 * p.host.vcpu))]


def no_reserve(p: ClusterProblem) -> list[ClusterProblem]:
    return [replace(p, host=replace(p.host, memory_mb=round(p.host.memory_gb * 1024)))]


def shared_storage(p: ClusterProblem) -> list[ClusterProblem]:
    return [replace(p, host=replace(p.host, storage_gb=None))]


def smaller_vms(role: str | None, index: int) -> Relax:
    """VMs of `role` (every VM when None) cut to a host's capacity in resource `index` (0 vCPU, 1 memory, 2 storage)."""
    def relax(p: ClusterProblem) -> list[ClusterProblem]:
        cap = p.host.capacity()[index] or None
        fields = ("vcpu", "memory_mb", "storage_gb")

        def cut(it: Item) -> Item:
            need = getattr(it, fields[index])
            return it._replace(**{fields[index]: cap}) if cap and need > cap and role in (None, it.role) else it

        return [replace(p, items=tuple(cut(it) for it in p.items))]
    return relax


def fewer_members(group: str) -> Relax:
    """The group with one member fewer, two fewer, ... (its other VMs stay)."""
    return _fewer(lambda it: it.group == group)


def fewer_of_role(role: str) -> Relax:
    """One VM of `role` fewer, two fewer, ... (a role capped per host, or on hosts of its own)."""
    return _fewer(lambda it: it.role == role)


def _fewer(chosen: Callable[[Item], bool]) -> Relax:
    def relax(p: ClusterProblem) -> Iterable[ClusterProblem]:
        members = [it.name for it in p.items if chosen(it)]
        for size in range(len(members) - 1, max(0, len(members) - 1 - MAX_SHRINK), -1):
            drop = set(members[size:])
            yield replace(p, items=tuple(it for it in p.items if it.name not in drop))
    return relax


def _places(p: ClusterProblem) -> int | None:
    """Hosts of a placement of p found by the greedy engine, else by a short exact solve; None when neither finds one."""
    lb = host_lower_bound(p)[0] if p.items else p.k + 1
    if lb > p.max_hosts or not all(p.fits_empty_host(it) for it in p.items):
        return None  # proven without a solve
    found = smallest_placement(p, lb)
    if found is None and count_model_applies(p):  # the hole model's placement at the bound saves the count model
        found = (solve_holes(p, lb, CHECK.time_limit, CHECK.seed)[0]
                 or solve_tenant(p, lb, CHECK.time_limit, CHECK.workers, CHECK.seed).placement)
    elif found is None:
        found = solve_exact(p, p.max_hosts, None, CHECK).placement
    return found.n if found else None


def check(candidates: list[ClusterProblem], s: Suggestion) -> tuple[int, int] | None:
    """(hosts, VMs) of the first relaxed problem that places, over the host models; None when none does."""
    for p in candidates:
        for q in s.relax(p):
            n = _places(q)
            if n is not None:
                return n, len(q.items)
    return None


def verified(candidates: list[ClusterProblem], suggestions: list[Suggestion], proven: bool) -> list[Clash]:
    """The clashes whose relaxation, alone, re-solves: the hint says what it then takes. Of a proven clash the
    others stay, marked not enough on their own; of mere suspects they are dropped."""
    out = []
    for s in suggestions:
        field, value, hint = s.clash
        done = check(candidates, s)
        if done is not None:
            n, vms = done
            fewer = len(candidates[0].items) - vms
            out.append((field, value, f"{hint} (re-solved: {n} hosts" + (f" with {fewer} VM(s) fewer)" if fewer
                                                                         else ")")))
        elif proven:
            out.append((field, value, f"{hint} (re-solved: not enough on its own; relax it with another)"))
    return out
