"""Solver-agnostic checks of the per-host rules in ``design.json`` (standard library only):

  anti-affinity   grouped VMs never share a host / fault domain; a spread group (``max_per_host``)
                  has at most that many members on one host
  role-per-host   at most ``role_rules[].max_per_host`` VMs of the role on one host (HNV gateways: 4)
  dedicated-host  a host running a ``role_rules[].dedicated`` role runs no other role

The role rules hold after a failure too: validate.py checks each failover plan's survivors with
:func:`restart_role_problems` and gives its restart search the rules as extra resources (:func:`role_room`).
Anti-affinity and spread groups hold in normal running only.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

INF = math.inf


def _finding(rule: str, subject: str, message: str) -> tuple[str, str, str]:
    """A finding as (rule, subject, message): validate.py makes it a Finding."""
    return rule, subject, message


def _is_cap(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 1


def _entries(design, key: str) -> list[dict]:
    """The objects of design[key] that have a text `name` or `role` (malformed ones are the format rule's)."""
    raw = design.get(key) if isinstance(design, dict) else None
    return [e for e in raw if isinstance(e, dict) and isinstance(e.get("name", e.get("role")), str)] \
        if isinstance(raw, list) else []


def check_anti_affinity(idx, design) -> list:
    """Rule "anti-affinity": VMs of one group never share a host (or fault domain, by scope), or at most
    `max_per_host` of a spread group share one host. A group not listed has scope "host"."""
    caps = {g["name"]: g.get("max_per_host") for g in _entries(design, "anti_affinity_groups")}
    together = defaultdict(list)  # (group, scope, place) -> VM names
    for host, vms in idx.vms_on.items():
        for vm in vms:
            group = vm.get("anti_affinity_group")
            if group is not None:
                scope = idx.scope.get(group, "host")
                place = host if scope == "host" else idx.hosts[host]["fault_domain"]
                together[(group, scope, place)].append(vm["name"])
    out = []
    for (group, scope, place), names in together.items():
        cap = caps.get(group) if _is_cap(caps.get(group)) else 1
        if len(names) > cap:
            most = "share" if cap == 1 else f"exceed the group's {cap} per host on"
            out.append(_finding("anti-affinity", group, f"VMs {', '.join(names)} {most} {scope.replace('_', ' ')} "
                                                        f"{place}"))
    return out


def role_rules_of(design) -> list[dict]:
    """design.json's role_rules entries that name a role."""
    return [r for r in _entries(design, "role_rules") if isinstance(r.get("role"), str)]


def restart_role_problems(idx, moved: dict[str, tuple]) -> list[str]:
    """The role rules on each host that VMs restart on (`moved`: host -> the roles of those VMs): its own VMs per
    role (idx.role_counts), plus the restarted ones; skipped where no rule's role runs."""
    watched, out = {r["role"] for r in idx.role_rules}, []
    for host in sorted(moved) if watched else ():
        if watched.isdisjoint(moved[host]) and watched.isdisjoint(idx.role_counts[host]):
            continue
        roles = idx.role_counts[host] + Counter(moved[host])
        out += [f"breaks {rule} on {host} ({text})" for rule, text in role_count_problems(idx.role_rules, roles)]
    return out


def role_count_problems(rules: list[dict], roles: Counter) -> list[tuple[str, str]]:
    """(rule, text) for each role rule that a host running `roles` (VMs per role) breaks: "role-per-host",
    "dedicated-host"."""
    out = []
    for r in rules:
        role, cap = r["role"], r.get("max_per_host")
        if _is_cap(cap) and roles[role] > cap:
            out.append(("role-per-host", f"{roles[role]} {role} VMs > {cap} per host"))
        if r.get("dedicated") is True and roles[role] and len(roles) > 1:
            others = ", ".join(sorted(str(x) for x in roles if x != role))
            out.append(("dedicated-host", f"runs {role} beside {others}; its hosts are dedicated to it"))
    return out


def check_role_rules(idx) -> list:
    """Rules "role-per-host" and "dedicated-host" from design.json's role_rules (idx.role_rules)."""
    return [_finding(rule, host, text) for host in idx.vms_on if idx.role_rules
            for rule, text in role_count_problems(idx.role_rules, idx.role_counts[host])]


def role_room(rules: list[dict], vms: list[dict]) -> tuple:
    """The role rules as extra resources of a surviving host running `vms`, for the restart search: per
    max_per_host, the VMs of the role it still takes; per dedicated role, room for the role's VMs (none
    once the host runs another role) and for other VMs (none once it runs the role). An empty host has
    room for both: a packing mixing them there is caught by restart_role_problems afterwards."""
    roles = Counter(vm.get("role") for vm in vms)
    out: list[float] = []
    for r in rules:
        if _is_cap(r.get("max_per_host")):
            out.append(max(0, r["max_per_host"] - roles[r["role"]]))
        if r.get("dedicated") is True:
            out += [0 if set(roles) - {r["role"]} else INF, 0 if roles[r["role"]] else INF]
    return tuple(out)


def role_need(rules: list[dict], vm: dict) -> tuple:
    """A VM's use of the extra resources of :func:`role_room`."""
    mine = [r["role"] == vm.get("role") for r in rules]
    out: list[int] = []
    for r, is_mine in zip(rules, mine):
        if _is_cap(r.get("max_per_host")):
            out.append(int(is_mine))
        if r.get("dedicated") is True:
            out += [int(is_mine), int(not is_mine)]
    return tuple(out)
