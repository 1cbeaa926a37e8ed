"""The map of docs/architecture.md holds: imports run one way, no cycles, light modules stay light."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_solver_settings_import_neither_ortools_nor_a_model():
    """Parsing `--time-limit/--workers` into SolverSettings loads no solver or model code."""
    code = ("import sys; from planner.settings import SolverSettings; SolverSettings(time_limit=1, workers=1); "
            "heavy = sorted(m for m in sys.modules if m.startswith(('ortools', 'planner.solve', 'pydantic'))); "
            "assert not heavy, heavy")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
