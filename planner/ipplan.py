"""The IP plan: the networks a design needs (declared, or carved from `networks.supernet`) and an address on
them for every host NIC, management VM, cluster and guest-cluster name, SQL listener and load-balancer VIP."""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field
from typing import Any

from planner.catalog import load_catalog
from planner.errors import InputError
from planner.model.memo import per_design

# Every network a design may need, in carving and drawing order; the host NICs among them.
NETWORK_ORDER = ("management", "cluster", "live_migration", "storage", "provider_address", "dmz", "external")
HOST_NICS = ("management", "cluster", "live_migration", "storage", "provider_address")
RESERVED_AT_START = 1  # the first usable address is left for the subnet's router
CARVE_HEADROOM = 2     # a carved subnet holds twice the addresses the plan needs (growth)
SMALLEST_CARVE = 28    # and is never smaller than a /28
WHY = {"management": "every host, cluster, management VM and internal VIP",
       "cluster": "every host's cluster NIC", "live_migration": "every host's live-migration NIC",
       "storage": "every host's storage NIC (shared storage)",
       "provider_address": "NVGRE provider addresses of the compute and gateway hosts and gateway back ends",
       "dmz": "the tenant-facing VMs (behind the firewall)",
       "external": "the public VIPs of the tenant-facing tier and the HNV gateway front ends"}


@dataclass(frozen=True)
class Address:
    network: str   # key under `networks` in the requirements
    cidr: str
    vlan: int | None
    address: str
    kind: str      # host-nic | vm | cluster-name | clustered-role | sql-listener | vip | gateway-front | gateway-back
    owner: str     # host, VM, cluster, clustered role, listener or load balancer name


@dataclass(frozen=True)
class Subnet:
    name: str
    cidr: ipaddress.IPv4Network
    vlan: int | None
    carved: bool   # carved from networks.supernet, not declared


@dataclass(frozen=True)
class GuestCluster:
    """A failover cluster of VMs: its name, nodes, clustered role name (a second address) and witness."""

    name: str
    role: str
    nodes: tuple[str, ...]
    role_name: str | None
    witness: str


@dataclass(frozen=True)
class Slot:
    """A host before placement: what the pre-solve IP check counts."""

    name: str
    cluster: str


@dataclass
class Layout:
    """The parts of a design the IP plan reads; a Design is one, and so is a sized stamp before the solve."""

    requirements: dict
    clusters: list
    hosts: list
    vms: list
    sql_instances: list
    load_balancers: list
    failover_plans: list = field(default_factory=list)


@per_design
def guest_clusters(design: Any) -> list[GuestCluster]:
    """Guest clusters of the roles that form them: one per anti-affinity group (a stamp's VMs, or a pair)."""
    roles = load_catalog().roles
    seen: dict[str, list[str]] = {}
    role_of: dict[str, str] = {}  # group -> its first VM's role
    for vm in design.vms:
        spec = roles.get(vm.role)
        if spec and spec.guest_cluster and vm.anti_affinity_group:
            seen.setdefault(vm.anti_affinity_group, []).append(vm.name)
            role_of.setdefault(vm.anti_affinity_group, vm.role)
    result, numbers = [], {}
    for group, nodes in seen.items():
        role = role_of[group]
        base = nodes[0].rstrip("0123456789")  # S02VMM01 -> S02VMM
        numbers[base] = numbers.get(base, 0) + 1
        spec = roles[role].guest_cluster
        stamp = base.removesuffix(roles[role].prefix)
        result.append(GuestCluster(name=f"{base}CL{numbers[base]:02d}", role=role, nodes=tuple(nodes),
                                   role_name=f"{stamp}{spec.role_name}" if spec.role_name else None,
                                   witness=spec.witness))
    return result


@per_design
def endpoints(design: Any) -> dict[str, list[tuple[str, str]]]:
    """Per network the design needs (NETWORK_ORDER), the (kind, owner) pairs that need an address on it."""
    req = design.requirements
    want: dict[str, list[tuple[str, str]]] = {name: [] for name in NETWORK_ORDER}
    shared = (req.get("hardware", {}).get("shared_storage") or {}).get("type", "csv") != "local"
    nvgre = req.get("tenants", {}).get("networking", "nvgre") == "nvgre"
    purpose = {c.name: c.purpose for c in design.clusters}
    gateway_vms = {vm.name for vm in design.vms if vm.role == "hnv-gateway"}
    pa_hosts = {vm.host for vm in design.vms if vm.name in gateway_vms} | {
        plan.restarts[vm] for plan in design.failover_plans for vm in gateway_vms & plan.restarts.keys()}
    for host in design.hosts:
        nics = ["management", "cluster", "live_migration"] + (["storage"] if shared else [])
        if nvgre and (purpose.get(host.cluster) == "compute" or host.name in pa_hosts):
            nics.append("provider_address")
        for nic in nics:
            want[nic].append(("host-nic", host.name))
    for cluster in design.clusters:
        want["management"].append(("cluster-name", cluster.name))
    for guest in guest_clusters(design):
        want["management"].append(("cluster-name", guest.name))
        if guest.role_name:
            want["management"].append(("clustered-role", guest.role_name))
    facing = load_catalog().tenant_facing()
    for vm in design.vms:
        if vm.is_tenant:
            continue
        want["dmz" if vm.role in facing else "management"].append(("vm", vm.name))
        if vm.role == "hnv-gateway":
            want["provider_address"].append(("gateway-back", vm.name))
            want["external"].append(("gateway-front", vm.name))
    for sql in design.sql_instances:
        if sql.listener:
            want["management"].append(("sql-listener", sql.listener))
    for lb in design.load_balancers:
        want["external" if lb.role in facing else "management"].append(("vip", lb.name))
    return {name: items for name, items in want.items() if items}


@per_design
def subnets(design: Any) -> dict[str, Subnet]:
    """The subnet of every network the design needs: declared under `networks`, else carved from
    `networks.supernet`; InputError naming the network when neither is given or the supernet is full."""
    nets = design.requirements.get("networks") or {}
    declared = {n: v for n, v in nets.items() if n in NETWORK_ORDER and v}
    taken = [ipaddress.ip_network(v["cidr"]) for v in declared.values()]
    supernet = ipaddress.ip_network(nets["supernet"]) if nets.get("supernet") else None
    if supernet is None and not declared:  # no networks at all: carve from the planning placeholder (an assumption)
        supernet = ipaddress.ip_network(planning_supernet())
    result = {}
    for name, items in endpoints(design).items():
        if name in declared:
            result[name] = Subnet(name, ipaddress.ip_network(declared[name]["cidr"]), declared[name].get("vlan"), False)
            continue
        if supernet is None:
            raise InputError(f"networks.{name}: the design needs this network ({WHY[name]}) but the requirements "
                             f"do not give it; declare networks.{name} or a networks.supernet to carve it from")
        block = _carve(supernet, len(items), taken, name)
        taken.append(block)
        result[name] = Subnet(name, block, None, True)
    return result


def planning_supernet() -> str:
    """The range every network is carved from when the requirements declare none (catalog default, an assumption)."""
    return load_catalog().defaults["planning_supernet"].value


def _carve(supernet: ipaddress.IPv4Network, need: int, taken: list, name: str) -> ipaddress.IPv4Network:
    """The first free block of `supernet` holding CARVE_HEADROOM x `need` addresses, clear of `taken`."""
    prefix = min(SMALLEST_CARVE, 32 - math.ceil(math.log2(need * CARVE_HEADROOM + 2 + RESERVED_AT_START)))
    size = 1 << (32 - prefix)
    start, end = int(supernet.network_address), int(supernet.broadcast_address)
    while prefix >= supernet.prefixlen and start + size - 1 <= end:
        block = ipaddress.ip_network((start, prefix))
        clash = [t for t in taken if t.overlaps(block)]
        if not clash:
            return block
        after = max(int(t.broadcast_address) for t in clash) + 1
        start = -(-after // size) * size
    raise InputError(f"networks.supernet: {supernet} has no free /{prefix} left for networks.{name} ({need} "
                     f"addresses, twice that carved); give a larger supernet or declare networks.{name}")


@per_design
def ip_plan(design: Any) -> list[Address]:
    """Every address of the design; InputError naming the network when a subnet is too small or missing."""
    plan: list[Address] = []
    nets = subnets(design)
    for name, wanted in endpoints(design).items():
        net = nets[name].cidr
        usable = max(net.num_addresses - 2, 0) - RESERVED_AT_START
        if len(wanted) > usable:
            raise InputError(f"networks.{name}: {net} has {max(usable, 0)} assignable addresses but the design "
                             f"needs {len(wanted)}; give a larger subnet")
        first = int(net.network_address) + 1 + RESERVED_AT_START
        for i, (kind, owner) in enumerate(wanted):
            plan.append(Address(network=name, cidr=str(net), vlan=nets[name].vlan,
                                address=str(ipaddress.ip_address(first + i)), kind=kind, owner=owner))
    return plan
