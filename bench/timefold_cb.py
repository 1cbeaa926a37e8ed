"""Timefold's cloud balancing, modelled with the `timefold` Python package, as a benchmark baseline.

Importing this module starts a JVM in the current process (Java 17+ needed), so import it in a child
process only. Scoring as ../shared/datasets/cloudbalancing/README.md section 4: hard = minus the
capacity overflow of every computer in cpu, memory and network; soft = minus the cost of the
computers that run at least one process.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Annotated

from timefold.solver import SolverFactory
from timefold.solver.config import Duration, ScoreDirectorFactoryConfig, SolverConfig, TerminationConfig
from timefold.solver.domain import (PlanningEntityCollectionProperty, PlanningId, PlanningScore, PlanningVariable,
                                    ProblemFactCollectionProperty, ValueRangeProvider, planning_entity,
                                    planning_solution)
from timefold.solver.score import (ConstraintCollectors, ConstraintFactory, HardSoftScore, constraint_provider)


@dataclass
class Computer:
    id: Annotated[int, PlanningId]
    cpu: int
    memory: int
    network: int
    cost: int


@planning_entity
@dataclass
class Process:
    id: Annotated[int, PlanningId]
    cpu: int
    memory: int
    network: int
    computer: Annotated[Computer | None, PlanningVariable] = field(default=None)


@planning_solution
@dataclass
class CloudBalance:
    computers: Annotated[list[Computer], ProblemFactCollectionProperty, ValueRangeProvider]
    processes: Annotated[list[Process], PlanningEntityCollectionProperty]
    score: Annotated[HardSoftScore | None, PlanningScore] = field(default=None)


@constraint_provider
def constraints(f: ConstraintFactory):
    """Capacity of cpu, memory and network (hard, per unit of overflow); computer cost (soft, once per used
    computer)."""
    return [
        f.for_each(Process).group_by(lambda p: p.computer, ConstraintCollectors.sum(lambda p: p.cpu))
        .filter(lambda c, used: used > c.cpu)
        .penalize(HardSoftScore.ONE_HARD, lambda c, used: used - c.cpu).as_constraint("cpuCapacity"),
        f.for_each(Process).group_by(lambda p: p.computer, ConstraintCollectors.sum(lambda p: p.memory))
        .filter(lambda c, used: used > c.memory)
        .penalize(HardSoftScore.ONE_HARD, lambda c, used: used - c.memory).as_constraint("memoryCapacity"),
        f.for_each(Process).group_by(lambda p: p.computer, ConstraintCollectors.sum(lambda p: p.network))
        .filter(lambda c, used: used > c.network)
        .penalize(HardSoftScore.ONE_HARD, lambda c, used: used - c.network).as_constraint("networkCapacity"),
        f.for_each(Process).group_by(lambda p: p.computer)
        .penalize(HardSoftScore.ONE_SOFT, lambda c: c.cost).as_constraint("computerCost"),
    ]


def solve(caps, costs, demands, seconds: int) -> tuple[list[int], dict]:
    """Timefold's default phases (construction heuristic, then local search) for `seconds` of wall time.
    Returns assign[process] = computer index (-1 if unassigned) and run facts."""
    computers = [Computer(j, *map(int, caps[j]), int(costs[j])) for j in range(len(caps))]
    processes = [Process(i, *map(int, demands[i])) for i in range(len(demands))]
    solver = SolverFactory.create(SolverConfig(
        solution_class=CloudBalance, entity_class_list=[Process],
        score_director_factory_config=ScoreDirectorFactoryConfig(constraint_provider_function=constraints),
        termination_config=TerminationConfig(spent_limit=Duration(seconds=seconds)))).build_solver()
    t = time.perf_counter()
    best = solver.solve(CloudBalance(computers, processes))
    wall = time.perf_counter() - t
    assign = [-1] * len(processes)
    for p in best.processes:
        assign[p.id] = p.computer.id if p.computer is not None else -1
    from java.lang import System
    return assign, {"solve_s": wall, "timefold_score": str(best.score), "timefold": version("timefold"),
                    "jvm": f"{System.getProperty('java.vm.name')} {System.getProperty('java.version')}"}
