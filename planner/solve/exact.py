"""Solve one cluster exactly with CP-SAT: every applicable rule of the registry (rules.py), plus the
model parts of this engine alone, symmetry breaking and cost."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.settings import SolverSettings
from planner.solve import rules
from planner.solve.problem import ClusterProblem, Placement
from planner.solve.rules import Vars
from planner.solve.runner import run_solver

MAX_MODEL_VARIABLES = 3_000_000


@dataclass
class ExactResult:
    status: str  # "optimal" | "feasible" | "infeasible" | "unknown" | "too-large"
    placement: Placement | None
    bound: int
    deterministic_time: float


def model_size(p: ClusterProblem, slots: int) -> int:
    return len(p.items) * slots * (1 + p.scenario_count(slots))


@functools.cache
def _progress_class() -> type:
    """The solution callback that reports progress (defined at first use: cp_model loads when first read)."""

    class _Progress(cp_model.CpSolverSolutionCallback):
        def __init__(self, report: Callable[[int, int], None] | None):
            super().__init__()
            self.report = report

        def on_solution_callback(self) -> None:
            if self.report:
                self.report(int(self.objective_value), int(self.best_objective_bound))

    return _Progress


def solve_exact(p: ClusterProblem, slots: int, hint: Placement | None, settings: SolverSettings,
                report: Callable[[int, int], None] | None = None) -> ExactResult:
    """Place p.items on at most `slots` hosts, minimising hosts, with every applicable rule of the registry
    (the exact model honours them all: each has a builder)."""
    if model_size(p, slots) > MAX_MODEL_VARIABLES:
        return ExactResult("too-large", None, 0, 0.0)
    m = cp_model.CpModel()
    used = [m.new_bool_var(f"used{h}") for h in range(slots)]
    x = [[m.new_bool_var(f"x{v}_{h}") for h in range(slots)] for v in range(len(p.items))]
    mdl = rules.Model(m, p, used, x, rules.capacity(p))
    for rule in rules.applicable(p):
        rule.build(mdl)
    ys = mdl.ys
    symmetry_breaking(m, used)
    m.minimize(sum(used))  # one model per cluster, so cost = hosts x price
    if hint:
        _add_hint(m, p, hint, used, x, ys)
    solver, code = run_solver(m, settings.time_limit, settings.workers, settings.seed, _progress_class()(report))
    status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
              cp_model.INFEASIBLE: "infeasible"}.get(code, "unknown")
    if status not in ("optimal", "feasible"):
        return ExactResult(status, None, 0, solver.deterministic_time)
    n = sum(solver.value(u) for u in used)
    host_of = {it.name: next(h for h in range(slots) if solver.value(x[v][h])) for v, it in enumerate(p.items)}
    truncated = {tuple(h for h in key if h < n): key for key in ys}
    plans = {}
    for failed in p.scenarios(n):
        y, down = ys[failed if failed in ys else truncated[failed]], set(failed)
        plans[failed] = {it.name: next(h for h, var in enumerate(y[v]) if var is not None and solver.value(var))
                         for v, it in enumerate(p.items) if host_of[it.name] in down}
    placement = Placement(n=n, host_of=host_of, restarts=plans)
    if not rules.sound(p, placement):
        return ExactResult("unknown", None, 0, solver.deterministic_time)
    return ExactResult(status, placement, int(solver.best_objective_bound), solver.deterministic_time)


def symmetry_breaking(m: cp_model.CpModel, used: list) -> None:
    """Identical host slots are bought in order: slot h+1 only if slot h."""
    for h in range(len(used) - 1):
        m.add_implication(used[h + 1], used[h])


def _add_hint(m: cp_model.CpModel, p: ClusterProblem, hint: Placement, used: list, x: Vars,
              ys: dict[tuple[int, ...], Vars]) -> None:
    for h, u in enumerate(used):
        m.add_hint(u, h < hint.n)
    for v, it in enumerate(p.items):
        for h in range(len(used)):
            m.add_hint(x[v][h], hint.host_of[it.name] == h)
    for failed, y in ys.items():
        plan = hint.restarts.get(failed)
        if plan is None:
            continue
        for v, it in enumerate(p.items):
            target = plan.get(it.name, hint.host_of[it.name])
            for h, var in enumerate(y[v]):
                if var is not None:
                    m.add_hint(var, h == target)
