"""The CP-SAT runner: every CP-SAT solve of the planner (and of the benchmark) goes through `run_solver`."""
from __future__ import annotations

import threading

from ortools.sat.python import cp_model


def run_solver(m: cp_model.CpModel, time_limit: float, workers: int, seed: int,
               callback: cp_model.CpSolverSolutionCallback | None = None,
               interleave: bool = True) -> tuple[cp_model.CpSolver, int]:
    """Solve `m` deterministically (fixed seed and workers, interleaved search, deterministic time
    limit) and interruptibly; every CP-SAT run of the planner goes through here."""
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = workers
    prm.interleave_search = interleave
    prm.random_seed = seed
    prm.max_deterministic_time = time_limit
    prm.catch_sigint_signal = False
    return solver, _interruptible_solve(solver, m, callback)


def _interruptible_solve(solver: cp_model.CpSolver, m: cp_model.CpModel, callback) -> int:
    """Solve in a worker thread so Ctrl-C stops the search at once and raises KeyboardInterrupt."""
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(solver.solve(m, callback)), daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        solver.stop_search()
        worker.join()
        raise
    return result[0]
