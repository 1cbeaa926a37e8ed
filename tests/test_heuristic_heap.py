"""The balanced first-fit-decreasing (heuristic.place) finds each VM's least loaded host through per-demand heaps
refreshed lazily: it must choose exactly what scanning every host chooses (the reference outputs depend on it)."""
from __future__ import annotations

import random

from planner.solve import heuristic
from planner.solve.problem import ClusterProblem, HostType, Item


def scan_least_loaded(p: ClusterProblem, hosts: list[int], d: tuple[int, int, int], load: list[list[int]],
                      count: list[int]) -> int | None:
    """The host of `hosts` left least loaded once `d` is added, among those it fits (the lowest on a tie), by a scan."""
    keys = [(key, h) for h in hosts
            if (key := heuristic._fit_key(p.host.capacity(), p.host.max_vms, load[h], count[h], d)) is not None]
    return min(keys)[1] if keys else None


def scanned(p: ClusterProblem, n: int, thin: bool, grouped: bool) -> dict[str, int] | None:
    """place() as a scan of every host per VM (the definition the heaps must match)."""
    load, count, roles_on = [[0, 0, 0] for _ in range(n)], [0] * n, [{} for _ in range(n)]
    taken_host: dict[str, list[int]] = {}
    taken_rack: dict[str, set[int]] = {}
    caps = heuristic._placing_caps(p) if thin else dict(p.role_caps)
    order = sorted(heuristic._order(p), key=heuristic.grouped_first(p)) if grouped else heuristic._order(p)
    host_of = {}
    for it in order:
        d = it.demand(p.per_host_storage)
        allowed = [h for h in range(n) if heuristic._allowed(p, it, h, taken_host, taken_rack, roles_on[h], caps)]
        own = [h for h in allowed if roles_on[h].get(it.role)] if it.role in p.dedicated else []
        best = scan_least_loaded(p, own, d, load, count)
        best = scan_least_loaded(p, allowed, d, load, count) if best is None else best
        if best is None:
            return None
        host_of[it.name] = best
        count[best] += 1
        roles_on[best][it.role] = roles_on[best].get(it.role, 0) + 1
        load[best] = [a + b for a, b in zip(load[best], d)]
        if it.group:
            taken_host.setdefault(it.group, [0] * n)[best] += 1
            taken_rack.setdefault(it.group, set()).add(p.rack_of(best))
    return host_of


def test_the_heaps_choose_what_a_scan_of_every_host_chooses():
    rng = random.Random(1)
    for _ in range(150):
        host = HostType("m", 1, rng.choice([8, 16, 24]), rng.choice([16384, 32768]), rng.choice([None, 200]),
                        rng.choice([4, 1024]), 32)
        scope = {f"g{g}": rng.choice(["host", "fault_domain"]) for g in range(5)}
        items = []
        for i in range(rng.randint(1, 40)):
            group = rng.choice([None, None, f"g{rng.randint(0, 4)}"])
            items.append(Item(f"v{i:03d}", rng.choice([1, 2, 4]), rng.choice([1024, 2048, 4096]), rng.choice([10, 40]),
                              group, scope[group] if group else "host", rng.choice(["", "gw", "portal"])))
        p = ClusterProblem("X", tuple(items), host, rng.choice([0, 1, 2]), rng.choice([1, 2, 4]), False, 30,
                           role_caps=(("gw", rng.choice([1, 2, 4])),) if rng.random() < 0.5 else (),
                           dedicated=frozenset({"gw"}) if rng.random() < 0.4 else frozenset())
        for n in range(1, 10):
            for thin, grouped in ((True, False), (False, True)):
                assert heuristic.place(p, n, thin, grouped) == scanned(p, n, thin, grouped)
