"""Which hosts and VMs attach to which network, for the network view."""
from __future__ import annotations

from planner.catalog import load_catalog, role_order
from planner.ipplan import endpoints
from planner.render.design_index import Facts, natural
from planner.render.theme import NETWORKS


def attachments(facts: Facts) -> dict[str, dict[str, list[str]]]:
    """network -> {"clusters": [...], "groups": [...]} for every network the stamp uses.

    A network the requirements give attaches what the IP plan gives an address on it; one they
    leave out is drawn with the usual attachments."""
    design = facts.design
    given = {name for name, net in (design.requirements.get("networks") or {}).items() if net}
    usual = _usual_networks(facts)
    owners = {net: {owner for _, owner in items} for net, items in endpoints(design).items()}
    owned = {name: _owner_names(facts, name, vms) for name, vms in vm_groups(facts).items()}
    result: dict[str, dict[str, list[str]]] = {}
    for net in NETWORKS:
        if net in given:
            on = owners.get(net, set())
            clusters = [c.name for c in facts.clusters if any(h.name in on for h in facts.hosts.get(c.name, []))]
            members = [g for g, names in owned.items() if names & on]
        elif net in usual:
            clusters = [c.name for c in facts.clusters if c.purpose in usual[net]]
            members = [g for g in owned if net in _usual_group_networks(facts, g)]
        else:
            continue
        result[net] = {"clusters": clusters, "groups": members}
    return result


def _usual_networks(facts: Facts) -> dict[str, tuple[str, ...]]:
    """Networks a stamp has whether or not the requirements give them -> purposes of the clusters on them."""
    req = facts.design.requirements
    roles = {vm.role for vm in facts.managed}
    every = ("management", "edge", "compute")
    usual = {"management": every, "cluster": every, "live_migration": every}
    if (req.get("hardware", {}).get("shared_storage") or {}).get("type") != "local":
        usual["storage"] = every
    if req.get("tenants", {}).get("networking", "nvgre") != "vlan" and "hnv-gateway" in roles:
        usual["provider_address"] = ("edge", "compute")
    if roles & {"hnv-gateway", *load_catalog().tenant_facing()}:
        usual["external"] = ()
    return usual


def _usual_group_networks(facts: Facts, group: str) -> set[str]:
    stamp, kind = group.split("/")
    if kind == "vms":
        return {"management"}
    if kind == "gateways":
        return {"management", "provider_address", "external"}
    lbs = [lb for lb in facts.design.load_balancers if lb.stamp == stamp]
    listener = any(s.listener for s in facts.design.sql_instances if s.stamp == stamp)
    facing = load_catalog().tenant_facing()
    return ({"management"} if listener or any(lb.role not in facing for lb in lbs) else set()) | (
        {"external"} if any(lb.role in facing for lb in lbs) else set())


def _owner_names(facts: Facts, group: str, vms: list) -> set[str]:
    """The names the IP plan gives addresses to for a group: its VMs, or its load balancers and listeners."""
    stamp = group.split("/")[0]
    if group.endswith("/vips"):
        return ({lb.name for lb in facts.design.load_balancers if lb.stamp == stamp}
                | {s.listener for s in facts.design.sql_instances if s.stamp == stamp and s.listener})
    return {vm.name for vm in vms}


def vm_groups(facts: Facts) -> dict[str, list]:
    """stamp/vms (management VMs), stamp/gateways (HNV gateways), stamp/vips (VIPs and listeners: no VMs)."""
    groups: dict[str, list] = {}
    for stamp in facts.design.stamps:
        roles = facts.role_vms(stamp.name)
        vms = [vm for role, members in roles.items() if role != "hnv-gateway" for vm in members]
        if vms:
            groups[f"{stamp.name}/vms"] = sorted(vms, key=lambda v: (role_order(v.role), natural(v.name)))
        if roles.get("hnv-gateway"):
            groups[f"{stamp.name}/gateways"] = roles["hnv-gateway"]
        if any(lb.stamp == stamp.name for lb in facts.design.load_balancers) or any(
                s.listener for s in facts.design.sql_instances if s.stamp == stamp.name):
            groups[f"{stamp.name}/vips"] = []
    return groups
