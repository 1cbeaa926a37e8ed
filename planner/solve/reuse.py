"""Clusters that are one placement problem up to VM and group names (the compute clusters of identical
stamps: multi-stamp's three stamps of 1 000 tenants each) are solved once; the others get that placement
with the names mapped.

Every engine reads VM and group names only as keys and through their order (sorting, ties), so two problems
whose items agree position by position (demand, role, group rules) and whose VM and group names sort alike
(an order-preserving renaming) are solved alike: the copy is what solving again would give, without the work.
"""
from __future__ import annotations

from dataclasses import replace

from planner.model.design import Cluster
from planner.solve.bounds import host_lower_bound
from planner.solve.cluster import ClusterOutcome, binding
from planner.solve.problem import ClusterProblem, Placement


def _key(cluster: Cluster, candidates: list[ClusterProblem]) -> tuple:
    """What the engines see of a cluster's problems, names replaced by their rank among the cluster's names."""
    items = candidates[0].items if candidates else ()
    name_rank = {name: i for i, name in enumerate(sorted(it.name for it in items))}
    group_rank = {g: i for i, g in enumerate(sorted({it.group for it in items if it.group}))}
    shape = tuple((name_rank[it.name], it.vcpu, it.memory_mb, it.storage_gb, group_rank.get(it.group), it.scope,
                   it.role, it.cap) for it in items)
    rest = tuple(replace(p, cluster="", items=()) for p in candidates)
    same_items = all(p.items == items for p in candidates)
    return cluster.purpose, shape, rest, same_items


class Solved:
    """The clusters solved so far, by what their engines see."""

    def __init__(self) -> None:
        self._seen: dict[tuple, tuple[str, ClusterOutcome]] = {}

    def get(self, cluster: Cluster, candidates: list[ClusterProblem]) -> tuple[str, ClusterOutcome] | None:
        """(the name of the cluster solved alike, its outcome renamed for `cluster`), or None."""
        key = _key(cluster, candidates)
        if not key[-1] or not key[1] or key not in self._seen:
            return None
        first, outcome = self._seen[key]
        new = {it.name: mine.name for it, mine in zip(outcome.problem.items, candidates[0].items)}
        problem = next(p for p in candidates if p.host == outcome.problem.host)
        pl = outcome.placement
        placement = Placement(pl.n, {new[vm]: h for vm, h in pl.host_of.items()},
                              {f: {new[vm]: h for vm, h in plan.items()} for f, plan in pl.restarts.items()}, pl.models)
        volume_bound, reason = host_lower_bound(problem)  # its reason may name a group
        report = outcome.report
        text = binding(reason, pl.n, volume_bound, report.status, report.method)
        return first, ClusterOutcome(problem, placement, report.model_copy(update={"cluster": cluster.name,
                                                                                   "binding": text}))

    def add(self, cluster: Cluster, candidates: list[ClusterProblem], outcome: ClusterOutcome) -> None:
        self._seen.setdefault(_key(cluster, candidates), (cluster.name, outcome))
