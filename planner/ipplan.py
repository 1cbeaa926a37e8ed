"""The IP plan: addresses carved from the requirements' networks for every host NIC role,
management VM, cluster name object, SQL listener and load-balancer VIP."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from planner.catalog import load_catalog
from planner.errors import InputError
from planner.model.design import Design

# Which network each kind of endpoint takes its address from, in allocation order.
HOST_NICS = ("management", "cluster", "live_migration", "storage", "provider_address")
RESERVED_AT_START = 1  # the first usable address is left for the subnet's router


@dataclass(frozen=True)
class Address:
    network: str   # key under `networks` in the requirements
    cidr: str
    vlan: int | None
    address: str
    kind: str      # host-nic | vm | cluster-name | sql-listener | vip | gateway-front | gateway-back
    owner: str     # host, VM, cluster, listener or load balancer name


def endpoints(design: Design) -> dict[str, list[tuple[str, str]]]:
    """Per network, the (kind, owner) pairs that need an address, in a stable order."""
    networks = design.requirements.get("networks") or {}
    given = {name for name, net in networks.items() if net}
    want: dict[str, list[tuple[str, str]]] = {name: [] for name in sorted(given)}

    def add(net: str, kind: str, owner: str) -> None:
        target = net if net in given else "management"
        if target in given:
            want[target].append((kind, owner))

    for host in design.hosts:
        for nic in HOST_NICS:
            if nic in given:
                want[nic].append(("host-nic", host.name))
    for cluster in design.clusters:
        add("management", "cluster-name", cluster.name)
    for vm in design.vms:
        if vm.is_tenant:
            continue
        add("management", "vm", vm.name)
        if vm.role == "hnv-gateway":
            add("provider_address", "gateway-back", vm.name)
            add("external", "gateway-front", vm.name)
    for sql in design.sql_instances:
        if sql.listener:
            add("management", "sql-listener", sql.listener)
    facing = load_catalog().tenant_facing()
    for lb in design.load_balancers:
        add("external" if lb.role in facing else "management", "vip", lb.name)
    return want


def ip_plan(design: Design) -> list[Address]:
    """Every address of the design; InputError naming the network when a subnet is too small."""
    networks = design.requirements.get("networks") or {}
    plan: list[Address] = []
    for name, wanted in endpoints(design).items():
        net = ipaddress.ip_network(networks[name]["cidr"])
        hosts = list(net.hosts()) if net.num_addresses <= 1 << 16 else None
        usable = (len(hosts) if hosts is not None else net.num_addresses - 2) - RESERVED_AT_START
        if len(wanted) > usable:
            raise InputError(f"networks.{name}: {net} has {max(usable, 0)} assignable addresses but the design "
                             f"needs {len(wanted)}; give a larger subnet")
        first = int(net.network_address) + 1 + RESERVED_AT_START
        for i, (kind, owner) in enumerate(wanted):
            plan.append(Address(network=name, cidr=str(net), vlan=networks[name].get("vlan"),
                                address=str(ipaddress.ip_address(first + i)), kind=kind, owner=owner))
    return plan
