"""The per-host rules by group or role: spread web farms, VMs of a role per host, hosts dedicated to a role.

A rule with `after_failure` also holds on every failure scenario's restart plan (rules.Failover bounds each
scenario's assignment with `bound` and checks the hosts after the restarts with `check`).
"""
from __future__ import annotations

from planner.solve.problem import ClusterProblem, Placement
from planner.solve.rulebase import Model, Rule, Vars, _enforce, _lits, alive

def _count_on_hosts(p: ClusterProblem, pl: Placement, members: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for v in members:
        h = pl.host_of.get(p.items[v].name)
        if h is not None:
            out[h] = out.get(h, 0) + 1
    return out


class Spread(Rule):
    """A spread web farm (portals, APIs) has at most `cap` members on one host, sized so that losing any k
    hosts leaves the instances its load needs: strict one-per-host anti-affinity would buy hosts only to
    keep nine portals apart. HA pairs keep strict anti-affinity (AntiAffinity). Like anti-affinity it holds
    in normal running only: after k failures the farm has survived all it was sized for, and Hyper-V treats
    the availability set as a preference on failover."""

    name = "spread"

    def groups(self, p: ClusterProblem) -> dict[str, tuple[int, list[int]]]:
        out: dict[str, tuple[int, list[int]]] = {}
        for v, it in enumerate(p.items):
            if it.group and it.cap > 1:
                out.setdefault(it.group, (it.cap, []))[1].append(v)
        return out

    def applies(self, p: ClusterProblem) -> bool:
        return bool(self.groups(p))

    def build(self, mdl: Model, lit=None) -> None:
        for cap, members in self.groups(mdl.p).values():
            for h in range(len(mdl.used)):
                _enforce(mdl.m.add(sum(mdl.x[v][h] for v in members) <= cap), _lits(lit))

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        return [f"group {name}: {n} members on host {h} > {cap}" for name, (cap, members) in self.groups(p).items()
                for h, n in sorted(_count_on_hosts(p, pl, members).items()) if n > cap]


class RolePerHost(Rule):
    """At most `cap` VMs of a role on one host (catalog max_per_host): HNV gateways two or four per
    Hyper-V host (dn423897), so one host failing takes few gateways down and each gets its NUMA node."""

    name = "role-per-host"
    after_failure = True  # a restart never makes a 5th gateway on a host

    def members(self, p: ClusterProblem) -> list[tuple[str, int, list[int]]]:
        return [(role, cap, [v for v, it in enumerate(p.items) if it.role == role]) for role, cap in p.role_caps]

    def applies(self, p: ClusterProblem) -> bool:
        return any(len(members) > cap for _, cap, members in self.members(p))

    def build(self, mdl: Model, lit=None) -> None:
        self.bound(mdl, mdl.x, _lits(lit))

    def bound(self, mdl: Model, on: Vars, lits: list) -> None:
        for _, cap, members in self.members(mdl.p):
            for h in range(len(mdl.used)):
                if alive(on, h):
                    _enforce(mdl.m.add(sum(on[v][h] for v in members) <= cap), lits)

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        return [f"{n} {role} VMs on host {h} > {cap}" for role, cap, members in self.members(p)
                for h, n in sorted(_count_on_hosts(p, pl, members).items()) if n > cap]


class DedicatedHosts(Rule):
    """A host running a dedicated role (HNV gateways: -IsDedicatedToNetworkVirtualizationGateway) runs no
    other role: the gateway hosts carry only gateways, never the tenant-facing WAP tier beside them."""

    name = "dedicated-hosts"
    after_failure = True  # a restart never puts another role on a gateway host, nor a gateway beside it

    def applies(self, p: ClusterProblem) -> bool:
        return bool(p.dedicated)

    def build(self, mdl: Model, lit=None) -> None:
        self.bound(mdl, mdl.x, _lits(lit))

    def bound(self, mdl: Model, on: Vars, lits: list) -> None:
        for role in sorted(mdl.p.dedicated):
            for h in range(len(mdl.used)):
                if not alive(on, h):
                    continue
                mine = mdl.m.new_bool_var("")
                for v, it in enumerate(mdl.p.items):
                    _enforce(mdl.m.add_implication(on[v][h], mine if it.role == role else mine.Not()), lits)

    def check(self, p: ClusterProblem, pl: Placement) -> list[str]:
        roles: dict[int, set[str]] = {}
        for it in p.items:
            if it.name in pl.host_of:
                roles.setdefault(pl.host_of[it.name], set()).add(it.role)
        return [f"host {h} runs {role} beside {', '.join(sorted(on - {role}))}" for h, on in sorted(roles.items())
                for role in sorted(p.dedicated & on) if len(on) > 1]
