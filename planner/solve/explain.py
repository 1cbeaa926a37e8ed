"""Why no design: the smallest set of requirements that clash for a management or edge cluster.

The explanation model is the exact model (the rules.py builders) with each requirement behind an assumption
literal: the host limit, N+k, rack loss, each anti-affinity group and the host models' capacity.
CP-SAT's sufficient assumptions for infeasibility give a core; deleting literals one by one
shrinks it to a minimal core, and a bounded search over smaller sets (in a fixed order of
preference) makes it the smallest. Each literal maps back to a requirements field and its relaxation, which relax.py checks by
re-solving before it is printed. When no clash is proven, the usual suspects (host limit, N+k, rack
loss, host model, each anti-affinity group) are re-solved the same way and only those that help are named.
"""
from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from planner.model.design import Cluster
from planner.model.requirements import Requirements, gateway_capacity
from planner.solve import rules
from planner.solve.bounds import bound_causes, host_lower_bound
from planner.solve.exact import symmetry_breaking
from planner.solve.heuristic import smallest_placement
from planner.solve.problem import ClusterProblem
from planner.solve.relax import (Clash, Suggestion, fewer_failures, fewer_members, fewer_of_role, larger_host, more_hosts,
                                 no_rack_loss, verified)
from planner.solve.runner import run_solver
MAX_MODEL_VARIABLES = 400_000
EXTRA_SLOTS = 16        # slots searched beyond the host limit for a placement without it
MAX_SOLVES = 40         # solves spent looking for a smaller core than the minimal one
SOLVE_TIME = 5.0        # deterministic seconds per solve
SEED = 20141015


@dataclass(frozen=True, eq=False)
class Requirement:
    """One assumption literal and the requirements field it stands for."""

    lit: cp_model.IntVar
    clash: Clash
    relax: object  # relax.Relax: the problems its relaxation makes


def explain(cluster: Cluster, candidates: list[ClusterProblem], req: Requirements | None = None) -> list[Clash]:
    """The smallest clash found for a cluster with no placement, each relaxation re-solved (relax.py); else
    the usual suspects whose relaxation alone re-solves (all of them, marked, when none does). When a lower bound
    already passes the host limit for every host model, the clash is named from what drives that bound."""
    try:
        by_bound = _bound_clash(cluster, candidates, req)
        if by_bound:
            return verified(candidates, by_bound, proven=True)
        core = _explain(cluster, candidates, req)
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception:  # noqa: BLE001 - an explanation must never hide the clash itself
        core = []
    if core:
        return verified(candidates, core, proven=True)
    suspects = _requirements(cluster, candidates, req, *([None] * 4), {}, rules.rule("anti-affinity-host").groups(
        candidates[0]))
    chosen = [Suggestion(r.clash, r.relax) for r in suspects]
    return verified(candidates, chosen, proven=False) or verified(candidates, chosen, proven=True)


def _explain(cluster: Cluster, candidates: list[ClusterProblem], req: Requirements | None) -> list[Suggestion]:
    built = _build(cluster, candidates, req)
    if built is None:
        return []
    model, reqs, witness = built
    proven, core_ids = _infeasible(model, reqs)
    if proven is not True:
        return []
    core = _shrink(model, reqs, core_ids)
    core = _smallest(model, reqs, core, must=reqs[0] if witness else None)
    seen, out = set(), []
    for r in core:
        if r.clash[0] not in seen:
            seen.add(r.clash[0])
            out.append(Suggestion(r.clash, r.relax))
    return out


def _bound_clash(cluster: Cluster, candidates: list[ClusterProblem], req: Requirements | None) -> list[Suggestion]:
    """When a lower bound passes the host limit for every host model (no placement can exist): the host limit and
    the fields behind the bound that names the fewest (the preferred on a tie); [] otherwise."""
    p = candidates[0]
    least, driver, _ = min((max(bound_causes(c), key=lambda b: b[0]) for c in candidates), key=lambda b: b[0])
    if least <= p.max_hosts:
        return []
    suspects = {r.clash[0]: r for r in _requirements(cluster, candidates, req, *([None] * 4), {}, {})}
    over = [(reason, cause) for c in candidates for hosts, reason, cause in bound_causes(c) if hosts > p.max_hosts]
    fields = [_fields(p, cause, reason, req, suspects) for reason, cause in over]
    rank = {kind: i for i, kind in enumerate(("group", "role", "failover", "rack", "capacity", "dedicated"))}
    best = min(range(len(over)), key=lambda i: (len(fields[i]), rank.get(over[i][1][0], 9), i))
    alone = f"; {over[best][0]} alone needs more than {p.max_hosts}" if over[best][0] != driver else ""
    return [Suggestion(("hardware.max_hosts_per_cluster", p.max_hosts,
                        f"allow at least {least} hosts per cluster (lower bound: {driver}{alone})"), more_hosts),
            *fields[best]]


def _fields(p: ClusterProblem, cause: tuple[str, str], reason: str, req: Requirements | None,
            suspects: dict[str, Requirement]) -> list[Suggestion]:
    """The suggestions (besides the host limit) that relax what drives one bound."""
    kind, name = cause
    roles = name.split(",") if kind in ("role", "dedicated") else []
    out = [Suggestion(_role_clash(role, sum(it.role == role for it in p.items), req), fewer_of_role(role))
           for role in roles]
    group = _group_to_name(p, req) if kind == "group" else ""
    if kind == "dedicated":  # the other VMs' side: the anti-affinity group that needs the most hosts
        others = Counter(it.group for it in p.items if it.group and it.role not in p.dedicated)
        cap = {it.group: it.cap for it in p.items if it.group}
        group = max(sorted(others), key=lambda g: -(-others[g] // cap[g]), default="")
    if group:
        size = sum(it.group == group for it in p.items)
        out.append(Suggestion(_group_clash(group, size, req, p.max_hosts)[0], fewer_members(group)))
    if p.k and (kind == "failover" or kind == "dedicated" and "able to lose" in reason):
        out.append(Suggestion(*_clash_of(next(r for f, r in suspects.items() if f.endswith(".host_failures")))))
    if kind == "rack":
        out.append(Suggestion(*_clash_of(suspects["availability.survive_rack_loss"])))
    if kind in ("capacity", "failover", "rack"):
        out.append(Suggestion(*_clash_of(suspects["hardware.host_models"])))
    return out


def _group_to_name(p: ClusterProblem, req: Requirements | None) -> str:
    """Of the anti-affinity groups too large for the host limit, the one to name: one set explicitly first."""
    size = Counter(it.group for it in p.items if it.group)
    cap = {it.group: it.cap for it in p.items if it.group}
    over = [g for g in sorted(size) if -(-size[g] // cap[g]) > p.max_hosts]
    return min(over, key=lambda g: not _group_clash(g, size[g], req, p.max_hosts)[1])


def _clash_of(r: Requirement) -> tuple[Clash, object]:
    return r.clash, r.relax


def _role_clash(role: str, count: int, req: Requirements | None) -> Clash:
    """The field that sets how many VMs of a role capped per host (or on hosts of its own) a cluster has."""
    given = req.overrides.get(role) if req else None
    if given and given.instances is not None:
        return f"overrides.{role}.instances", given.instances, f"fewer {role} VMs"
    if role == "hnv-gateway" and req is not None:
        return ("tenants.vm_networks_per_gateway", gateway_capacity(req).value,
                f"more VM networks per gateway (fewer than the {count} gateways), or overrides.{role}.instances")
    return f"overrides.{role}.instances", count, f"fewer {role} VMs"


# ------------------------------------------------------------------ the model ----

def _slots(candidates: list[ClusterProblem]) -> tuple[int, bool]:
    """Host slots: enough for a placement with every rule but the host limit (the heuristic's
    witness), so relaxing the limit is known to suffice; else the limit plus a few."""
    limit, k = candidates[0].max_hosts, candidates[0].k
    best = None
    for p in candidates:
        if not all(p.fits_empty_host(it) for it in p.items):
            continue
        lb = host_lower_bound(p)[0]
        found = smallest_placement(replace(p, max_hosts=max(limit, lb) + EXTRA_SLOTS), max(lb, limit + 1))
        if found and (best is None or found.n < best):
            best = found.n
    return (best, True) if best else (limit + k + 2, False)


def _build(cluster: Cluster, candidates: list[ClusterProblem], req: Requirements | None):
    """The explanation model, its requirements in order of preference, and whether the slots
    hold a known placement without the host limit; None when the model would be too large.
    The rules are the registry's builders, each behind the literal of its requirement (the
    rules no requirement relaxes hold unconditionally)."""
    p = candidates[0]
    slots, witness = _slots(candidates)
    scenarios = (math.comb(slots, p.k) if p.k else 0) + (min(slots, p.racks) if p.rack_tolerance else 0)
    if not p.items or len(p.items) * slots * (1 + scenarios) > MAX_MODEL_VARIABLES:
        return None
    m = cp_model.CpModel()
    used = [m.new_bool_var(f"used{h}") for h in range(slots)]
    x = [[m.new_bool_var(f"x{v}_{h}") for h in range(slots)] for v in range(len(p.items))]
    model_of = [m.new_bool_var(f"model {c.host.model}") for c in candidates]
    m.add_exactly_one(model_of)
    cap = tuple(sum(c.host.capacity()[d] * z for c, z in zip(candidates, model_of)) for d in range(3))
    mdl = rules.Model(m, p, used, x, (*cap, p.host.max_vms))
    symmetry_breaking(m, used)
    limit, capacity = m.new_bool_var("host limit"), m.new_bool_var("capacity")
    groups = rules.rule("anti-affinity-host").groups(p)
    group_lit = {name: m.new_bool_var(f"group {name}") for name in sorted(groups)}
    failover, rack = m.new_bool_var("failover"), m.new_bool_var("rack loss")
    lit_of = {"host-limit": limit, "vcpu": capacity, "memory": capacity, "local-storage": capacity,
              "vms-per-host": capacity, "failover": failover, "rack-loss": rack}
    for rule in rules.applicable(p):
        if isinstance(rule, rules.AntiAffinity):
            for name, g in group_lit.items():
                rule.build(mdl, g, groups=[name])
        else:
            rule.build(mdl, lit_of.get(rule.name))
    for name, g in group_lit.items():  # redundant: a group's members need as many hosts (proves pigeonholes fast)
        m.add(sum(used) >= len(groups[name])).only_enforce_if(g)
    return m, _requirements(cluster, candidates, req, limit, failover, rack, capacity, group_lit, groups), witness


def _requirements(cluster: Cluster, candidates: list[ClusterProblem], req: Requirements | None, limit, failover,
                  rack, capacity, group_lit: dict, groups: dict[str, list[int]]) -> list[Requirement]:
    """The literals in order of preference (the order that decides between cores of one size)."""
    p = candidates[0]
    explicit, implied = [], []
    for name in sorted(groups):
        clash, is_explicit = _group_clash(name, len(groups[name]), req, p.max_hosts)
        (explicit if is_explicit else implied).append(Requirement(group_lit.get(name), clash, fewer_members(name)))
    out = [Requirement(limit, ("hardware.max_hosts_per_cluster", p.max_hosts, "allow more hosts per cluster"),
                       more_hosts)]
    out += explicit
    if p.k:
        out.append(Requirement(failover, (f"availability.{cluster.purpose}.host_failures", p.k,
                                          "tolerate fewer failures"), fewer_failures))
    if p.rack_tolerance:
        out.append(Requirement(rack, ("availability.survive_rack_loss", True,
                                      f"drop rack-loss survival, or spread the hosts over more than "
                                      f"{p.racks} racks (availability.racks)"), no_rack_loss))
    vcpu, memory = sum(it.vcpu for it in p.items), sum(it.memory_mb for it in p.items) / 1024
    out.append(Requirement(capacity, ("hardware.host_models", [c.host.model for c in candidates],
                                      f"offer a larger host model (the VMs need {vcpu} vCPU and {memory:g} GB "
                                      f"in all), or raise hardware.vcpu_per_core.{cluster.purpose}"), larger_host))
    return out + implied


def _group_clash(group: str, size: int, req: Requirements | None, max_hosts: int) -> tuple[Clash, bool]:
    """The field that sets an anti-affinity group's size; True when the user set it explicitly."""
    room = f"fewer instances (at most {max_hosts} can each have a host of their own)"
    vm_role = re.fullmatch(r"vmrole-(.+)-d\d+", group)
    if vm_role:
        name = next((r.name for r in (req.tenants.vm_roles if req else []) if r.name.lower() == vm_role[1]),
                    vm_role[1])
        return (f"tenants.vm_roles[{name}].instances", size, room), True
    match = re.fullmatch(r"s\d+-(.+?)(-pair\d+)?", group)
    role = match[1] if match else group
    if req is None:
        return (f"overrides.{role}.instances", size, room), True
    override = req.overrides.get(role)
    if override and override.instances is not None:
        return (f"overrides.{role}.instances", override.instances, room), True
    from planner.catalog import load_catalog

    spec = load_catalog().roles.get(role)
    if spec is None:
        return (f"overrides.{role}.instances", size, room), False
    mode_count = spec.instances[req.wap.deployment]
    if spec.scale_by and size > mode_count:
        per = load_catalog().limit(spec.scale_by, req.system_center).value
        return ("wap.concurrent_tenant_users", req.wap.concurrent_tenant_users,
                f"fewer concurrent users ({per} per {role} instance), or overrides.{role}.instances"), False
    if spec.when and (spec.pairs_by or len(set(spec.instances.values())) == 1):
        return (spec.when.field, spec.when.value(req), f"{spec.when.otherwise} (no {role}: its {size} instances "
                                                       f"never share a host), or overrides.{role}.instances"), False
    return ("wap.deployment", req.wap.deployment,
            f"a deployment mode with fewer {role} instances ({req.wap.deployment} gives {size}), "
            f"or overrides.{role}.instances"), False


# ------------------------------------------------------------------- solving ----

def _infeasible(model: cp_model.CpModel, reqs: list[Requirement]) -> tuple[bool | None, list[int]]:
    """Solve with these literals assumed true: (True, the solver's sufficient assumptions) when
    proven infeasible, (False, []) when feasible, (None, []) when the time ran out."""
    model.clear_assumptions()
    model.add_assumptions([r.lit for r in reqs])
    solver, status = run_solver(model, SOLVE_TIME, 1, SEED, interleave=False)
    if status == cp_model.INFEASIBLE:
        return True, list(solver.sufficient_assumptions_for_infeasibility())
    return (False if status in (cp_model.FEASIBLE, cp_model.OPTIMAL) else None), []


def _shrink(model: cp_model.CpModel, reqs: list[Requirement], core_ids: list[int]) -> list[Requirement]:
    """A minimal core: start from the solver's core and delete each literal whose removal keeps
    the model infeasible (trying the least preferred first)."""
    ids = set(core_ids)
    core = [r for r in reqs if r.lit.index in ids] or list(reqs)
    for r in reversed(list(core)):
        if not any(c is r for c in core):
            continue
        trial = [c for c in core if c is not r]
        proven, kept = _infeasible(model, trial) if trial else (None, [])
        if proven:
            core = [c for c in trial if c.lit.index in set(kept)] or trial
    return core


def _smallest(model: cp_model.CpModel, reqs: list[Requirement], core: list[Requirement],
              must: Requirement | None) -> list[Requirement]:
    """The first infeasible set, by size then order of preference, no larger than `core`
    (within a budget of solves). `must` is in every core (the host limit, when a placement
    without it is known)."""
    others = [r for r in reqs if r is not must]
    solves = 0
    for size in range(1, len(core) + 1):
        free = size - (must is not None)
        for combo in itertools.combinations(others, free) if free >= 0 else ():
            trial = ([must] if must else []) + list(combo)
            if [r.lit.index for r in trial] == [r.lit.index for r in core]:
                return core
            solves += 1
            if solves > MAX_SOLVES:
                return core
            if _infeasible(model, trial)[0] is True:
                return trial
    return core
