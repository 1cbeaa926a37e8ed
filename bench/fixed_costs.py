"""Fixed costs of a plan (issue 18): end-to-end `plan` of the small profiles, what the solver import
loads, and the workbook of service-provider at compute N+2. Prints figures; not part of the test suite.

    .venv/bin/python bench/fixed_costs.py [--code DIR] [--runs 3] [--skip-n2] [--realtime]

`--code DIR` measures another checkout (e.g. an export of an older commit) with this script, so
that before and after are measured side by side. Every figure is the best of `--runs` runs: wall
seconds, CPU seconds (user + system, all threads and child processes such as `dot`) and the peak
resident memory of the Python process. On a shared machine the CPU seconds are the steadier figure;
`--realtime` (root, Linux) runs each plan under `chrt -r 5`, round-robin real-time scheduling, so that
other users' processes wait: its wall seconds approach a quiet machine's (a plan's wall time is its
critical path: the parent's imports and solve, then the slower of the two render processes).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("poc", "small", "medium")
PEAK = ("import atexit, resource, sys; atexit.register(lambda: sys.stderr.write("  # the process's own peak, not dot's
        "f'\\nPEAK {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')); ")
WORKBOOK = """
import resource, sys, time
from pathlib import Path
from planner.design_file import load_design
design = load_design(Path(sys.argv[1]))
import planner.render.workbook as workbook
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall, cpu = time.perf_counter(), time.process_time()
files = workbook.artifacts(design)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
restarts = sum(len(p.restarts) for p in design.failover_plans)
sizes = ", ".join(f"{name} {len(data) / 1e6:.1f} MB" for name, data in files.items())
print(f"{wall:.2f} s wall, {cpu:.2f} s CPU, memory +{(peak - before) / 1024:.0f} MB (peak {peak / 1024:.0f} MB); "
      f"{len(design.failover_plans):,} scenarios, {restarts:,} restarts; {sizes}")
"""


REALTIME: list[str] = []  # the command prefix of --realtime


def run(args: list[str], code: Path, env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the process and its children, peak RSS MB, stdout) of one Python run in `code`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*REALTIME, sys.executable, *args], cwd=code, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peaks = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK ")]
    return wall, cpu, (peaks[-1] // 1024 if peaks else 0), proc.stdout


def plan_args(requirements: Path, out: Path) -> list[str]:
    return ["-c", PEAK + "from planner.cli import main; main()", "plan", str(requirements), "--out", str(out), "-q"]


def best(runs: list[tuple[float, float, int, str]]) -> str:
    wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
    return f"{wall:5.2f} s wall, {cpu:5.2f} s CPU, peak {max(r[2] for r in runs)} MB"


def plan_n2(code: Path, work: Path, env: dict[str, str]) -> Path:
    """design.json of service-provider with compute host_failures 2 (a variant written in `work`)."""
    variant = work / "service-provider-n2.yaml"
    text = (code / "profiles" / "service-provider.yaml").read_text(encoding="utf-8")
    variant.write_text(text.replace("compute: {host_failures: 1}", "compute: {host_failures: 2}"), encoding="utf-8")
    print(f"\nservice-provider, compute N+2: plan {best([run(plan_args(variant, work / 'n2'), code, env)])}")
    return work / "n2" / "design.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to measure [this one]")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-n2", action="store_true", help="skip the service-provider N+2 workbook")
    parser.add_argument("--n2-design", type=Path, help="design.json of service-provider at compute N+2 "
                                                       "(planned here when not given)")
    parser.add_argument("--skip-plans", action="store_true", help="skip the end-to-end plans")
    parser.add_argument("--realtime", action="store_true", help="run each plan under `chrt -r 5` (root): wall "
                                                                "seconds as on a quiet machine")
    opts = parser.parse_args()
    code = opts.code.resolve()
    REALTIME[:] = ["chrt", "-r", "5"] if opts.realtime else []
    print(f"code: {code}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}"
          + ("; real-time scheduling" if opts.realtime else ""))
    with tempfile.TemporaryDirectory(prefix="stampplan-bench-") as tmp:
        work = Path(tmp)
        cold = {"XDG_CACHE_HOME": str(work / "cache")}  # the catalog cache starts empty (first run)
        print("\nplan, end to end (python -c ... plan X --out DIR -q):")
        for name in () if opts.skip_plans else PROFILES:
            requirements = code / "profiles" / f"{name}.yaml"
            first = run(plan_args(requirements, work / name), code, cold)
            warm = [run(plan_args(requirements, work / name), code, cold) for _ in range(opts.runs)]
            print(f"  {name:8s} {best(warm)}   (first run, empty catalog cache: {best([first])})")
        wall, cpu, _, out = run(["-c", "import sys, time; t = time.perf_counter(); import planner.solve.exact; "
                                       "print(f'{time.perf_counter() - t:.2f}', 'pandas' in sys.modules)"], code)
        seconds, pandas = out.split()
        print(f"\nimport planner.solve.exact: {seconds} s (pandas loaded: {pandas})")
        if opts.skip_n2:
            return
        design = opts.n2_design.resolve() if opts.n2_design else plan_n2(code, work, cold)
        figures = run(["-c", WORKBOOK, str(design)], code)[3].strip()
        print("\nservice-provider, compute N+2:")
        print(f"  workbook artifacts: {figures}")


if __name__ == "__main__":
    main()
