"""Benchmark: every reference profile end to end, every cloud-balancing instance, and a
25 000-VM stamp. Not part of the test suite.

    .venv/bin/python bench/run.py                 # everything (several minutes)
    .venv/bin/python bench/run.py --only cb       # cloud balancing only (or: profiles, scale)
    .venv/bin/python bench/run.py --no-highs      # skip the HiGHS baseline
    .venv/bin/python bench/run.py --no-timefold   # skip the Timefold baseline (or: --timefold-seconds 30)
    .venv/bin/python bench/run.py --only cb --max-processes 7000   # leave out the 10 000-computer ones

Each case runs in its own process so its wall time and peak memory (max RSS) are its own.
Columns: case, items (VMs / processes), machines (hosts used / computers offered), wall
seconds, peak MB, cost, best lower bound, gap = (cost - bound) / cost, FFD baseline cost,
HiGHS (assignment MIP, 60 s, where at most 100 000 binaries) cost, Timefold (the `timefold`
Python package's default solver on cloud balancing, bench/timefold_cb.py, in a process of its own:
cost by our score(), solve seconds, peak MB), published best (cloud balancing, 2013 OptaPlanner
report, 5-minute runs).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PUBLISHED = {"100computers-300processes": 112400, "200computers-600processes": 196350,
             "400computers-1200processes": 441870, "800computers-2400processes": 915260}
README_LP = {"100computers-300processes": 95930, "200computers-600processes": 169184,
             "400computers-1200processes": 360875, "800computers-2400processes": 747160,
             "1600computers-4800processes": 1513235, "2400computers-7000processes": 2183214,
             "10000computers-30000processes": 4020035, "10000computers-30000processes.regenerated": 9022410}
HIGHS_MAX_BINARIES = 100_000
HIGHS_SECONDS = 60.0
TIMEFOLD_SECONDS = 60


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_profile(path: str) -> dict:
    """`stampplan plan` end to end (all artifacts) into a temporary folder; the note gives the slowest
    management or edge cluster (wall seconds over its host models, and its status)."""
    import planner.plan
    from planner.cli import app
    exact: list[tuple[float, str, str]] = []
    solve_cluster = planner.plan.solve_cluster

    def timed(cluster, *args, **kwargs):
        t0 = time.perf_counter()
        outcome = solve_cluster(cluster, *args, **kwargs)
        if cluster.purpose != "compute":
            exact.append((time.perf_counter() - t0, cluster.name, outcome.report.status))
        return outcome

    planner.plan.solve_cluster = timed
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        try:
            app(["plan", path, "--out", f"{tmp}/out", "--quiet"], standalone_mode=False)
        except SystemExit as e:
            if e.code:
                raise
        wall = time.perf_counter() - t
        design = json.loads(Path(f"{tmp}/out/design.json").read_text())
    s = design["solver"]
    slowest = max(exact)
    return {"items": len(design["vms"]), "machines": len(design["hosts"]), "wall": wall, "peak": peak_mb(),
            "cost": s["objective"], "bound": s["lower_bound"], "gap": s["gap"],
            "note": f"{s['status']}; {len(design['failover_plans'])} failover plans; slowest management/edge "
                    f"cluster {slowest[1]} {slowest[0]:.2f} s ({slowest[2]})"}


def run_cb(path: str, highs: bool) -> dict:
    from bench.cloudbalancing.dataset import best_bound, load, score
    from bench.cloudbalancing.mixed import ffd, solve_mixed
    inst = load(path)
    name = Path(path).name.rsplit(".", 1)[0]
    t = time.perf_counter()
    assign = solve_mixed(inst.problem())
    wall = time.perf_counter() - t
    peak = peak_mb()
    init, hard, soft = score(inst, assign)
    bound = best_bound(inst)
    base = ffd(inst.problem())
    f_init, f_hard, f_soft = score(inst, base)
    out = {"items": len(inst.demands), "machines": f"{len(set(assign.tolist()))}/{len(inst.caps)}", "wall": wall,
           "peak": peak, "cost": -soft if (init, hard) == (0, 0) else None, "bound": bound,
           "ffd": -f_soft if (f_init, f_hard) == (0, 0) else None, "published": PUBLISHED.get(name),
           "readme_lp": README_LP.get(name)}
    out["gap"] = (out["cost"] - bound) / out["cost"] if out["cost"] else None
    if highs:
        out["highs"] = highs_mip(inst)
    return out


def highs_mip(inst) -> str:
    """The assignment MIP through highspy: x[i][j], y[j]; capacities; min cost. Skipped when too large."""
    n, m = inst.demands.shape[0], inst.caps.shape[0]
    if n * m > HIGHS_MAX_BINARIES:
        return f"skipped ({n * m:,} binaries)"
    try:
        import highspy
        import numpy as np
    except ImportError:
        return "skipped (highspy not installed)"
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", HIGHS_SECONDS)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 1)
    inf = highspy.kHighsInf
    nv = n * m + m
    lp = highspy.HighsLp()
    lp.num_col_ = nv
    lp.col_cost_ = np.concatenate([np.zeros(n * m), inst.costs.astype(float)])
    lp.col_lower_ = np.zeros(nv)
    lp.col_upper_ = np.ones(nv)
    rows_lo, rows_hi, starts, index, value = [], [], [0], [], []
    for i in range(n):  # every process on one computer
        index += [i * m + j for j in range(m)]
        value += [1.0] * m
        starts.append(len(index))
        rows_lo.append(1.0)
        rows_hi.append(1.0)
    for j in range(m):
        for r in range(3):  # sum_i d_ir x_ij - cap_jr y_j <= 0
            index += [i * m + j for i in range(n)] + [n * m + j]
            value += [float(inst.demands[i][r]) for i in range(n)] + [-float(inst.caps[j][r])]
            starts.append(len(index))
            rows_lo.append(-inf)
            rows_hi.append(0.0)
    lp.num_row_ = len(rows_lo)
    lp.row_lower_ = np.asarray(rows_lo)
    lp.row_upper_ = np.asarray(rows_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * nv
    h.passModel(lp)
    t = time.perf_counter()
    h.run()
    wall = time.perf_counter() - t
    info = h.getInfo()
    if h.getModelStatus() in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit) \
            and info.primal_solution_status == 2:
        return f"{round(info.objective_function_value)} (bound {round(info.mip_dual_bound)}, {wall:.0f}s)"
    return f"no solution ({wall:.0f}s)"


def run_timefold(path: str, seconds: int) -> dict:
    """Timefold on one instance; its best assignment re-scored with our score()."""
    from bench.cloudbalancing.dataset import format_score, load, score
    t = time.perf_counter()
    try:
        import timefold_cb  # starts the JVM and translates the model to Java classes
    except ImportError:
        return {"skipped": "timefold not installed"}
    except Exception as e:  # noqa: BLE001 - no usable JVM (jpype.JVMNotFoundException and the like)
        return {"skipped": f"timefold: no Java 17 ({type(e).__name__})"}
    setup = time.perf_counter() - t
    inst = load(path)
    assign, info = timefold_cb.solve(inst.caps, inst.costs, inst.demands, seconds)
    ours = score(inst, assign)
    # Timefold 1.2x score strings carry no "init" part: compare hard and soft only
    return {**info, "setup_s": setup, "score": ours, "peak": peak_mb(),
            "agrees": info["timefold_score"] == format_score((0,) + ours[1:])}


def timefold_cell(r: dict) -> str:
    """Cost, or "infeasible hard=...", then (solve seconds + JVM/model setup seconds, peak MB of the process)."""
    if "skipped" in r:
        return f"skipped ({r['skipped']})"
    init, hard, soft = r["score"]
    head = f"{-soft:,}" if (init, hard) == (0, 0) else \
        "infeasible " + (f"init={init} " if init else "") + f"hard={hard}"
    own = "" if r["agrees"] else f"; Timefold's own score {r['timefold_score']}"
    return f"{head} ({r['solve_s']:.0f}s + {r['setup_s']:.0f}s setup, {r['peak']:.0f} MB{own})"


def child(kind: str, path: str, highs: bool, timefold_seconds: int) -> None:
    if kind == "timefold":
        result = run_timefold(path, timefold_seconds)
    else:
        result = run_profile(path) if kind in ("profile", "scale") else run_cb(path, highs)
    print("RESULT " + json.dumps(result))


def run_child(args: list[str], timeout: float | None = None) -> tuple[dict | None, str]:
    """This script with --child in a fresh process: (result, error text)."""
    try:
        proc = subprocess.run([sys.executable, __file__, "--child"] + args, capture_output=True, text=True,
                              cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout:.0f}s"
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        return None, str((proc.stderr or proc.stdout).strip().splitlines()[-1:])
    return json.loads(line[7:]), ""


def cases(only: str | None) -> list[tuple[str, str, str]]:
    from bench.cloudbalancing.dataset import instances
    out = []
    if only in (None, "profiles"):
        out += [("profile", p.stem, str(p)) for p in sorted((ROOT / "profiles").glob("*.yaml"))]
    if only in (None, "cb"):
        out += [("cb", p.name.rsplit(".", 1)[0] + (" (upstream, 14998)" if p.parent.name == "json" and
                                                   p.name.startswith("10000") else ""), str(p))
                for p in instances()]
    if only in (None, "scale"):
        out += [("scale", "25k-VM stamp", str(ROOT / "bench" / "cases" / "scale-25k.yaml"))]
    return out


def fmt(v, spec=",.0f") -> str:
    if v is None:
        return "—"
    return format(v, spec) if isinstance(v, (int, float)) else str(v)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["profiles", "cb", "scale"])
    ap.add_argument("--no-highs", action="store_true")
    ap.add_argument("--no-timefold", action="store_true", help="skip the Timefold baseline")
    ap.add_argument("--timefold-seconds", type=int, default=TIMEFOLD_SECONDS,
                    help=f"Timefold wall-time budget per instance (default {TIMEFOLD_SECONDS})")
    ap.add_argument("--max-processes", type=int, help="skip cloud-balancing instances with more processes")
    ap.add_argument("--child", nargs=2)
    args = ap.parse_args()
    if args.child:
        child(*args.child, highs=not args.no_highs, timefold_seconds=args.timefold_seconds)
        return
    versions = set()
    head = ["case", "items", "machines", "wall s", "peak MB", "cost", "best bound", "gap", "FFD", "HiGHS",
            "Timefold", "published", "note"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for kind, name, path in cases(args.only):
        if kind == "cb" and args.max_processes and int(name.split("processes")[0].split("-")[1]) > args.max_processes:
            continue
        r, err = run_child([kind, path] + (["--no-highs"] if args.no_highs else []))
        if r is None:
            print(f"| {name} | failed: {err} |", flush=True)
            continue
        if kind == "cb" and not args.no_timefold:
            tf, err = run_child(["timefold", path, "--timefold-seconds", str(args.timefold_seconds)],
                                timeout=args.timefold_seconds + 900)
            r["timefold"] = timefold_cell(tf) if tf else f"failed: {err}"
            if tf and "timefold" in tf:
                versions.add(f"timefold {tf['timefold']}, {tf['jvm']}, {args.timefold_seconds} s budget")
        note = r.get("note", "")
        if r.get("readme_lp"):
            note = f"README LP {r['readme_lp']:,}"
        print("| " + " | ".join([name, fmt(r["items"]), fmt(r["machines"]), fmt(r["wall"], ".1f"),
                                 fmt(r["peak"], ".0f"), fmt(r["cost"]), fmt(r["bound"]),
                                 fmt(r["gap"] * 100 if r["gap"] is not None else None, ".1f") + "%",
                                 fmt(r.get("ffd")), fmt(r.get("highs")), fmt(r.get("timefold")),
                                 fmt(r.get("published")), note]) + " |",
              flush=True)
    for v in sorted(versions):
        print(f"\nTimefold: {v}")


if __name__ == "__main__":
    main()
