"""Growth: each bench/cost/growth-*.yaml planned with its growth section and without it (day one only, no
ceiling): hosts, hosts per year, term cost and plan time (CPU seconds of this process).

    python bench/growth.py            # prints a markdown table
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.model.load import load_requirements  # noqa: E402
from planner.plan import plan  # noqa: E402


def timed(req):
    start = time.process_time()
    design = plan(req)
    return design, time.process_time() - start


def row(path: Path) -> str:
    req = load_requirements(path)
    today, today_s = timed(req.model_copy(update={"growth": None}))
    grown, grown_s = timed(req)
    g = grown.growth
    return (f"| {path.stem} | {len(today.hosts)} hosts, {today.cost['total']:,.0f}, {today_s:.1f} s | "
            f"{g.line()} | {len(grown.hosts)} hosts, {grown.cost['total']:,.0f} | "
            f"{', '.join(f'{y.added_cost:,.0f}' for y in g.schedule)} | {grown.solver.status}, gap "
            f"{grown.solver.gap:.1%} | {grown_s:.1f} s |")


def main() -> None:
    print("| requirements | day one only: hosts, term cost, plan CPU | with growth: hosts per year | final design: "
          "hosts, term cost | hardware bought per year | whole-design status | plan CPU |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for path in sorted((ROOT / "bench" / "cost").glob("growth-*.yaml")):
        print(row(path), flush=True)


if __name__ == "__main__":
    main()
