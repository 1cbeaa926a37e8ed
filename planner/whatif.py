"""What if hosts or a rack fail (optionally while a host is drained for patching)?

Built on the validator (planner/validate.py) so there is one restart implementation: a
scenario the design's failover plans cover exactly is verified against its plan, any other
is decided by the validator's restart search. Imports no solver.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from planner.errors import InputError
from planner.validate import EPS, UNDECIDED, DesignIndex, check_scenario, index_design
from planner.validate_search import find_restart_packing

PARTIAL_NODE_LIMIT = 20_000  # per step when naming the VMs that cannot restart


@dataclass
class Move:
    """One VM moved by the drain or restarted after the failure (`to` None: it cannot restart)."""

    vm: str
    role: str
    vcpu: float
    memory_gb: float
    source: str
    to: str | None
    via: str  # "drain", "failover plan", "restart search"


@dataclass
class ClusterImpact:
    cluster: str
    failed: list[str]
    status: str  # "certified", "searched", "violation", "undecided"
    moves: list[Move]
    note: str = ""

    @property
    def survived(self) -> bool:
        return self.status in ("certified", "searched")

    def restarts_map(self) -> dict[str, str]:
        """VM -> the host it restarts on (a failover plan's `restarts`)."""
        return {m.vm: m.to for m in self.moves if m.to}


@dataclass
class Usage:
    host: str
    cluster: str
    vcpu: tuple[float, float, float]    # before, after, capacity
    memory: tuple[float, float, float]
    vms: tuple[int, int]


@dataclass
class WhatIf:
    failed: list[str]
    drained: str | None
    rack: str | None = None
    named: list[str] = field(default_factory=list)  # hosts failed by name outside the rack
    rack_hosts: int = 0
    drain: list[Move] = field(default_factory=list)
    drain_problem: str = ""
    clusters: list[ClusterImpact] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)

    @property
    def survived(self) -> bool:
        return not self.drain_problem and all(c.survived for c in self.clusters)

    def restarts(self) -> dict[str, str | None]:
        """VM of a failed host -> where it restarts (None: it cannot)."""
        return {m.vm: m.to for c in self.clusters for m in c.moves}


def what_if(design: dict, fail: list[str] = (), rack: str | None = None, drain: str | None = None) -> WhatIf:
    """Fail hosts `fail` and/or every host of fault domain `rack`, after draining `drain` if given."""
    idx = usable_index(design)
    for host in list(fail) + ([drain] if drain else []):
        if host not in idx.hosts:
            raise InputError(f"no host {host} in the design (hosts are named like {next(iter(idx.hosts), '?')})")
    failed = list(dict.fromkeys(fail))
    if rack is not None:
        racks = sorted({h["fault_domain"] for h in idx.hosts.values()})
        if rack not in racks:
            raise InputError(f"no fault domain {rack} in the design (it has {', '.join(racks)})")
        members = [h for h in idx.hosts if idx.hosts[h]["fault_domain"] == rack and h != drain]
        failed += [h for h in members if h not in failed]
    if drain in fail:
        raise InputError(f"{drain} cannot be both drained and failed")
    if not failed and not drain:
        raise InputError("name the hosts to fail (--fail), a rack (--fail-rack) or a host to drain (--drain)")
    result = WhatIf(failed=failed, drained=drain, rack=rack)
    if rack is not None:
        result.rack_hosts = len(members)
        result.named = [h for h in dict.fromkeys(fail) if h not in members]
    before = idx
    if drain:
        idx = _drain(design, idx, drain, result)
        if result.drain_problem:
            return result
    by_cluster: dict[str, list[str]] = {}
    for host in failed:
        by_cluster.setdefault(idx.hosts[host]["cluster"], []).append(host)
    for cluster in sorted(by_cluster, key=list(idx.clusters).index):
        result.clusters.append(_fail(idx, cluster, by_cluster[cluster], drained=bool(drain)))
    result.usage = _usage(before, idx, result)
    return result


def usable_index(design: dict) -> DesignIndex:
    """The validator's index of a design, or InputError when the design is not self-consistent."""
    idx, findings = index_design(design)
    if findings:
        raise InputError(f"not a usable design.json: {findings[0].subject}: {findings[0].message} "
                         f"(run stampplan validate for the full list)")
    return idx


def _vm_move(vm: dict, source: str, to: str | None, via: str) -> Move:
    return Move(vm["name"], vm.get("role", ""), vm["vcpu"], vm["memory_gb"], source, to, via)


def _drain(design: dict, idx: DesignIndex, drain: str, result: WhatIf) -> DesignIndex:
    """Move the drained host's VMs onto the rest of its cluster and return the index of the design
    without that host. Each VM, largest first, goes where the cluster would live-migrate it (the
    host left least loaded); when that leaves some VM without a host, the validator's search decides."""
    cluster = idx.hosts[drain]["cluster"]
    vms = idx.vms_on[drain]
    residual = {h: idx.residual(h) for h in idx.members[cluster] if h != drain}
    packing = _least_loaded(idx, vms, residual) or find_restart_packing(vms, residual)
    if packing is None or packing == UNDECIDED:
        result.drain = [_vm_move(vm, drain, None, "drain") for vm in vms]
        result.drain_problem = (f"the {len(vms)} VM(s) of {drain} "
                                + ("do not fit on the other hosts of " if packing is None else
                                   "could not be placed (the search gave up) on the other hosts of ") + cluster)
        return idx
    result.drain = [_vm_move(vm, drain, packing[vm["name"]], "drain") for vm in vms]
    changed = dict(design)
    changed["hosts"] = [h for h in design["hosts"] if h.get("name") != drain]
    changed["vms"] = [dict(vm, host=packing[vm["name"]]) if vm.get("host") == drain else vm for vm in design["vms"]]
    changed["failover_plans"] = [p for p in design.get("failover_plans") or [] if p.get("cluster") != cluster]
    return usable_index(changed)


def _least_loaded(idx: DesignIndex, vms: list[dict], residual: dict[str, tuple]) -> dict | None:
    """Largest VM first, each on the host whose fuller resource (vCPU or memory) is least used after."""
    free = {h: list(r) for h, r in residual.items()}
    out = {}
    for vm in sorted(vms, key=lambda v: (-v["vcpu"], -v["memory_gb"], v["name"])):
        need = (vm["vcpu"], vm["memory_gb"], vm.get("storage_gb") or 0)
        best, best_key = None, None
        for h in free:
            if any(need[d] > free[h][d] + EPS for d in range(len(free[h]))):
                continue
            cap = idx.capacity(h)
            key = max((cap[d] - free[h][d] + need[d]) / cap[d] for d in (0, 1) if cap[d])
            if best_key is None or key < best_key - EPS:
                best, best_key = h, key
        if best is None:
            return None
        out[vm["name"]] = best
        for d in range(len(free[best])):
            free[best][d] -= need[d]
    return out


def _fail(idx: DesignIndex, cluster: str, failed: list[str], drained: bool) -> ClusterImpact:
    """One cluster's scenario: the design's plan when it covers it exactly, else the search."""
    down = frozenset(failed)
    plan = next((p["restarts"] for p in idx.plans if p["cluster"] == cluster and frozenset(p["failed"]) == down), None)
    note = ""
    result = check_scenario(idx, cluster, down, plan)
    if plan is not None and result.status == "violation":
        note = f"the design's failover plan is wrong ({result.finding.message}); the restart search decides"
        result = check_scenario(idx, cluster, down)
    elif plan is None:
        note = "no failover plan in the design covers this scenario" + (" (a host is drained)" if drained else "") \
            + "; the restart search decides"
    affected = [vm for h in sorted(down) for vm in idx.vms_on[h]]
    via = "failover plan" if result.status == "certified" else "restart search"
    if result.restarts is not None:
        moves = [_vm_move(vm, vm["host"], result.restarts[vm["name"]], via) for vm in affected]
    else:
        moves = _partial(idx, cluster, down, affected)
        if all(m.to for m in moves):  # the stepwise search found what the full one gave up on
            return ClusterImpact(cluster, sorted(down), "searched", moves, note)
        note = (note + "; " if note else "") + result.finding.message
    return ClusterImpact(cluster, sorted(down), result.status, moves, note)


def _partial(idx: DesignIndex, cluster: str, down: frozenset, affected: list[dict]) -> list[Move]:
    """When not all VMs restart, name those that do not, with the same restart search: the longest
    run of VMs, largest first, that it restarts together (a binary search), then each other VM
    that it still places on what is left; the rest cannot restart."""
    residual = {h: idx.residual(h) for h in idx.members[cluster] if h not in down}
    order = sorted(affected, key=lambda v: (-v["vcpu"], -v["memory_gb"], v["name"]))
    lo, hi, packing = 0, len(order), {}
    while hi - lo > 1:  # the first lo VMs restart together, the first hi do not
        mid = (lo + hi) // 2
        trial = find_restart_packing(order[:mid], residual, node_limit=PARTIAL_NODE_LIMIT)
        if isinstance(trial, dict):
            lo, packing = mid, trial
        else:
            hi = mid
    free = {h: list(r) for h, r in residual.items()}
    for vm in order[:lo]:
        _take(free[packing[vm["name"]]], vm)
    for vm in order[lo:]:
        one = find_restart_packing([vm], {h: tuple(f) for h, f in free.items()})
        if isinstance(one, dict):
            packing[vm["name"]] = one[vm["name"]]
            _take(free[one[vm["name"]]], vm)
    return [_vm_move(vm, vm["host"], packing.get(vm["name"]), "restart search") for vm in affected]


def _take(free: list, vm: dict) -> None:
    for d, x in enumerate((vm["vcpu"], vm["memory_gb"], vm.get("storage_gb") or 0)[:len(free)]):
        free[d] -= x


def _usage(before: DesignIndex, after: DesignIndex, result: WhatIf) -> list[Usage]:
    """Utilisation of every surviving host of the clusters touched, before and after."""
    added: dict[str, list[float]] = {}
    count: dict[str, int] = {}
    for impact in result.clusters:
        for m in impact.moves:
            if m.to:
                a = added.setdefault(m.to, [0.0, 0.0])
                a[0] += m.vcpu
                a[1] += m.memory_gb
                count[m.to] = count.get(m.to, 0) + 1
    touched = [c.cluster for c in result.clusters]
    if result.drained and before.hosts[result.drained]["cluster"] not in touched:
        touched.append(before.hosts[result.drained]["cluster"])
    down = set(result.failed) | {result.drained}
    rows = []
    for cluster in touched:
        for host in after.members[cluster]:
            if host in down:
                continue
            cap = after.capacity(host)
            now, extra = after.load[host], added.get(host, [0.0, 0.0])
            rows.append(Usage(host, cluster, (before.load[host][0], now[0] + extra[0], cap[0]),
                              (before.load[host][1], now[1] + extra[1], cap[1]),
                              (len(before.vms_on[host]), len(after.vms_on[host]) + count.get(host, 0))))
    return rows
