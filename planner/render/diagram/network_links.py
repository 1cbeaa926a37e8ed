"""Which hosts and VMs attach to which network, for the network view."""
from __future__ import annotations

from planner.catalog import load_catalog, role_order
from planner.ipplan import Subnet, endpoints, subnets
from planner.render.design_index import Facts, natural


def attachments(facts: Facts) -> dict[str, dict[str, list[str]]]:
    """network -> {"clusters": [...], "groups": [...]} for every network of the IP plan, in its order:
    what the IP plan gives an address on it (ipplan.endpoints), nothing more (once per index)."""
    return facts.memo(attachments, lambda: _attachments(facts))


def _attachments(facts: Facts) -> dict[str, dict[str, list[str]]]:
    owners = {net: {owner for _, owner in items} for net, items in plan_endpoints(facts).items()}
    owned = {name: _owner_names(facts, name, vms) for name, vms in vm_groups(facts).items()}
    result: dict[str, dict[str, list[str]]] = {}
    for net, on in owners.items():
        clusters = [c.name for c in facts.clusters if any(h.name in on for h in facts.hosts.get(c.name, []))]
        result[net] = {"clusters": clusters, "groups": [g for g, names in owned.items() if names & on]}
    return result


def plan_endpoints(facts: Facts) -> dict[str, list[tuple[str, str]]]:
    """ipplan.endpoints of the design, once per index."""
    return facts.memo(endpoints, lambda: endpoints(facts.design))


def plan_subnets(facts: Facts) -> dict[str, Subnet]:
    """ipplan.subnets of the design, once per index."""
    return facts.memo(subnets, lambda: subnets(facts.design))


def _owner_names(facts: Facts, group: str, vms: list) -> set[str]:
    """The names the IP plan gives addresses to for a group: its VMs, or its load balancers and listeners."""
    stamp = group.split("/")[0]
    if group.endswith("/vips"):
        return ({lb.name for lb in facts.design.load_balancers if lb.stamp == stamp}
                | {s.listener for s in facts.design.sql_instances if s.stamp == stamp and s.listener})
    return {vm.name for vm in vms}


def vm_groups(facts: Facts) -> dict[str, list]:
    """stamp/vms (management VMs), stamp/dmz (the tenant-facing tier), stamp/gateways (HNV gateways),
    stamp/vips (VIPs and listeners: no VMs)."""
    groups: dict[str, list] = {}
    facing = load_catalog().tenant_facing()
    for stamp in facts.design.stamps:
        roles = facts.role_vms(stamp.name)
        for kind, keep in (("vms", lambda r: r not in facing), ("dmz", lambda r: r in facing)):
            vms = [vm for role, members in roles.items() if role != "hnv-gateway" and keep(role) for vm in members]
            if vms:
                groups[f"{stamp.name}/{kind}"] = sorted(vms, key=lambda v: (role_order(v.role), natural(v.name)))
        if roles.get("hnv-gateway"):
            groups[f"{stamp.name}/gateways"] = roles["hnv-gateway"]
        if any(lb.stamp == stamp.name for lb in facts.design.load_balancers) or any(
                s.listener for s in facts.design.sql_instances if s.stamp == stamp.name):
            groups[f"{stamp.name}/vips"] = []
    return groups
