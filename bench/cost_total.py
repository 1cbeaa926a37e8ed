"""Total cost before (hardware-only objective, licence prices set to 0 for the solve) and after (term-cost
objective), re-priced at full terms, for each reference profile and bench/cost/*.yaml; with the cost per tenant VM
per month, the whole-design bound (the least over every legal stamp count, and that count), the gap to it, and the
plan time in CPU seconds (this process: the solver runs in it).

    python bench/cost_total.py            # prints a markdown table
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.cost import design_cost  # noqa: E402
from planner.model.load import load_requirements  # noqa: E402
from planner.model.requirements import Licensing, Requirements  # noqa: E402
from planner.plan import plan  # noqa: E402

HARDWARE_ONLY = {"windows_datacenter_2proc", "windows_datacenter_2core", "system_center_datacenter_2proc",
                 "system_center_datacenter_2core", "sql_enterprise_2core", "sql_standard_2core",
                 "windows_datacenter_spla_2core_month", "system_center_datacenter_spla_2core_month",
                 "sql_enterprise_spla_2core_month", "sql_standard_spla_2core_month", "power_kwh", "rack_unit_month"}


def hardware_only(req: Requirements) -> Requirements:
    """`req` with every non-hardware price at 0: the old, hardware-only objective."""
    options = req.licensing.model_dump() if req.licensing else {}
    options["prices"] = {**options.get("prices", {}), **dict.fromkeys(HARDWARE_ONLY, 0.0)}
    return req.model_copy(update={"licensing": Licensing(**options)})


def row(path: Path) -> str:
    req = load_requirements(path)
    before = plan(hardware_only(req))
    start = time.process_time()
    after = plan(req)
    seconds = time.process_time() - start
    old = design_cost(before, req)
    models = lambda d: ", ".join(sorted({f"{sum(h.model == m for h in d.hosts)}x{m}" for m in {h.model for h in d.hosts}}))  # noqa: E731
    least = min((b for b in after.solver.stamp_bounds if "total" in b), key=lambda b: (b["total"], b["stamps"]))
    counts = [b["stamps"] for b in after.solver.stamp_bounds]
    return (f"| {path.stem} | {old['total']:,.0f} ({models(before)}) | {after.cost['total']:,.0f} ({models(after)}) | "
            f"{(after.cost['total'] - old['total']) / old['total']:+.1%} | {after.cost['per_tenant_vm_month']:,.2f} | "
            f"{after.solver.lower_bound:,.0f} ({least['stamps']} of {counts[0]}-{counts[-1]} stamps; design "
            f"{len(after.stamps)}) | {after.solver.status}, gap {after.solver.gap:.1%} | {seconds:.1f} |")


def main() -> None:
    paths = sorted((ROOT / "profiles").glob("*.yaml")) + sorted((ROOT / "bench" / "cost").glob("*.yaml"))
    print("| requirements | total before (hosts) | total after (hosts) | change | per tenant VM / month | "
          "whole-design bound (least at) | status, gap | plan CPU s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for path in paths:
        print(row(path), flush=True)


if __name__ == "__main__":
    main()
