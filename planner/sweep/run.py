"""Plan variants one by one, on a local process pool, or on Ray; each exactly as `plan` would."""
from __future__ import annotations

import signal
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from planner.errors import InputError, StampplanError
from planner.settings import SolverSettings


@dataclass(frozen=True)
class Task:
    """What a worker needs to plan one variant (plain data, so it travels to any process or node)."""

    slug: str
    requirements: dict
    time_limit: float
    workers: int
    seed: int


@dataclass(frozen=True)
class Outcome:
    """How one variant ended: `ok` with its design.json, or why not (infeasible, time limit, ...)."""

    slug: str
    status: str          # ok | not sound | infeasible | time limit | refused | error
    message: str         # the clash or error; empty when ok
    design: str | None   # design.json text when a design was found
    seconds: float       # wall time of the plan (shown on the terminal, kept out of the files)


def plan_variant(task: Task) -> Outcome:
    """Plan, validate and check one variant; every end becomes an Outcome, never an exception."""
    from planner.model.requirements import Requirements
    from planner.pipeline import build

    start = time.monotonic()
    status, message, design = "ok", "", None
    try:
        req = Requirements.model_validate(task.requirements)
        settings = SolverSettings(time_limit=task.time_limit, workers=task.workers, seed=task.seed)
        built = build(req, settings, lambda _msg: None, lambda _msg: None, render=False)
        design = built.files["design.json"].decode()
        if not built.sound:
            status = "not sound"
            message = "; ".join(f"{f.rule}: {f.subject}" for f in (built.verdict.violations + built.unmet)[:3])
    except StampplanError as err:
        status = {1: "not sound", 3: "infeasible", 4: "time limit"}.get(err.exit_code, "refused")
        message = str(err).splitlines()[0]
    except Exception as err:  # noqa: BLE001 - one variant's bug is a row, not the end of the sweep
        status, message = "error", f"{type(err).__name__}: {err}"
    return Outcome(task.slug, status, message, design, round(time.monotonic() - start, 3))


def run(tasks: list[Task], engine: str, jobs: int, address: str | None,
        done: Callable[[Outcome], None]) -> None:
    """Plan every task, calling `done` as each finishes (in any order); Ctrl-C stops the rest."""
    if not tasks:
        return
    if engine == "ray":
        _run_ray(tasks, jobs, address, done)
    elif jobs == 1 or len(tasks) == 1:
        for task in tasks:
            done(plan_variant(task))
    else:
        _run_pool(tasks, jobs, done)


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_pool(tasks: list[Task], jobs: int, done: Callable[[Outcome], None]) -> None:
    import multiprocessing

    pool = multiprocessing.get_context("spawn").Pool(min(jobs, len(tasks)), initializer=_ignore_interrupt)
    try:
        for outcome in pool.imap_unordered(plan_variant, tasks):
            done(outcome)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _run_ray(tasks: list[Task], jobs: int, address: str | None, done: Callable[[Outcome], None]) -> None:
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray: Ray is not installed: pip install 'stampplan[ray]'") from None
    started = not ray.is_initialized()
    if started and address:
        _reachable(address)  # Ray itself waits minutes on an address nobody listens on
    if started:
        try:
            ray.init(address=address, num_cpus=None if address else jobs, include_dashboard=False,
                     log_to_driver=False, logging_level="ERROR")
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise InputError(f"--address {address}: cannot join the Ray cluster: {err}") from None
    remote = ray.remote(num_cpus=1, max_retries=0)(plan_variant)
    pending = [remote.remote(task) for task in tasks]
    try:
        while pending:
            finished, pending = ray.wait(pending, num_returns=1)
            done(ray.get(finished[0]))
    except BaseException:
        for ref in pending:
            ray.cancel(ref, force=True)
        raise
    finally:
        if started:
            ray.shutdown()


def _reachable(address: str, seconds: float = 5.0) -> None:
    """InputError unless something accepts a TCP connection at the Ray address (`host:port` or `ray://host:port`;
    `auto` is left to Ray)."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=seconds).close()
    except (OSError, ValueError) as err:
        raise InputError(f"--address {address}: no Ray cluster answers there ({err}); give host:port of its "
                         f"head node, or leave --address out to start a local instance") from None


def settings_tasks(variants: Iterable, settings: SolverSettings) -> list[Task]:
    """One task per variant, with the solver settings `plan` would use."""
    return [Task(v.slug, v.data, settings.time_limit, settings.workers, settings.seed) for v in variants]
