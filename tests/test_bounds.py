"""Solver-free lower bounds: each is at most the optimum (checked against exhaustive search and
against what the planner finds) and equals it on the tiny cloud-balancing instances."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.cloudbalancing.bounds import cover_bound, lp_cover_bound
from bench.cloudbalancing.dataset import best_bound, load
from planner.solve.bounds import host_lower_bound, l1_bound, l2_bound
from planner.solve.problem import ClusterProblem, HostType, Item
from planner.solve.tenant import solve_tenant

from conftest import cloudbalancing

TINY = {"2computers-6processes": 5460, "3computers-9processes": 5460, "4computers-12processes": 7410}


def fewest_bins(sizes, cap):
    """Exact bin packing by search (tiny inputs only)."""
    sizes = sorted(sizes, reverse=True)
    for n in range(1, len(sizes) + 1):
        def fits(i, room):
            if i == len(sizes):
                return True
            tried = set()
            for b in range(n):
                if room[b] >= sizes[i] and room[b] not in tried:
                    tried.add(room[b])
                    room[b] -= sizes[i]
                    if fits(i + 1, room):
                        return True
                    room[b] += sizes[i]
            return False
        if fits(0, [cap] * n):
            return n
    return 0


def test_l2_known_values():
    assert l2_bound([6, 6, 6], 10) == 3  # no two share a bin; volume says 2
    assert l1_bound([6, 6, 6], 10) == 2
    assert l2_bound([5, 5, 5, 5], 10) == 2
    assert l2_bound([], 10) == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 10), min_size=1, max_size=8), st.integers(10, 14))
def test_l1_le_l2_le_optimum(sizes, cap):
    opt = fewest_bins(sizes, cap)
    assert l1_bound(sizes, cap) <= l2_bound(sizes, cap) <= opt


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 20), st.sampled_from([None, "g1", "g2"])),
                min_size=1, max_size=30), st.integers(0, 2), st.integers(1, 3), st.booleans())
def test_host_bound_at_most_what_is_found(vms, k, racks, tol):
    items = tuple(Item(f"v{i:02d}", c, m * 1024, 10, g, "host") for i, (c, m, g) in enumerate(vms))
    p = ClusterProblem("C", items, HostType("h", 1, 16, 24 * 1024, None, 1024, 32), k, racks, tol and racks > 1, 40)
    lb, _ = host_lower_bound(p)
    res = solve_tenant(p, lb, 2, 1, 1)
    if res.placement is not None:
        assert lb <= res.bound <= res.placement.n


def test_l2_drives_the_bound_when_vms_cannot_share():
    items = tuple(Item(f"v{i}", 9, 1024, 1, None, "host") for i in range(5))
    p = ClusterProblem("C", items, HostType("h", 1, 16, 64 * 1024, None, 1024, 64), 1, 1, False, 20)
    lb, reason = host_lower_bound(p)
    assert lb == 6 and "Martello-Toth" in reason
    assert solve_tenant(p, lb, 2, 1, 1).placement.n == 6


@pytest.mark.parametrize("name", sorted(TINY))
def test_bounds_equal_the_optimum_on_tiny_cloud_balancing(name):
    inst = load(cloudbalancing(f"json/{name}.json"))
    assert best_bound(inst) == TINY[name]
    demand = inst.demands.sum(axis=0).tolist()
    assert lp_cover_bound(inst.caps.tolist(), inst.costs.tolist(), demand) <= TINY[name]
    # exhaustive check that no cheaper set of computers covers the demand
    costs = inst.costs.tolist()
    cheapest = min(sum(costs[j] for j in s) for r in range(1, len(costs) + 1)
                   for s in itertools.combinations(range(len(costs)), r)
                   if all(inst.caps[list(s)].sum(axis=0) >= inst.demands.sum(axis=0)))
    assert cover_bound(inst.caps.tolist(), costs, demand) == cheapest <= TINY[name]


def test_lp_bound_matches_the_dataset_readme():
    for name, readme in [("100computers-300processes", 95930), ("800computers-2400processes", 747160)]:
        inst = load(cloudbalancing(f"json/{name}.json"))
        value = lp_cover_bound(inst.caps.tolist(), inst.costs.tolist(), inst.demands.sum(axis=0).tolist())
        assert value <= readme + 1e-6 and value >= readme * 0.99


@pytest.mark.parametrize("gateways, others, k, racks, tol", [
    (8, 3, 1, 1, False), (6, 4, 1, 2, False), (5, 2, 2, 1, False), (4, 5, 0, 1, False), (6, 3, 1, 3, True),
    (3, 6, 2, 2, False)])
def test_dedicated_bound_never_beats_the_exact_optimum(gateways, others, k, racks, tol):
    """Role rules hold after a failure: the exact model (every rule on every restart plan) never places a cluster
    with gateways (at most 2 a host, hosts dedicated) on fewer hosts than the bound (reached with k >= 1 here), and
    the count model finds that optimum."""
    from planner.settings import SolverSettings
    from planner.solve.exact import solve_exact

    items = tuple(Item(f"gw{i}", 4, 1024, 1, f"pair{i // 2}", "host", "hnv-gateway") for i in range(gateways))
    items += tuple(Item(f"vm{i}", 3, 1024, 1, None, "host", "web") for i in range(others))
    p = ClusterProblem("C", items, HostType("h", 1, 8, 64 * 1024, None, 1024, 64), k, racks, tol, 12,
                       role_caps=(("hnv-gateway", 2),), dedicated=frozenset({"hnv-gateway"}))
    lb, _ = host_lower_bound(p)
    result = solve_exact(p, lb + 2, None, SolverSettings(time_limit=20, workers=2))  # the optimum, or none there
    assert result.status == "optimal" and result.placement.n >= lb
    found = solve_tenant(p, lb, 5, 1, 1)
    assert lb <= found.bound <= result.placement.n == found.placement.n
