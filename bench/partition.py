"""Benchmark of the compute partition: per case, `plan` (every cluster, no artifacts) at the stamp count the plan
itself settles on, then the compute clusters' hosts and term cost against the split-free bound of that many
stamps (planner/solve/partition.py), the gap, the plan's CPU seconds and the process's peak memory. Not part of
the test suite; run one case per process for a clean peak.

    .venv/bin/python bench/partition.py                          # bench/cases/scale-*.yaml
    .venv/bin/python bench/partition.py bench/cases/scale-125k.yaml
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.model.load import load_requirements  # noqa: E402
from planner.plan import plan  # noqa: E402
from planner.sizing import size_design  # noqa: E402
from planner.solve.partition import partition  # noqa: E402


def run(path: str) -> str:
    req = load_requirements(Path(path))
    cpu, wall = time.process_time(), time.perf_counter()
    design = plan(req)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    stamps = len(design.stamps)
    bound = sum(p.bound_cost for p in partition(req, size_design(req, stamps, [1] * stamps)))
    compute = {c.name: c for c in design.clusters if c.purpose == "compute"}
    reports = [r for r in design.solver.clusters if r.cluster in compute]
    hosts, cost = sum(r.hosts for r in reports), sum(r.cost for r in reports)
    sizes = " ".join(f"{r.hosts}/N+{compute[r.cluster].failures_tolerated}" for r in reports)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (f"| {Path(path).stem} | {stamps} | {len(reports)} | {hosts} | {cost:,.0f} | {bound:,.0f} | "
            f"{(cost - bound) / cost if cost else 0:.2%} | {cpu:.1f} | {wall:.1f} | {peak:.0f} | {sizes} |")


if __name__ == "__main__":
    cases = sys.argv[1:] or sorted(map(str, (ROOT / "bench/cases").glob("scale-*.yaml")))
    print("| case | stamps | compute clusters | hosts | cost | split-free bound | gap | plan cpu s | wall s | peak MB "
          "| hosts/N+k per cluster |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for case in cases:
        print(run(case), flush=True)
