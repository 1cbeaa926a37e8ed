"""Fixed costs: what a command imports (issue 18)."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def printed(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """What `code` prints, run in a Python of its own (nothing imported yet) from the project's root."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


SOLVE = """
import sys
from planner.solve.exact import solve_exact
from planner.solve import tenant, explain
from ortools.sat.python import cp_model
m = cp_model.CpModel(); x = m.new_int_var(0, 3, 'x'); m.add(x >= 2); m.minimize(x)
s = cp_model.CpSolver(); s.solve(m)
print(s.value(x), 'pandas' in sys.modules, isinstance([], cp_model.pd.Series))
import pandas as pd  # cp_model's pandas helpers still work once pandas is imported
v = m.new_int_var_series('v', pd.Index(range(3)), 0, 5)
print(type(v).__name__, len(v), isinstance(v, cp_model.pd.Series), isinstance([], cp_model.pd.Series))
"""


def test_the_solver_loads_without_pandas():
    """OR-Tools' cp_model imports pandas (0.4-0.6 s) for helpers the planner never calls."""
    assert printed(SOLVE).splitlines() == ["2 False False", "Series 3 True False"]


def test_the_command_line_leaves_its_objects_out_of_the_exit_collections():
    """At exit the interpreter collects over every object the modules loaded (0.3 s after a plan) unless frozen."""
    code = ("import atexit, gc; atexit.register(lambda: print(gc.get_freeze_count() > 0)); "
            "from planner.cli import main; main()")
    assert printed(code, "--version").splitlines()[-1] == "True"


def test_a_plan_the_greedy_engines_settle_never_loads_cp_sat():
    """cp_model (and its C++ extension, 0.15 s) loads at its first use: poc's clusters need none."""
    code = ("import sys; from planner.model.load import load_requirements; from planner.plan import plan; "
            "plan(load_requirements('profiles/poc.yaml')); "
            "print(sorted(m for m in sys.modules if m.startswith('ortools.sat.python.cp_model')))")
    assert printed(code) == "['ortools.sat.python.cp_model']"  # the lazy module, never read


def test_the_solver_modules_load_without_numpy():
    """numpy (0.18 s) loads when the N+2 greedy (backup2.py) or a cover first runs, not with their modules."""
    code = ("import sys; import planner.pipeline, planner.solve.backup2, planner.solve.mixed; "
            "print('numpy' in sys.modules)")
    assert printed(code) == "False"


def test_small_plans_never_load_numpy():
    """poc, small and medium plan with the plain-Python greedy (backup.py): numpy's import (0.1 s) is not theirs."""
    code = ("import sys; from planner.model.load import load_requirements; from planner.plan import plan\n"
            "for name in ('poc', 'small', 'medium'): plan(load_requirements(f'profiles/{name}.yaml'))\n"
            "print('numpy' in sys.modules)")
    assert printed(code) == "False"


def test_the_render_process_loads_no_yaml_parser_nor_network():
    """The forked render process imports the renderers before its design comes, on a small plan's critical path:
    not the YAML parser (0.04 s), which the workbook's error formatting never needs, nor urllib.request, http.client
    and ssl (0.03 s), which xml.sax.saxutils imports for an escape function."""
    code = ("import sys; from importlib import import_module; from planner.render import RENDERERS\n"
            "for name in (*RENDERERS, 'pypdf'): import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('ruamel', 'ssl', 'http', 'urllib.request'))))")
    assert printed(code) == "[]"


def test_pydantic_looks_for_no_plugins():
    """pydantic's plugin search reads every installed distribution's entry points (0.01 s before the fork)."""
    code = "import planner.model.design, pydantic.plugin._loader as p; print(p._plugins)"
    assert printed(code, env={k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}) == "None"


def test_numpy_loads_without_blas_threads():
    """OpenBLAS starts a thread per core when numpy loads (0.1 CPU s on 2 cores); the planner calls no BLAS."""
    code = "import os, planner, numpy; print(len(os.listdir('/proc/self/task')), os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert printed(code, env=env).split() == ["1", "1"]  # one thread: the interpreter's
    assert printed(code, env={**env, "OPENBLAS_NUM_THREADS": "2"}).split()[1] == "2"  # a user's own setting stands


def test_the_plan_command_loads_no_thread_pool():
    """planner.render's thread pool (concurrent.futures, 0.01-0.02 s) serves only where no child can be forked."""
    code = "import sys, planner.cli, planner.render_ahead, planner.render; print('concurrent.futures' in sys.modules)"
    assert printed(code) == "False"
