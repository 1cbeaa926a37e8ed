"""Faults: a kill at any moment leaves the previous output folder or the new one, never a mix;
Ctrl-C during a plan exits 130 and writes nothing; two processes give identical artifacts."""
from __future__ import annotations

import filecmp
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from ortools.sat.python import cp_model

from conftest import ROOT
from planner.solve.runner import run_solver

CLI = [sys.executable, "-c", "from planner.cli import main; main()"]


def stampplan(*args):
    return subprocess.Popen([*CLI, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def files_of(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_kill_at_any_moment_leaves_old_or_new(tmp_path):
    reference = tmp_path / "reference"
    assert subprocess.run([*CLI, "plan", str(ROOT / "profiles" / "small.yaml"), "--out", str(reference), "-q"],
                          capture_output=True).returncode == 0
    previous = ROOT / "outputs" / "poc"
    target = tmp_path / "work" / "out"
    shutil.copytree(previous, target)
    outcomes = []
    for delay in (0.4, 0.8, 1.2, 1.6, 2.0, 2.5, 3.5):
        proc = stampplan("plan", ROOT / "profiles" / "small.yaml", "--out", target, "-q")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = target / "design.json"
        assert now.is_file(), f"output folder missing after a kill at {delay}s"
        if filecmp.cmp(now, previous / "design.json", shallow=False):
            assert files_of(target) == files_of(previous), f"a mix after a kill at {delay}s"
            outcomes.append("old")
        else:
            assert filecmp.cmp(now, reference / "design.json", shallow=False), f"a mix after a kill at {delay}s"
            assert files_of(target) == files_of(reference), f"a mix after a kill at {delay}s"
            outcomes.append("new")
            shutil.rmtree(target)
            shutil.copytree(previous, target)
        assert all(p.name == "out" or p.name.startswith(".out.") for p in target.parent.iterdir())
    assert "old" in outcomes


def test_ctrl_c_during_a_plan_exits_130_and_writes_nothing(tmp_path):
    proc = stampplan("plan", ROOT / "profiles" / "service-provider.yaml", "--out", tmp_path / "o")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait for a CP-SAT search (an edge cluster's) or the compute placement
        line = proc.stderr.readline()
        if "CP-SAT over" in line or "COMP01: placing" in line:
            break
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130, rest
    assert "interrupted" in rest and "Traceback" not in rest
    assert not (tmp_path / "o").exists()


def test_ctrl_c_stops_a_cp_sat_search_at_once():
    rng = random.Random(7)  # a subset sum CP-SAT cannot settle for minutes
    m = cp_model.CpModel()
    weights = [rng.randrange(10**9, 2 * 10**9) for _ in range(50)]
    m.add(sum(w * m.new_bool_var("") for w in weights) == sum(weights) // 2 + 1)
    done = threading.Event()

    def interrupt():  # again until the search stops: one SIGINT on a loaded machine may land before it starts
        while not done.wait(1.0):
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_solver(m, 120.0, 8, 1)
    finally:
        done.set()
    assert time.monotonic() - start < 15


def test_two_processes_give_identical_artifacts(tmp_path):
    runs = [subprocess.run([*CLI, "plan", str(ROOT / "profiles" / "medium.yaml"), "--out", str(tmp_path / str(i)),
                            "-q"], capture_output=True, env={**os.environ, "PYTHONHASHSEED": str(i)})
            for i in (1, 2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    names = sorted(p.relative_to(tmp_path / "1").as_posix() for p in (tmp_path / "1").rglob("*") if p.is_file())
    compared = [n for n in names if not n.endswith((".png", ".pdf", ".xlsx"))]
    assert compared and all(filecmp.cmp(tmp_path / "1" / n, tmp_path / "2" / n, shallow=False) for n in compared)
