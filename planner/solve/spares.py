"""Hot spares for N+k (the tenant solve tries them at k >= 2): every VM on n - k hosts (the balanced
first-fit-decreasing of heuristic.place, group members first within a size), the last k hosts left empty; when
k hosts fail, each failed host that runs VMs restarts whole on a surviving spare (failed hosts and spares in host
order: j failed spares leave k - j spares for at most k - j failed hosts).

A spare takes exactly one host's VMs, so whatever held on that host holds on the spare after the restart
(resources, VMs per host, role caps, dedicated hosts): the packing loses only what n - k hosts lose to bin
packing, where balanced placements keep a hole on every host for the largest VMs after two failures (64 hosts
at N+2: 62.0 hosts of volume where backup2.py stops at 61.5). Declines rack loss (a rack may hold more hosts
than there are spares).
"""
from __future__ import annotations

from planner.solve import rules
from planner.solve.heuristic import place
from planner.solve.problem import ClusterProblem, Placement

HONOURS = rules.PLACEMENT | rules.RESTARTS | rules.HOST_LIMITS  # what `place_spares` honours (no rack loss)


def applies(p: ClusterProblem) -> bool:
    """Whether the engine can place p: host failures only (no rack loss), and no rule it does not know."""
    return p.k >= 1 and not p.rack_tolerance and not rules.declines(p, HONOURS)


def place_spares(p: ClusterProblem, n: int) -> Placement | None:
    """A placement on n hosts whose last p.k hosts are spares, or None."""
    if not applies(p) or n <= p.k or n > p.max_hosts:
        return None
    used = n - p.k
    host_of = place(p, used, thin=False, grouped=True)
    if host_of is None:
        return None
    on: list[list[str]] = [[] for _ in range(used)]
    for name, h in host_of.items():
        on[h].append(name)
    restarts = {}
    for failed in p.scenarios(n):
        spares = [h for h in range(used, n) if h not in failed]
        restarts[failed] = {name: spare for h, spare in zip([h for h in failed if h < used], spares)
                            for name in on[h]}
    found = Placement(n=n, host_of=host_of, restarts=restarts)
    return found if rules.sound(p, found) else None
