"""Lower bounds on the cost of a park of mixed machines with prices, computed without a solver.

- the LP relaxation of "buy machines whose capacity covers the demand" through its dual (any
  dual point is a valid bound; coordinate ascent with exact line searches);
- for a few machines, the exact cheapest cover by enumeration.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence


def _dual_value(u: Sequence[float], caps: Sequence[Sequence[int]], costs: Sequence[float],
                demand: Sequence[int]) -> float:
    """Lagrangian dual of the LP cover: D.u - sum_j max(0, cap_j.u - c_j); a lower bound for any u >= 0."""
    val = sum(d * x for d, x in zip(demand, u))
    for cap, c in zip(caps, costs):
        s = sum(a * x for a, x in zip(cap, u)) - c
        if s > 0:
            val -= s
    return val


def _line_max(u: Sequence[float], v: Sequence[float], caps, costs, demand) -> float:
    """The step t maximising the (concave, piecewise-linear) dual along u + t v, keeping u + t v >= 0.

    g(t) = D.(u + t v) - sum_j max(0, a_j + b_j t) with a_j = cap_j.u - c_j, b_j = cap_j.v; its slope
    falls by |b_j| at each breakpoint -a_j / b_j. v must have a positive component."""
    lo = max(-x / d for x, d in zip(u, v) if d > 0)
    hi = min((x / -d for x, d in zip(u, v) if d < 0), default=math.inf)
    slope = sum(d * x for d, x in zip(demand, v))
    events = []
    for cap, c in zip(caps, costs):
        b = sum(x * y for x, y in zip(cap, v))
        if b == 0:
            continue
        a = sum(x * y for x, y in zip(cap, u)) - c
        t0 = -a / b
        if b > 0 and t0 <= lo:
            slope -= b
        elif b < 0 and t0 > lo:
            slope -= b
        if t0 > lo:
            events.append((t0, abs(b)))
    t = lo
    if slope <= 0:
        return t
    for point, drop in sorted(events):
        if point >= hi:
            return hi
        t = point
        slope -= drop
        if slope <= 0:
            return t
    return hi if hi < math.inf else t


def lp_cover_bound(caps: Sequence[Sequence[int]], costs: Sequence[float], demand: Sequence[int],
                   rounds: int = 60) -> float:
    """A lower bound on min sum c_j y_j s.t. sum_j cap_j y_j >= demand, 0 <= y <= 1 (at most its LP value)."""
    return lp_cover_dual(caps, costs, demand, rounds)[0]


def lp_cover_dual(caps: Sequence[Sequence[int]], costs: Sequence[float], demand: Sequence[int],
                  rounds: int = 60) -> tuple[float, list[float]]:
    """The dual bound of the LP cover and its dual prices per resource (cost per unit)."""
    dims = len(demand)
    u = [0.0] * dims
    best = 0.0
    units = [[1.0 if i == r else 0.0 for i in range(dims)] for r in range(dims)]
    for v in units:  # start from the best single-resource dual
        t = _line_max([0.0] * dims, v, caps, costs, demand)
        trial = [t * x for x in v]
        value = _dual_value(trial, caps, costs, demand)
        if value > best:
            best, u = value, trial
    # coordinate and pairwise directions (trade one resource's price for another's), exact line searches
    scale = [1.0 / max(1, d) for d in demand]
    directions = units + [[scale[i] * ((i == r) - (i == s)) / scale[r] for i in range(dims)]
                          for r in range(dims) for s in range(dims) if r != s]
    for _ in range(rounds):
        improved = False
        for v in directions:
            t = _line_max(u, v, caps, costs, demand)
            trial = [max(0.0, x + t * y) for x, y in zip(u, v)]
            value = _dual_value(trial, caps, costs, demand)
            if value > best + 1e-9:
                best, u, improved = value, trial, True
        if not improved:
            break
    return max(0.0, best), u


def cover_bound(caps: Sequence[Sequence[int]], costs: Sequence[float], demand: Sequence[int],
                largest: Sequence[int] | None = None, max_machines: int = 18) -> float | None:
    """The cheapest set of machines whose capacity covers the demand (and, per resource, whose
    largest machine holds the largest item), by enumeration; None above `max_machines`."""
    m = len(caps)
    if m > max_machines:
        return None
    best = None
    for r in range(1, m + 1):
        for subset in itertools.combinations(range(m), r):
            cost = sum(costs[j] for j in subset)
            if best is not None and cost >= best:
                continue
            if all(sum(caps[j][i] for j in subset) >= demand[i] for i in range(len(demand))) and \
                    (largest is None or all(max(caps[j][i] for j in subset) >= largest[i]
                                            for i in range(len(demand)))):
                best = cost
    return best
