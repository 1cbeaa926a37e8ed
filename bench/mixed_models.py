"""Host models mixed within a compute cluster: cost, hosts, whole-design gap and plan time (CPU seconds) with
hardware.mix_models_in_cluster false and true, for bench/cost/*.yaml (or the files given).

    python bench/mixed_models.py [requirements.yaml ...]   # prints a markdown table (docs/performance.md)
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.model.load import load_requirements  # noqa: E402
from planner.plan import plan  # noqa: E402


def row(path: Path, mix: bool) -> str:
    req = load_requirements(path)
    req = req.model_copy(update={"hardware": req.hardware.model_copy(update={"mix_models_in_cluster": mix})})
    start = time.process_time()
    design = plan(req)
    cpu = time.process_time() - start
    compute = {c.name for c in design.clusters if c.purpose == "compute"}
    hosts = Counter(h.model for h in design.hosts if h.cluster in compute)
    status = ", ".join(f"{r.status} {r.gap:.1%}" for r in design.solver.clusters if r.cluster in compute)
    return (f"| {path.stem} | {'yes' if mix else 'no'} | {design.cost['total']:,.0f} | "
            f"{' + '.join(f'{n} x {m}' for m, n in sorted(hosts.items()))} | {status} | "
            f"{design.solver.status}, gap {design.solver.gap:.1%} | {cpu:.1f} |")


def main() -> None:
    paths = [Path(a) for a in sys.argv[1:]] or sorted((ROOT / "bench" / "cost").glob("*.yaml"))
    print("| requirements | mixed | total cost | compute hosts | compute cluster (status, gap) | whole design | "
          "plan CPU s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for path in paths:
        for mix in (False, True):
            print(row(path, mix), flush=True)


if __name__ == "__main__":
    main()
