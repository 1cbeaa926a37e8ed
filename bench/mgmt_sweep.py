"""Management and edge clusters across many stamps: how long the planner takes to place them
and prove the host count optimal. Not part of the test suite.

    .venv/bin/python bench/mgmt_sweep.py

Variants of every reference profile: tenants x 1/4, 1, 2, 4 (at most one stamp's worth),
management and edge host_failures 1 or 2, rack loss off or on (4 racks). Only the management and
edge clusters are solved (the way `plan` solves them, every host model); prints one row per
cluster and a summary of the slowest.
"""
from __future__ import annotations

import copy
import io
import itertools
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.catalog import load_catalog  # noqa: E402
from planner.errors import Infeasible  # noqa: E402
from planner.model.load import parse_requirements  # noqa: E402
from planner.solve.cluster import problems, solve_cluster  # noqa: E402
from planner.settings import SolverSettings  # noqa: E402
from planner.sizing import size_design  # noqa: E402

MAX_TENANT_VMS = 24_000  # one stamp


def variants(path: Path):
    base = YAML(typ="safe").load(path.read_text())
    for scale, mgmt_k, edge_k, racks in itertools.product((0.25, 1, 2, 4), (1, 2), (1, 2), (False, True)):
        data = copy.deepcopy(base)
        t = data.setdefault("tenants", {})
        t["count"] = max(1, round(t.get("count", 1) * scale))
        per = t.get("vms_per_tenant", 1)
        if t["count"] * per > MAX_TENANT_VMS:
            continue
        avail = data.setdefault("availability", {})
        avail["management"] = {"host_failures": mgmt_k}
        avail["edge"] = {"host_failures": edge_k}
        if racks:
            avail["racks"] = 4
            avail["survive_rack_loss"] = True
        out = io.StringIO()
        YAML(typ="safe").dump(data, out)
        yield f"{path.stem} x{scale} mgmt N+{mgmt_k} edge N+{edge_k}{' rack' if racks else ''}", out.getvalue()


def main() -> None:
    host_max_vms = load_catalog().limit("host_max_vms", "2016").value
    rows = []
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        for name, text in variants(path):
            req = parse_requirements(text, name)
            sizing = size_design(req, 1, [1])
            groups = {g.name: g for g in sizing.groups}
            for cluster in sizing.clusters:
                if cluster.purpose == "compute":
                    continue
                vms = sizing.vms_of(cluster.name)
                t = time.perf_counter()
                try:
                    out = solve_cluster(cluster, problems(cluster, vms, req, groups, host_max_vms),
                                        SolverSettings(), lambda _: None, req)
                    result = f"{out.report.hosts} | {out.report.status} | {out.report.method}"
                except Infeasible:
                    result = "— | infeasible | —"
                rows.append((time.perf_counter() - t, name, cluster.name, len(vms), result))
    print("| variant | cluster | VMs | seconds | hosts | status | method |\n|---|---|---|---|---|---|---|")
    for sec, name, cluster, vms, result in rows:
        print(f"| {name} | {cluster} | {vms} | {sec:.2f} | {result} |")
    slow = max(rows)
    statuses = {r[4].split(" | ")[1] for r in rows}
    print(f"\n{len(rows)} clusters; statuses {sorted(statuses)}; slowest {slow[0]:.2f} s ({slow[1]}, {slow[2]}); "
          f"over 2 s: {sum(r[0] > 2 for r in rows)}")


if __name__ == "__main__":
    main()
