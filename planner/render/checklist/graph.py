"""The build task graph, verification cmdlets and pitfalls (catalog data), loaded and checked."""
from __future__ import annotations

import re
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from planner.catalog import read_yaml

Condition = dict[str, object]
VERB_NOUN = re.compile(r"(?<![\w$.\\'\"-])([A-Z][a-z]+-[A-Z][A-Za-z0-9]*\*?)")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Verify(Strict):
    command: str
    on: str | None = None
    expect: str
    when: Condition = {}


class Line(Strict):
    """A line of work shown only when `when` holds."""

    when: Condition
    text: str


class Task(Strict):
    id: str
    title: str
    phase: str
    each: Literal["once", "stamp", "cluster", "role"]
    role: str | None = None
    when: Condition = {}
    depends_on: list[str] = []
    do: list[str | Line]
    verify: list[Verify]
    pitfalls: list[str] = []
    show: list[Literal["vms", "load_balancer", "anti_affinity", "hosts", "host_addresses", "cluster_vms"]] | None = None

    def blocks(self) -> list[str]:
        """The object blocks listed on this task's steps."""
        if self.show is not None:
            return list(self.show)
        return ["vms", "load_balancer", "anti_affinity"] if self.each == "role" else []


class Phase(Strict):
    id: str
    title: str


class Pitfall(Strict):
    id: str = ""
    title: str
    text: str
    source: str
    when: Condition = {}


class Module(Strict):
    source: str
    cmdlets: list[str]


class BuildCatalog(Strict):
    """The task graph (in file order), phases, naming and labels; cmdlets; pitfalls (role endpoints: roles.yaml)."""

    versions: dict[str, dict[str, str]]
    phases: list[Phase]
    naming: dict[str, str]
    labels: dict[str, str]
    cluster_networks: dict[str, str]
    tasks: list[Task]
    modules: dict[str, Module]
    pitfalls: dict[str, Pitfall]

    def cmdlet_module(self) -> dict[str, str]:
        """Cmdlet name -> its module."""
        return {c: name for name, mod in self.modules.items() for c in mod.cmdlets}

    def task(self, task_id: str) -> Task:
        return next(t for t in self.tasks if t.id == task_id)

    def ancestors(self, task_id: str) -> set[str]:
        """Every task `task_id` depends on, directly or not."""
        seen: set[str] = set()
        todo = list(self.task(task_id).depends_on)
        while todo:
            dep = todo.pop()
            if dep not in seen:
                seen.add(dep)
                todo += self.task(dep).depends_on
        return seen


def cmdlets_in(command: str) -> list[str]:
    """The Verb-Noun tokens of a PowerShell command line (wildcard property names excluded)."""
    return [tok for tok in VERB_NOUN.findall(command) if not tok.endswith("*")]


@cache
def load_build_catalog() -> BuildCatalog:
    """Load build_tasks.yaml, cmdlets.yaml and pitfalls.yaml; ValueError on any inconsistency."""
    graph = read_yaml("build_tasks.yaml")
    pitfalls = {key: Pitfall(id=key, **value) for key, value in read_yaml("pitfalls.yaml").items()}
    catalog = BuildCatalog(**graph, modules=read_yaml("cmdlets.yaml"), pitfalls=pitfalls)
    _check(catalog)
    return catalog


def _check(cat: BuildCatalog) -> None:
    ids = [t.id for t in cat.tasks]
    if len(set(ids)) != len(ids):
        raise ValueError("build_tasks.yaml: task ids must be unique")
    phases = {p.id for p in cat.phases}
    known = cat.cmdlet_module()
    if len(known) != sum(len(m.cmdlets) for m in cat.modules.values()):
        raise ValueError("cmdlets.yaml: a cmdlet is listed under two modules")
    for task in cat.tasks:
        where = f"build_tasks.yaml: task {task.id}"
        if task.phase not in phases:
            raise ValueError(f"{where}: unknown phase {task.phase!r}")
        if (task.each == "role") != (task.role is not None):
            raise ValueError(f"{where}: `role` is given exactly when `each: role`")
        for dep in task.depends_on:
            if dep not in ids:
                raise ValueError(f"{where}: unknown dependency {dep!r}")
        for pit in task.pitfalls:
            if pit not in cat.pitfalls:
                raise ValueError(f"{where}: unknown pitfall {pit!r}")
        for verify in task.verify:
            unknown = [c for c in cmdlets_in(verify.command) if c not in known]
            if unknown or not cmdlets_in(verify.command):
                raise ValueError(f"{where}: verification uses cmdlets not in cmdlets.yaml: {unknown or verify.command}")
    task_order(cat)  # raises on a cycle


def task_order(cat: BuildCatalog) -> list[Task]:
    """Tasks in a topological order; ties go to the earlier phase, then the earlier task in the file."""
    phase_rank = {p.id: i for i, p in enumerate(cat.phases)}
    rank = {t.id: (phase_rank[t.phase], i) for i, t in enumerate(cat.tasks)}
    waiting = {t.id: set(t.depends_on) for t in cat.tasks}
    done: list[Task] = []
    while waiting:
        ready = [tid for tid, deps in waiting.items() if not deps]
        if not ready:
            raise ValueError(f"build_tasks.yaml: dependency cycle among {', '.join(sorted(waiting))}")
        pick = min(ready, key=rank.__getitem__)
        del waiting[pick]
        for deps in waiting.values():
            deps.discard(pick)
        done.append(cat.task(pick))
    return done
