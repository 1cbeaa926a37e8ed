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
        self._asked: tuple[str, list[ClusterProblem], tuple] | None = None  # the last `get`: its key for `add`

    def get(self, cluster: Cluster, candidates: list[ClusterProblem]) -> tuple[str, ClusterOutcome] | None:
        """(the name of the cluster solved alike, its outcome renamed for `cluster`), or None."""
        key = self._key(cluster, candidates)
        if not key[-1] or not key[1] or key not in self._seen:
            return None
        first, outcome = self._seen[key]
        new = {it.name: mine.name for it, mine in zip(outcome.problem.items, candidates[0].items)}.__getitem__
        problem = next(p for p in candidates if p.host == outcome.problem.host)
        pl = outcome.placement
        placement = Placement(pl.n, _renamed(pl.host_of, new),
                              {f: _renamed(plan, new) for f, plan in pl.restarts.items()}, pl.models)
        volume_bound, reason = host_lower_bound(problem)  # its reason may name a group
        report = outcome.report
        text = binding(reason, pl.n, volume_bound, report.status, report.method)
        return first, ClusterOutcome(problem, placement, report.model_copy(update={"cluster": cluster.name,
                                                                                   "binding": text}))

    def add(self, cluster: Cluster, candidates: list[ClusterProblem], outcome: ClusterOutcome) -> None:
        self._seen.setdefault(self._key(cluster, candidates), (cluster.name, outcome))

    def _key(self, cluster: Cluster, candidates: list[ClusterProblem]) -> tuple:
        """_key, once for a `get` and the `add` after it."""
        asked = self._asked
        if asked is None or asked[0] != cluster.name or asked[1] is not candidates:
            asked = self._asked = (cluster.name, candidates, _key(cluster, candidates))
        return asked[2]


def _renamed(host_of: dict[str, int], new) -> dict[str, int]:
    """`host_of` (VM -> host) with each VM renamed by `new`, in the same order."""
    return dict(zip(map(new, host_of), host_of.values()))
