"""Benchmark of the compute partition alone (no management or edge clusters): per case, the compute
hosts, their cost, the split-free bound, the gap and the wall time. Not part of the test suite.

    .venv/bin/python bench/partition.py                       # bench/cases/scale-25k.yaml and the reference profiles
    .venv/bin/python bench/partition.py profiles/medium.yaml  # given cases
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.catalog import load_catalog  # noqa: E402
from planner.model.load import load_requirements  # noqa: E402
from planner.settings import SolverSettings  # noqa: E402
from planner.sizing import size_design  # noqa: E402
from planner.solve.cluster import problems, solve_cluster  # noqa: E402
from planner.solve.partition import partition, restrict  # noqa: E402
from planner.stamps import stamp_capacity  # noqa: E402


def run(path: str) -> str:
    req = load_requirements(Path(path))
    t = time.perf_counter()
    stamps = stamp_capacity(req.system_center).driver(req).stamps
    first = size_design(req, stamps, [1] * stamps)
    parts = partition(req, first)
    sizing = size_design(req, stamps, [p.plans for p in parts])
    groups = {g.name: g for g in sizing.groups}
    host_max_vms = load_catalog().limit("host_max_vms", req.system_center).value
    hosts = cost = 0
    sizes = []
    for c in (c for c in sizing.clusters if c.purpose == "compute"):
        vms = sizing.vms_of(c.name)
        out = solve_cluster(c, restrict(problems(c, vms, req, groups, host_max_vms), sizing.compute_plans[c.name]),
                            SolverSettings(), lambda _: None, req)
        hosts += out.placement.n
        cost += out.report.cost
        sizes.append(f"{out.placement.n}/N+{c.failures_tolerated}")
    bound = sum(p.bound_cost for p in parts)
    return (f"| {Path(path).stem} | {len(sizes)} | {hosts} | {cost:,.0f} | {bound:,.0f} | "
            f"{(cost - bound) / cost if cost else 0:.2%} | {time.perf_counter() - t:.1f} | {' '.join(sizes)} |")


if __name__ == "__main__":
    cases = sys.argv[1:] or [str(ROOT / "bench/cases/scale-25k.yaml"), *map(str, sorted((ROOT / "profiles").glob("*.yaml")))]
    print("| case | compute clusters | hosts | cost | split-free bound | gap | wall s | hosts/N+k per cluster |")
    print("|---|---|---|---|---|---|---|---|")
    for case in cases:
        print(run(case), flush=True)
