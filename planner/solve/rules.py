"""The rule registry: every placement rule, once, shared by every engine.

A rule (rulebase.Rule) says what it forbids and why (its docstring), when it `applies` to a problem, how to
`build` it into the VM x host CP-SAT model (under an optional enforcement literal: explain.py
relaxes rules through those), and how to `check` a placement (a list of violations, empty
when it holds). Each engine declares the rules it honours by construction (`HONOURS`) and
declines a problem where another rule applies (`declines`); the exact model builds every
applicable rule. Every engine's placement passes `violations` before it is returned.
The per-host rules by group or role are in host_rules.py.
"""
from __future__ import annotations

from planner.solve.host_rules import DedicatedHosts, RolePerHost, Spread
from planner.solve.problem import ClusterProblem, Placement
from planner.solve.rulebase import (  # noqa: F401 - the engines use these through this module
    RESOURCES, Model, Rule, Vars, _enforce, _lits, capacity, demand, loads)


class Assignment(Rule):
    """Every VM runs on exactly one bought host: a VM nowhere (or twice) is no design."""

    name = "assignment"

    def build(self, mdl: Model, lit=None) -> None:
        for row in mdl.x:
            _enforce(mdl.m.add_exactly_one(row) if lit is None else mdl.m.add(sum(row) == 1), _lits(lit))
            for h, var in enumerate(row):
                _enforce(mdl.m.add_implication(var, mdl.used[h]), _lits(lit))

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        names = {it.name for it in p.items}
        out = [f"{name} is not placed" for name in sorted(names - set(pl.host_of))]
        out += [f"{name} is not a VM of {p.cluster}" for name in sorted(set(pl.host_of) - names)]
        return out + [f"{name} is on host {h} of {pl.n}" for name, h in sorted(
            (name, h) for name, h in pl.host_of.items() if not 0 <= h < pl.n)]


class Resource(Rule):
    """A host's VMs never exceed one resource: vCPU at the purpose's vCPU:core ratio, memory (never
    over-committed: Dynamic Memory is not counted on), local storage where storage is per host, or
    the hypervisor's running-VM limit. The failover rules bound every scenario's survivors with it."""

    def __init__(self, name: str, index: int):
        self.name, self.index = name, index

    def applies(self, p: ClusterProblem) -> bool:
        return {2: p.per_host_storage, 3: len(p.items) > p.host.max_vms}.get(self.index, True)

    def build(self, mdl: Model, lit=None) -> None:
        for h in range(len(mdl.used)):
            self.bound(mdl, mdl.x, h, _lits(lit))
        mdl.built[self.name] = lit

    def bound(self, mdl: Model, on: Vars, h: int, lits: list) -> None:
        """Host h's load under assignment `on` (x, or one scenario's y) within capacity."""
        need = demand(mdl.p, self.index)
        _enforce(mdl.m.add(sum(need[v] * row[h] for v, row in enumerate(on)) <= mdl.cap[self.index]), lits)

    def over(self, load: list[int], cap: tuple[int, ...]) -> bool:
        """Whether a host's `load` passes its capacity `cap` (both per resource of RESOURCES) in this resource."""
        return load[self.index] > cap[self.index]

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        return [f"host {h}: {RESOURCES[self.index]} {row[self.index]} > {capacity(p, pl, h)[self.index]}"
                for h, row in enumerate(loads(p, pl)) if self.over(row, capacity(p, pl, h))]


class AntiAffinity(Rule):
    """VMs of one HA group never share a host (scope host) or a rack (scope fault_domain, rack
    scope): one host or rack failing must not take down every instance of a role."""

    def __init__(self, name: str, rack: bool):
        self.name, self.rack = name, rack

    def groups(self, p: ClusterProblem) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for v, it in enumerate(p.items):
            if it.group and it.cap == 1 and (not self.rack or it.scope == "fault_domain"):
                out.setdefault(it.group, []).append(v)
        return out

    def applies(self, p: ClusterProblem) -> bool:
        return bool(self.groups(p))

    def domain(self, p: ClusterProblem, h: int) -> int:
        return p.rack_of(h) if self.rack else h

    def build(self, mdl: Model, lit=None, groups: list[str] | None = None) -> None:
        """`groups`: only these (explain puts each group behind a literal of its own)."""
        slots = range(len(mdl.used))
        for name, members in self.groups(mdl.p).items():
            if groups is not None and name not in groups:
                continue
            for d in sorted({self.domain(mdl.p, h) for h in slots}):
                on = [mdl.x[v][h] for v in members for h in slots if self.domain(mdl.p, h) == d]
                _enforce(mdl.m.add_at_most_one(on) if lit is None else mdl.m.add(sum(on) <= 1), _lits(lit))

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        out = []
        for name, members in self.groups(p).items():
            where = [self.domain(p, pl.host_of[p.items[v].name]) for v in members if p.items[v].name in pl.host_of]
            if len(set(where)) < len(where):
                out.append(f"group {name}: two members share a {'rack' if self.rack else 'host'}")
        return out


class Failover(Rule):
    """N+k (`failover`: every k hosts failing) or rack loss (`rack-loss`: each rack failing): the
    failed hosts' VMs restart on surviving hosts, the survivors' VMs stay, and no survivor exceeds
    any resource rule nor breaks a rule that holds `after_failure` (gateways per host, dedicated hosts). A certificate (restart plan) per scenario proves it."""

    def __init__(self, name: str, racks: bool):
        self.name, self.racks = name, racks

    def applies(self, p: ClusterProblem) -> bool:
        return p.rack_tolerance if self.racks else p.k > 0

    def scenarios(self, p: ClusterProblem, n: int) -> list[tuple[int, ...]]:
        return p.rack_scenarios(n) if self.racks else p.k_subsets(n)

    def build(self, mdl: Model, lit=None) -> None:
        """Without a literal, a scenario another failover rule built already is shared."""
        m, n = mdl.m, len(mdl.used)
        state = [(r, mdl.built[r.name]) for r in REGISTRY if isinstance(r, Resource) and r.name in mdl.built]
        held = [r for r in applicable(mdl.p) if r.after_failure]  # under their own literal, if any (explain)
        for failed in self.scenarios(mdl.p, n):
            if lit is None and failed in mdl.ys:
                continue
            down = set(failed)
            y = [[m.new_bool_var("") if h not in down else None for h in range(n)] for _ in mdl.p.items]
            for v, row in enumerate(y):
                alive = [var for var in row if var is not None]
                _enforce(m.add_exactly_one(alive) if lit is None else m.add(sum(alive) == 1), _lits(lit))
                for h, var in enumerate(row):
                    if var is not None:
                        _enforce(m.add_implication(mdl.x[v][h], var) if lit is None else
                                 m.add(mdl.x[v][h] <= var), _lits(lit))
                        m.add_implication(var, mdl.used[h])
            for h in range(n):
                if h not in down:
                    for rule, rule_lit in state:
                        rule.bound(mdl, y, h, _lits(lit, rule_lit))
            for rule in held:
                rule.bound(mdl, y, _lits(lit, mdl.built.get(rule.name)))
            mdl.ys.setdefault(failed, y)

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        base = loads(p, pl)
        applying = applicable(p)
        state = [r for r in applying if isinstance(r, Resource)]
        held = [r for r in applying if r.after_failure]
        need = {it.name: it.demand(p.per_host_storage) for it in p.items}
        caps = [capacity(p, pl, h) for h in range(pl.n)]
        on_host: dict[int, list[str]] = {}
        for name, h in pl.host_of.items():
            if name in need:  # others are the assignment rule's
                on_host.setdefault(h, []).append(name)
        out = []
        for failed in self.scenarios(p, pl.n):
            down, plan = set(failed), pl.restarts.get(failed)
            moving = {name for h in down for name in on_host.get(h, ())}
            if plan is None or plan.keys() != moving:
                out.append(f"scenario {failed}: no restart plan for exactly the failed hosts' VMs")
                continue
            load = {h: list(base[h]) for h in set(plan.values())}
            if any(h in down or not 0 <= h < pl.n for h in load):
                out.append(f"scenario {failed}: a VM restarts on a failed or unknown host")
                continue
            for name, h in plan.items():
                row, d = load[h], need[name]
                row[0] += d[0]
                row[1] += d[1]
                row[2] += d[2]
                row[3] += 1
            out += [f"scenario {failed}: host {h} over its {r.name}" for h, row in sorted(load.items())
                    for r in state if r.over(row, caps[h])]
            if held:
                after = Placement(pl.n, {**{name: pl.host_of[name] for name in need}, **plan}, {}, pl.models)
                out += [f"scenario {failed}: {r.name}: {v}" for r in held for v in r.check(p, after)]
        return out


class HostLimit(Rule):
    """A cluster has at most hardware.max_hosts_per_cluster hosts (within the product's nodes per cluster)."""

    name = "host-limit"

    def build(self, mdl: Model, lit=None) -> None:
        for h in range(mdl.p.max_hosts, len(mdl.used)):
            _enforce(mdl.m.add_bool_and([mdl.used[h].Not()]), _lits(lit))

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        return [f"{pl.n} hosts > {p.max_hosts}"] if pl.n > p.max_hosts else []


class RoleToCluster(Rule):
    """A cluster holds only the roles of its purpose (sizing.cluster_roles): management roles off the
    compute clusters, tenant-facing roles where placement.tenant_facing_tier puts them. Sizing decides
    it before placement, so the model only fails when the problem breaks it."""

    name = "role-to-cluster"

    def applies(self, p: ClusterProblem) -> bool:
        return p.roles is not None

    def build(self, mdl: Model, lit=None) -> None:
        if self.strays(mdl.p):
            _enforce(mdl.m.add_bool_or([]), _lits(lit))

    def strays(self, p: ClusterProblem) -> list[str]:
        return [f"{it.name} (role {it.role}) does not belong on {p.cluster}" for it in p.items
                if it.role not in p.roles]

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        return self.strays(p)

REGISTRY: list[Rule] = [
    Assignment(), Resource("vcpu", 0), Resource("memory", 1), Resource("local-storage", 2),
    Resource("vms-per-host", 3), AntiAffinity("anti-affinity-host", rack=False),
    AntiAffinity("anti-affinity-rack", rack=True), Failover("failover", racks=False),
    Failover("rack-loss", racks=True), HostLimit(), RoleToCluster(), Spread(), RolePerHost(), DedicatedHosts(),
]
PLACEMENT = frozenset({"assignment", "vcpu", "memory", "local-storage", "vms-per-host", "anti-affinity-host",
                       "anti-affinity-rack", "host-limit", "role-to-cluster"})  # rules on where VMs run
RESTARTS = frozenset({"failover", "rack-loss"})  # rules on the restart plans
HOST_LIMITS = frozenset({"spread", "role-per-host", "dedicated-hosts"})  # per-host limits by group or role


def rule(name: str) -> Rule:
    return next(r for r in REGISTRY if r.name == name)


def applicable(p: ClusterProblem) -> list[Rule]:
    return [r for r in REGISTRY if r.applies(p)]


def declines(p: ClusterProblem, honours: frozenset[str]) -> bool:
    """Whether an engine honouring `honours` must decline p: another rule applies to it."""
    return any(r.name not in honours for r in applicable(p))


def violations(p: ClusterProblem, pl: Placement) -> list[str]:
    """Every applicable rule's violations by pl: empty when the placement is sound."""
    return [f"{r.name}: {v}" for r in applicable(p) for v in r.check(p, pl)]


def sound(p: ClusterProblem, pl: Placement) -> bool:
    return not violations(p, pl)
