"""What every placement rule is made of (rules.py holds the registry): the CP-SAT model under
construction, the rule interface and the per-host loads a rule checks.

Model variables: used[h] (host slot h is bought), x[v][h] (VM v runs on slot h) and, per
failure scenario S, y[S][v][h] (after S, VM v runs on surviving slot h; None on a failed slot).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.solve.problem import ClusterProblem, Placement

Vars = list[list["cp_model.IntVar"]]  # quoted: reading cp_model would load it (planner.solve)
RESOURCES = ("vCPU", "memory", "local storage", "running VMs")


@dataclass
class Model:
    """A VM x host CP-SAT model under construction, and what the rules built into it."""

    m: cp_model.CpModel
    p: ClusterProblem
    used: list
    x: Vars
    cap: tuple  # per resource of RESOURCES: a number, or an expression of the host model chosen (explain)
    built: dict = field(default_factory=dict)  # rule name -> the enforcement literal it was built under
    ys: dict = field(default_factory=dict)  # failure scenario -> y[v][h]


def _enforce(ct: cp_model.Constraint, lits: list) -> None:
    if lits:
        ct.only_enforce_if(lits)


def _lits(*lits) -> list:
    return [lit for lit in lits if lit is not None]


def demand(p: ClusterProblem, index: int) -> list[int]:
    """Each item's use of resource `index` of RESOURCES (a running VM counts 1)."""
    return [1 if index == 3 else it.demand(p.per_host_storage)[index] for it in p.items]


def capacity(p: ClusterProblem, pl: Placement | None = None, h: int = 0) -> tuple[int, int, int, int]:
    """A host's capacity per resource of RESOURCES (host h of `pl` when given: a cluster may mix models)."""
    host = pl.host(p, h) if pl is not None else p.host
    return (*host.capacity(), host.max_vms)


def loads(p: ClusterProblem, pl: Placement) -> list[list[int]]:
    """Per host of pl, its load per resource of RESOURCES (items placed off hosts 0..n-1 are not counted)."""
    out = [[0, 0, 0, 0] for _ in range(pl.n)]
    local, host_of, n = p.per_host_storage, pl.host_of, pl.n
    for it in p.items:
        h = host_of.get(it.name, -1)
        if 0 <= h < n:
            row = out[h]
            row[0] += it.vcpu
            row[1] += it.memory_mb
            row[2] += it.storage_gb if local else 0
            row[3] += 1
    return out


class Rule(ABC):
    """A placement rule (subclasses document what they forbid and why)."""

    name = ""
    after_failure = False  # also holds on every failure scenario's restart plan (host_rules.py)

    def applies(self, p: ClusterProblem) -> bool:
        return True

    @abstractmethod
    def build(self, mdl: Model, lit=None) -> None:
        """Add the rule to the exact model, under the enforcement literal `lit` when given."""

    @abstractmethod
    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        """The rule's violations in a placement (empty when it holds)."""

    def bound(self, mdl: Model, on: Vars, lits: list) -> None:
        """An `after_failure` rule on assignment `on` (x, or one scenario's y) under the literals `lits`."""
        raise TypeError(f"rule {self.name} does not hold after a failure")


def alive(on: Vars, h: int) -> bool:
    """Whether slot h survives in assignment `on` (a scenario's y is None on its failed slots)."""
    return not on or on[0][h] is not None
