"""Expand the build task graph over a design into ordered checklist steps."""
from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass

from planner.model.design import Design
from planner.render.checklist.graph import BuildCatalog, Pitfall, Task, cmdlets_in, load_build_catalog, task_order
from planner.render.checklist.view import DesignView, Scope, fill, join


@dataclass(frozen=True)
class Check:
    """A verification: the command, where to run it, and what a good result looks like."""

    command: str
    module: str
    on: str
    expect: str


@dataclass
class Step:
    id: str
    task: str
    phase: str
    title: str
    scope: Scope
    clusters: frozenset[str]
    depends_on: list[str]
    do: list[str]
    objects: list[str]
    verify: list[Check]
    pitfalls: list[Pitfall]


def build_steps(design: Design, cat: BuildCatalog | None = None) -> list[Step]:
    """Every step of the design's build, in a topological order of the task graph."""
    cat = cat or load_build_catalog()
    view = DesignView(design, cat)
    steps: list[Step] = []
    by_task: dict[str, list[Step]] = defaultdict(list)
    for task in task_order(cat):
        for scope in _scopes(task, view):
            facts = view.facts(scope)
            if not view.holds(task.when, facts):
                continue
            step = _step(task, scope, view, facts)
            steps.append(step)
            by_task[task.id].append(step)
    _link(steps, by_task, cat)
    return steps


def _scopes(task: Task, view: DesignView) -> list[Scope]:
    d = view.d
    if task.each == "once":
        return [Scope("once")]
    if task.each == "stamp":
        return [Scope("stamp", stamp=s.name) for s in d.stamps]
    if task.each == "cluster":
        return [Scope("cluster", stamp=c.stamp, cluster=c.name) for c in d.clusters]
    return [Scope("role", stamp=s, role=task.role) for s in view.stamps_with(task.role)]


def _step(task: Task, scope: Scope, view: DesignView, facts: dict) -> Step:
    ctx = view.context(scope)
    try:
        modules = view.cat.cmdlet_module()
        checks, on = [], view.cat.labels["default_on"]
        for v in task.verify:
            on = fill(v.on, ctx) if v.on else on
            if not view.holds(v.when, facts):
                continue
            checks.append(Check(command=fill(v.command, ctx), module=modules[cmdlets_in(v.command)[0]],
                                on=on, expect=fill(v.expect, ctx)))
        do = [fill(line, ctx) if isinstance(line, str) else fill(line.text, ctx) for line in task.do
              if isinstance(line, str) or view.holds(line.when, facts)]
        title = fill(task.title, ctx)
    except KeyError as missing:
        raise ValueError(f"build_tasks.yaml: task {task.id}: {missing.args[0]}") from None
    vms = view.role_vms(task.role, scope.stamp) if scope.role else []
    clusters = {scope.cluster} if scope.cluster else {vm.cluster for vm in vms}
    return Step(
        id=task.id if scope.kind == "once" else f"{task.id}/{scope.key}",
        task=task.id, phase=task.phase, title=title, scope=scope, clusters=frozenset(clusters),
        depends_on=[], do=do, objects=_objects(task, scope, view), verify=checks,
        pitfalls=[view.cat.pitfalls[p] for p in task.pitfalls if view.holds(view.cat.pitfalls[p].when, facts)])


# ---- dependencies -----------------------------------------------------------------------------
def _link(steps: list[Step], by_task: dict[str, list[Step]], cat: BuildCatalog) -> None:
    """Fill each step's depends_on: the matching steps of its tasks' dependencies, transitively reduced."""
    def present(task_id: str) -> list[str]:
        if by_task.get(task_id):
            return [task_id]
        out: list[str] = []
        for dep in cat.task(task_id).depends_on:
            out += [t for t in present(dep) if t not in out]
        return out

    def resolved(task_id: str) -> list[str]:
        """Dependencies that yield steps; a dropped one stands for its own dependencies, except
        those the present dependencies already depend on."""
        deps = cat.task(task_id).depends_on
        direct = [d for d in deps if by_task.get(d)]
        covered = set().union(*(cat.ancestors(d) for d in direct)) if direct else set()
        out = list(direct)
        for dep in deps:
            if dep not in direct:
                out += [t for t in present(dep) if t not in out and t not in covered]
        return out

    index = {s.id: i for i, s in enumerate(steps)}
    ancestors: dict[str, set[str]] = {}
    for step in steps:
        deps: list[str] = []
        for dep_task in resolved(step.task):
            deps += [s.id for s in _matching(step, by_task[dep_task]) if s.id not in deps]
        reachable = set().union(*(ancestors[d] for d in deps)) if deps else set()
        step.depends_on = sorted((d for d in deps if d not in reachable), key=index.__getitem__)
        ancestors[step.id] = reachable | set(deps)


def _matching(step: Step, candidates: list[Step]) -> list[Step]:
    """The dependency's steps for the same cluster(s) or stamp; all of them when none match."""
    if step.scope.kind == "once":
        return candidates
    same = []
    for c in candidates:
        if c.scope.kind == "once":
            same.append(c)
        elif c.scope.kind == "cluster" and step.clusters:
            if c.scope.cluster in step.clusters:
                same.append(c)
        elif c.scope.stamp == step.scope.stamp:
            same.append(c)
    return same or candidates


# ---- objects ----------------------------------------------------------------------------------
def _objects(task: Task, scope: Scope, view: DesignView) -> list[str]:
    labels = view.cat.labels
    lines: list[str] = []
    for block in task.blocks():
        if block in ("vms", "load_balancer", "anti_affinity") and scope.role:
            lines += _role_objects(block, scope, view)
        elif scope.cluster:
            lines += _cluster_objects(block, scope.cluster, view, labels)
    return lines


def _role_objects(block: str, scope: Scope, view: DesignView) -> list[str]:
    labels = view.cat.labels
    vms = view.role_vms(scope.role, scope.stamp)
    if block == "vms":
        return [fill(labels["vm"], {
            "name": vm.name, "host": vm.host or "unplaced",
            "rack": view.host[vm.host].fault_domain if vm.host else "-",
            "vcpu": str(vm.vcpu), "memory": f"{vm.memory_gb:g}", "storage": f"{vm.storage_gb:g}",
            "addresses": view.address_text(vm.name)}) for vm in vms]
    if block == "load_balancer":
        lb = view.lb(scope.role, scope.stamp)
        return [fill(labels["load_balancer"], {"name": lb.name, "fqdn": lb.vip_fqdn, "address": view.ip(lb.name),
                                               "members": join(lb.members)})] if lb else []
    groups: dict[str, list[str]] = defaultdict(list)
    for vm in vms:
        if vm.anti_affinity_group:
            groups[vm.anti_affinity_group].append(vm.name)
    scopes = {g.name: g.scope for g in view.d.anti_affinity_groups}
    return [fill(labels["anti_affinity"], {"group": g, "members": join(m),
                                           "scope": labels[f"scope_{scopes.get(g, 'host')}"]})
            for g, m in groups.items()]


def _cluster_objects(block: str, cluster: str, view: DesignView, labels: dict[str, str]) -> list[str]:
    hosts = view.hosts_of[cluster]
    if block == "hosts":
        racks: dict[str, list] = defaultdict(list)
        for h in hosts:
            racks[h.fault_domain].append(h)
        return [fill(labels["hosts"], {"rack": rack, "names": join(h.name for h in hs), "count": str(len(hs)),
                                       "model": hs[0].model, "vcpu": str(hs[0].vcpu_capacity),
                                       "memory": f"{hs[0].usable_memory_gb:g}"}) for rack, hs in racks.items()]
    if block == "host_addresses":
        return [fill(labels["host_addresses"], {"ranges": _ranges(hosts, view)})]
    if block == "cluster_vms":
        tenants = view.tenant_count[cluster]
        if tenants:
            return [fill(labels["cluster_vms_counted"], {"count": f"{tenants:,}"})]
        names = [vm.name for vm in view.mgmt_vms if vm.cluster == cluster]
        return [fill(labels["cluster_vms_listed"], {"vms": join(names)})] if names else []
    return []


def _ranges(hosts, view: DesignView) -> str:
    """Per network, the hosts' addresses as one range when consecutive in host order."""
    per_net: dict[str, list] = defaultdict(list)
    for h in hosts:
        for a in view.addresses.get(h.name, []):
            per_net[a.network].append(a)
    if not per_net:
        return view.cat.labels["no_address"]
    parts = []
    for net, addrs in per_net.items():
        ints = [int(ipaddress.ip_address(a.address)) for a in addrs]
        vlan = f" (VLAN {addrs[0].vlan})" if addrs[0].vlan else ""
        consecutive = all(b - a == 1 for a, b in zip(ints, ints[1:]))
        if consecutive and len(addrs) > 2:
            parts.append(f"{net} {addrs[0].address}-{addrs[-1].address}{vlan}")
        else:
            parts.append(f"{net} {join(a.address for a in addrs)}{vlan}")
    return "; ".join(parts)
