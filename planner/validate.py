"""Solver-agnostic checker: proves a stampplan design sound from ``design.json`` alone.

Written from the public contract (``design-format.md``) only, and importing nothing but
the standard library (and validate_search.py, its restart search), so that a reviewer need not
trust the solver. Rules (``Finding.rule``):

  format, unique-names, reference   the file is well formed (validate_format.py) and self-consistent
  host-capacity, host-storage       no host carries more than it may
  cluster-storage                   a cluster's shared storage holds its VMs
  anti-affinity                     grouped VMs never share a host / fault domain (spread groups:
                                    at most max_per_host on one host)
  role-per-host, dedicated-host     role_rules: VMs of a role per host; hosts dedicated to a role
  failover                          every failure scenario can restart its VMs (within the role rules)
  failover-certificate              every failover plan given is correct (within the role rules)
  stamp-limits, spf-stamps          each stamp within one VMM server's maxima, <= 5 stamps per SPF
  cost, growth                      the term cost is true (validate_cost.py); the growth schedule adds up
  cluster-limits, vmm-cores         Hyper-V cluster maxima (64 hosts, 8 000 VMs); VMM's minimum cores
"""
from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from planner.validate_cost import check_cost
from planner.validate_format import check_format, check_unique_names
from planner.validate_growth import check_growth
from planner.validate_roles import (check_anti_affinity, check_role_rules, restart_role_problems, role_need, role_room,
                                    role_rules_of)
from planner.validate_search import EPS, INF, UNDECIDED, restart_search, vm_demand
from planner.validate_stamps import check_stamps

MAX_SCENARIOS = 1_000_000  # more k-subsets than this in one cluster are not enumerated
# The checker's own restart search, per design (scenarios with a failover plan are only verified, never
# searched). Beyond either bound the remaining scenarios are undecided, so validate ends in seconds:
MAX_SEARCHED = 50_000      # failure scenarios without a failover plan searched
SEARCH_NODES = 400_000     # search nodes in all


@dataclass(frozen=True)
class Finding:
    """One problem: the rule broken, what it is about, and a sentence with the figures."""
    rule: str
    subject: str
    message: str


@dataclass
class Verdict:
    """Outcome of :func:`validate_design`."""
    violations: list[Finding] = field(default_factory=list)
    undecided: list[Finding] = field(default_factory=list)
    scenarios: int = 0   # failure scenarios examined
    certified: int = 0   # proven by a correct failover_plans certificate
    searched: int = 0    # proven by the checker's own restart search

    @property
    def sound(self) -> bool:
        """No violation, and every failure scenario proven."""
        return not self.violations and not self.undecided


# ----------------------------------------------------------------- index ----

@dataclass
class DesignIndex:
    """The well-formed entries by name, with each host's load computed once."""
    stamps: dict[str, dict]
    clusters: dict[str, dict]
    hosts: dict[str, dict]
    vms: dict[str, dict]
    scope: dict[str, str]                   # anti-affinity group -> "host" | "fault_domain"
    members: dict[str, list[str]]           # cluster -> its hosts, in file order
    vms_on: dict[str, list[dict]]           # host -> the VMs placed on it
    load: dict[str, tuple]                  # host -> (vcpu, memory, storage) placed on it
    plans: list[dict]
    free: dict[str, tuple] = field(default_factory=dict)  # host -> residual(host), filled as asked
    role_counts: dict[str, Counter] = field(default_factory=dict)  # host -> its VMs per role
    role_rules: list[dict] = field(default_factory=list)  # design.json's role_rules (after failures too)
    restart_items: dict[str, dict] = field(default_factory=dict)  # host -> {VM name: (vcpu, memory, storage, role)}
    caps: dict[str, tuple] = field(default_factory=dict)  # host -> capacity(host), filled as asked

    def capacity(self, host: str) -> tuple:
        """(vcpu_capacity, usable_memory_gb, usable_storage_gb or infinity), computed once."""
        if host not in self.caps:
            h = self.hosts[host]
            storage = h.get("usable_storage_gb")
            self.caps[host] = h["vcpu_capacity"], h["usable_memory_gb"], INF if storage is None else storage
        return self.caps[host]

    def residual(self, host: str) -> tuple:
        """Free capacity: (vcpu, memory), plus storage where the host lists usable_storage_gb
        (computed once: the index is not changed after :func:`index_design`)."""
        if host not in self.free:
            free = tuple(c - u for c, u in zip(self.capacity(host), self.load[host]))
            self.free[host] = free if self.hosts[host].get("usable_storage_gb") is not None else free[:2]
        return self.free[host]


def index_design(design) -> tuple[DesignIndex, list[Finding]]:
    """Rules "format", "unique-names" and "reference"; returns the index and the findings."""
    entries, found = check_format(design)
    findings = [Finding(*f) for f in found + check_unique_names(entries)]
    first = {kind: {} for kind in entries}
    for kind in ("stamps", "clusters", "hosts", "vms", "anti_affinity_groups"):
        for e in entries[kind]:
            first[kind].setdefault(e["name"], e)
    idx = DesignIndex(first["stamps"], first["clusters"], first["hosts"], first["vms"],
                      {g["name"]: g["scope"] for g in first["anti_affinity_groups"].values()},
                      {c: [] for c in first["clusters"]}, {h: [] for h in first["hosts"]}, {},
                      entries["failover_plans"], role_rules=role_rules_of(design))
    for name, host in idx.hosts.items():
        if host["cluster"] in idx.members:
            idx.members[host["cluster"]].append(name)
    for vm in entries["vms"]:
        if vm["host"] in idx.vms_on:
            idx.vms_on[vm["host"]].append(vm)
    for host, vms in idx.vms_on.items():  # each VM's figures read once: the load, the roles, the failover plans
        rows = [(*vm_demand(vm), vm.get("role")) for vm in vms]
        vcpu, memory, storage, roles = zip(*rows) if rows else ((),) * 4
        idx.load[host], idx.role_counts[host] = (sum(vcpu), sum(memory), sum(storage)), Counter(roles)
        idx.restart_items[host] = dict(zip([vm["name"] for vm in vms], rows))  # the last of a name wins
    return idx, findings + check_references(entries, idx)


def check_references(entries, idx: DesignIndex) -> list[Finding]:
    """Rule "reference": every stamp, cluster, host and VM named elsewhere exists."""
    f = [Finding("reference", c["name"], f"cluster {c['name']} names unknown stamp {c['stamp']}")
         for c in entries["clusters"] if c["stamp"] not in idx.stamps]
    f += [Finding("reference", h["name"], f"host {h['name']} names unknown cluster {h['cluster']}")
          for h in entries["hosts"] if h["cluster"] not in idx.clusters]
    f += [Finding("reference", v["name"], f"VM {v['name']} names unknown host {v['host']}")
          for v in entries["vms"] if v["host"] not in idx.hosts]
    f += [Finding("reference", s["name"], f"stamp {s['name']} lists unknown VMM VM {vm}")
          for s in entries["stamps"] for vm in s["vmm_vms"] if vm not in idx.vms]
    return f


# ------------------------------------------------------------- capacity ----

_DIMS = (("vCPU", "", "capacity"), ("memory", " GB", "usable"), ("storage", " GB", "usable storage"))


def _fmt(x) -> str:
    return str(int(x)) if x == int(x) else f"{x:.2f}".rstrip("0").rstrip(".")


def _excess(idx: DesignIndex, host: str, extra=(0, 0, 0)) -> list[tuple[int, str]]:
    """The dimensions (0 vcpu, 1 memory, 2 storage) in which the host's VMs plus `extra`
    exceed its capacity, each with a text such as "vCPU 70 > capacity 64"."""
    used, cap = [u + x for u, x in zip(idx.load[host], extra)], idx.capacity(host)
    return [(d, _over(d, used[d], cap[d])) for d in range(3) if used[d] > cap[d] + EPS]


def _over(d: int, used, cap) -> str:
    label, unit, what = _DIMS[d]
    return f"{label} {_fmt(used)}{unit} > {what} {_fmt(cap)}{unit}"


def check_host_capacity(idx: DesignIndex) -> list[Finding]:
    """Rules "host-capacity" (vCPU, memory) and "host-storage" (where the host lists storage)."""
    return [Finding("host-storage" if d == 2 else "host-capacity", host, text)
            for host in idx.hosts for d, text in _excess(idx, host)]


def check_cluster_storage(idx: DesignIndex) -> list[Finding]:
    """Rule "cluster-storage": VMs on hosts without local storage fit the cluster's shared storage."""
    findings = []
    for name, cluster in idx.clusters.items():
        shared = [h for h in idx.members[name] if idx.hosts[h].get("usable_storage_gb") is None]
        if not shared:
            continue
        used, cap = sum(idx.load[h][2] for h in shared), cluster.get("shared_storage_gb")
        if cap is None:
            findings.append(Finding("cluster-storage", name, f"hosts {', '.join(shared)} have no usable_storage_gb "
                                                             f"and the cluster gives no shared_storage_gb"))
        elif used > cap + EPS:
            findings.append(Finding("cluster-storage", name, f"storage {_fmt(used)} GB > shared storage {_fmt(cap)} GB"))
    return findings


# -------------------------------------------------------------- failover ----

def cluster_scenarios(idx: DesignIndex, name: str) -> tuple[list[frozenset], list[Finding], list[Finding]]:
    """The failure scenarios of one cluster: every set of k hosts and, with fault_domain_tolerance,
    every whole fault domain. Returns (scenarios, violations, undecided): a promise no host would
    survive is a violation; too many k-subsets to enumerate is undecided."""
    cluster, hosts = idx.clusters[name], idx.members[name]
    k, has_vms = cluster["failures_tolerated"], any(idx.vms_on[h] for h in hosts)
    scenarios, violations, undecided = [], [], []
    if 0 < k and k >= len(hosts):
        if has_vms:
            violations.append(Finding("failover", name, f"tolerates {k} host failures but has only {len(hosts)} hosts"))
    elif k > 0 and math.comb(len(hosts), k) > MAX_SCENARIOS:
        undecided.append(Finding("failover", name, f"{math.comb(len(hosts), k)} scenarios of {k} failed hosts "
                                                   f"exceed the checker's limit of {MAX_SCENARIOS}"))
    elif k > 0:
        scenarios = [frozenset(c) for c in itertools.combinations(hosts, k)]
    if cluster.get("fault_domain_tolerance"):
        domains = defaultdict(list)
        for h in hosts:
            domains[idx.hosts[h]["fault_domain"]].append(h)
        if len(domains) > 1:
            scenarios += [frozenset(d) for d in domains.values()]
        elif has_vms:
            violations.append(Finding("failover", name, "promises fault-domain tolerance but spans one fault domain"))
    return list(dict.fromkeys(scenarios)), violations, undecided


def scenario_name(cluster: str, failed) -> str:
    """The subject of a scenario's findings, e.g. "MGMT01 fails {MGMT01-H01,MGMT01-H02}"."""
    return f"{cluster} fails {{{','.join(sorted(failed))}}}"


class ScenarioResult(NamedTuple):
    """Outcome of :func:`check_scenario`."""
    status: str              # "certified", "searched", "violation" or "undecided"
    restarts: dict | None    # vm -> host: the verified certificate or the packing found
    finding: Finding | None  # why not proven ("failover" or "failover-certificate")
    nodes: int = 0           # search nodes spent


def certificate_problems(idx: DesignIndex, cluster: str, failed, restarts: dict) -> list[str]:
    """Linear-time check of one certificate: exactly the failed hosts' VMs restart, each on a survivor of the
    cluster, and no survivor ends over capacity nor breaks a role rule."""
    affected: dict[str, tuple] = {}  # VM name -> (vcpu, memory, storage, role)
    for host in sorted(failed):
        affected.update(idx.restart_items.get(host, {}))
    survivors = set(idx.members.get(cluster, [])) - set(failed)
    problems, moved = [], defaultdict(list)
    try:  # the usual case first: every failed VM restarts, each on a survivor
        for vm, target in restarts.items():
            moved[target].append(affected[vm])
        usual = len(restarts) == len(affected) and survivors.issuperset(moved)
    except KeyError:
        usual = False
    if not usual:
        problems, moved = _mismatches(cluster, affected, survivors, restarts)
    roles, overloads = {}, []
    for host in sorted(moved):
        vcpu, memory, storage, roles[host] = zip(*moved[host])
        overloads += [f"overloads {host} ({text})" for _, text in _excess(idx, host, (sum(vcpu), sum(memory),
                                                                                      sum(storage)))]
    return problems + overloads + restart_role_problems(idx, roles)  # the role rules hold too


def _mismatches(cluster: str, affected: dict, survivors: set, restarts: dict) -> tuple[list[str], dict]:
    """A certificate's problems of names: VMs not restarted, restarted but on no failed host, restarted off the
    survivors; and the other restarts by target host (host -> VMs as in `affected`)."""
    problems = [f"does not restart {vm}" for vm in affected if vm not in restarts]
    moved, misplaced = defaultdict(list), []
    for vm, target in restarts.items():
        item = affected.get(vm)
        if item is None:
            problems.append(f"restarts {vm}, which ran on no failed host")
        elif target in survivors:
            moved[target].append(item)
        else:
            misplaced.append(f"restarts {vm} onto {target}, which is not a surviving host of {cluster}")
    return problems + misplaced, moved


def check_scenario(idx: DesignIndex, cluster: str, failed, restarts: dict | None = None,
                   *, node_limit: int = 200_000) -> ScenarioResult:
    """Evaluate ONE failure scenario: hosts `failed` of `cluster` are lost at once.
    With a certificate (`restarts`, vm -> host) it is verified and never searched; without one
    the restart search decides. The role rules hold after a failure; anti-affinity (spread groups too) does not."""
    subject = scenario_name(cluster, failed)
    if restarts is not None:
        problems = certificate_problems(idx, cluster, failed, restarts)
        if problems:
            shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
            return ScenarioResult("violation", None, Finding("failover-certificate", subject, f"the failover plan {shown}"))
        return ScenarioResult("certified", dict(restarts), None)
    affected = [vm for h in sorted(failed) for vm in idx.vms_on.get(h, [])]
    residual = {h: idx.residual(h) for h in idx.members.get(cluster, []) if h not in failed}
    room = {h: role_room(idx.role_rules, idx.vms_on[h]) for h in residual}
    packing, nodes = restart_search(affected, residual, node_limit, room, lambda vm: role_need(idx.role_rules, vm))
    if isinstance(packing, dict) and certificate_problems(idx, cluster, failed, packing):  # mixed on an empty host
        packing = UNDECIDED
    if packing == UNDECIDED:
        return ScenarioResult("undecided", None, Finding("failover", subject, f"the restart search for {len(affected)} "
                                                         f"VM(s) gave up after {node_limit} search nodes"), nodes)
    if packing is None:
        need = [sum(vm_demand(vm)[d] for vm in affected) for d in (0, 1)]
        free = [sum(max(0, r[d]) for r in residual.values()) for d in (0, 1)]
        return ScenarioResult("violation", None, Finding(
            "failover", subject, f"no packing restarts the {len(affected)} VM(s) of the failed hosts (vCPU {_fmt(need[0])}, "
            f"memory {_fmt(need[1])} GB) on the survivors (free vCPU {_fmt(free[0])}, memory {_fmt(free[1])} GB)"),
            nodes)
    return ScenarioResult("searched", packing, None, nodes)


def check_failover(idx: DesignIndex, verdict: Verdict, node_limit: int) -> None:
    """Rules "failover" and "failover-certificate": examine every scenario of every cluster."""
    certs = {}
    for i, plan in enumerate(idx.plans):
        subject, cluster, failed = f"failover_plans[{i}]", plan["cluster"], frozenset(plan["failed"])
        if cluster not in idx.clusters:
            problem = f"names unknown cluster {cluster}"
        elif not failed <= set(idx.members[cluster]):
            problem = f"fails {', '.join(sorted(failed - set(idx.members[cluster])))}, not hosts of {cluster}"
        elif (cluster, failed) in certs:
            problem = f"repeats the plan for {scenario_name(cluster, failed)}"
        else:
            certs[(cluster, failed)] = plan["restarts"]
            continue
        verdict.violations.append(Finding("failover-certificate", subject, f"the plan {problem}"))
    searched, nodes_left = 0, SEARCH_NODES
    for name in idx.clusters:
        scenarios, violations, undecided = cluster_scenarios(idx, name)
        verdict.violations += violations
        verdict.undecided += undecided
        skipped = 0
        for failed in scenarios:
            certificate = certs.pop((name, failed), None)
            if certificate is None and (searched >= MAX_SEARCHED or nodes_left <= 0):
                skipped += 1
                continue
            result = check_scenario(idx, name, failed, certificate, node_limit=min(node_limit, nodes_left))
            searched += certificate is None
            nodes_left -= result.nodes
            verdict.scenarios += 1
            verdict.certified += result.status == "certified"
            verdict.searched += result.status == "searched"
            if result.finding:
                (verdict.undecided if result.status == "undecided" else verdict.violations).append(result.finding)
        if skipped:
            verdict.undecided.append(Finding("failover", name, f"{skipped:,} failure scenario(s) without a failover plan "
                                             f"were not examined: the checker searches at most {MAX_SEARCHED:,} "
                                             f"scenarios and {SEARCH_NODES:,} search nodes per design"))
    verdict.violations += [Finding("failover-certificate", scenario_name(c, failed),
                                   f"the plan is for no failure scenario of {c} (k={idx.clusters[c]['failures_tolerated']})")
                           for c, failed in certs]


def validate_design(design: dict, *, search_node_limit: int = 200_000) -> Verdict:
    """Check every rule of the contract; never raises, whatever the input."""
    idx, findings = index_design(design)
    version = design.get("system_center") if isinstance(design, dict) else None
    findings += [Finding(*f) for f in check_stamps(idx.stamps, idx.clusters, idx.members, idx.vms_on, version)
                 + check_cost(design) + check_growth(design)]
    verdict = Verdict(findings + check_host_capacity(idx) + check_cluster_storage(idx)
                      + [Finding(*f) for f in check_anti_affinity(idx, design) + check_role_rules(idx)])
    check_failover(idx, verdict, search_node_limit)
    return verdict
