"""Benchmark: a sweep of the medium profile (host model x compute N+k x racks x tenants), timed with
1 and 2 local workers and on a local Ray instance; wall time, speed-up and peak memory. Not a test.

    .venv/bin/python bench/sweep.py                   # 5 x 2 x 3 x 3 = 90 variants, all three engines
    .venv/bin/python bench/sweep.py --variants 12     # the first 12 only (quick look)
    .venv/bin/python bench/sweep.py --engines local1,ray

Each run goes into a fresh temporary folder; the files of every run are compared byte for byte.
Peak memory is the largest resident set of this process and of its children (pool workers; Ray's
workers are not children of this process, so Ray's figure is the driver's only).
"""
from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODELS = [{"name": f"2S-{c}C-{m}G", "sockets": 2, "cores_per_socket": c, "memory_gb": m, "price": p}
          for c, m, p in ((12, 256, 10000), (16, 384, 14000), (20, 512, 19000), (24, 768, 26000), (32, 1024, 36000))]


def sweep_file(folder: Path) -> Path:
    import json

    path = folder / "medium-sweep.yaml"
    path.write_text("\n".join([
        f"base: {ROOT / 'profiles' / 'medium.yaml'}",
        "axes:",
        f"  hardware.host_models: {json.dumps([[m] for m in MODELS])}",
        "  availability.compute.host_failures: [1, 2]",
        "  availability.racks: {from: 1, to: 3}",
        "  tenants.count: [200, 250, 300]", ""]))
    return path


def run(engine: str, jobs: int, path: Path, limit: int | None) -> tuple[float, float, str]:
    """Wall seconds, peak MB and a hash of every file written, for one engine."""
    from planner.settings import SolverSettings
    from planner.sweep import session, spec

    if limit:
        real = spec.load_sweep
        session.load_sweep = lambda p: (lambda base_variants: (base_variants[0], base_variants[1][:limit]))(real(p))
    out = Path(tempfile.mkdtemp(prefix="sweep-bench-")) / "out"
    start = time.monotonic()
    session.run_sweep(path, out, SolverSettings(), engine, jobs, None, False, lambda _m: None)
    wall = time.monotonic() - start
    digest = hashlib.sha256()
    for file in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "pareto.png"):
        digest.update(file.name.encode() + file.read_bytes())
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return wall, peak / 1024, digest.hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=None, help="plan only the first N variants")
    parser.add_argument("--engines", default="local1,local2,ray", help="comma-separated: local1, local2, ray")
    args = parser.parse_args()
    path = sweep_file(Path(tempfile.mkdtemp(prefix="sweep-bench-")))
    print(f"{'engine':8} {'wall s':>8} {'speed-up':>9} {'peak MB':>8}  files")
    first = None
    for name in args.engines.split(","):
        engine, jobs = ("ray", 2) if name == "ray" else ("local", int(name.removeprefix("local")))
        wall, peak, digest = run(engine, jobs, path, args.variants)
        first = first or wall
        print(f"{name:8} {wall:8.1f} {first / wall:9.2f} {peak:8.0f}  {digest}", flush=True)


if __name__ == "__main__":
    main()
