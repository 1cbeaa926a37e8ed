"""The IP plan: every endpoint gets one address, none twice, and small subnets are named."""
from __future__ import annotations

import pytest

from planner.errors import InputError
from planner.ipplan import ip_plan

from helpers import requirements


def test_every_address_unique_and_inside_its_subnet(planned):
    import ipaddress

    _, design, _ = planned("medium")
    plan = ip_plan(design)
    assert len({a.address for a in plan}) == len(plan)
    assert all(ipaddress.ip_address(a.address) in ipaddress.ip_network(a.cidr) for a in plan)
    owners = {(a.network, a.owner) for a in plan}
    assert all(("management", h.name) in owners for h in design.hosts)
    assert all(("management", lb.name) in owners or ("external", lb.name) in owners for lb in design.load_balancers)


def test_too_small_subnet_named(planned):
    _, design, _ = planned("medium")
    small = design.model_copy(deep=True)
    small.requirements["networks"]["management"]["cidr"] = "10.10.0.0/28"
    with pytest.raises(InputError, match=r"networks.management: 10.10.0.0/28 has 13 assignable addresses"):
        ip_plan(small)


def test_overlapping_networks_refused():
    with pytest.raises(ValueError, match="overlaps networks.management"):
        requirements(networks={"management": {"cidr": "10.0.0.0/16"}, "storage": {"cidr": "10.0.1.0/24"}})


def _no_solve(monkeypatch):
    """Any placement fails the test: what is checked here is found before the solve."""
    import planner.plan

    def refuse(*_args, **_kwargs):
        raise AssertionError("the solver ran")
    monkeypatch.setattr(planner.plan, "solve_cluster", refuse)


def test_missing_network_refused_before_the_solve(monkeypatch):
    from planner.plan import plan

    _no_solve(monkeypatch)
    req = requirements(networks={"management": {"cidr": "10.10.0.0/24"}})
    with pytest.raises(InputError, match=r"networks.cluster: the design needs this network .*networks.supernet"):
        plan(req)


def test_subnet_too_small_found_before_the_solve(monkeypatch):
    from planner.plan import plan

    _no_solve(monkeypatch)
    req = requirements(networks={"supernet": "10.0.0.0/8", "management": {"cidr": "192.168.0.0/29"}})
    with pytest.raises(InputError, match=r"networks.management: 192.168.0.0/29 has 5 assignable addresses"):
        plan(req)


def test_missing_networks_carved_from_the_supernet_clear_of_declared_ones(planned):
    import ipaddress

    from planner.ipplan import subnets

    _, design, _ = planned("small")
    nets = subnets(design)
    supernet = ipaddress.ip_network(design.requirements["networks"]["supernet"])
    carved = [s for s in nets.values() if s.carved]
    assert {s.name for s in carved} == {"cluster", "live_migration", "storage", "dmz", "external"}
    assert all(s.cidr.subnet_of(supernet) for s in carved)
    every = [s.cidr for s in nets.values()]
    assert not any(a.overlaps(b) for i, a in enumerate(every) for b in every[i + 1:])


def test_supernet_too_small_named():
    from planner.ipplan import Layout, Slot, ip_plan

    layout = Layout(requirements={"networks": {"supernet": "10.0.0.0/30"}}, clusters=[],
                    hosts=[Slot("H1", "C")], vms=[], sql_instances=[], load_balancers=[])
    with pytest.raises(InputError, match=r"networks.supernet: 10.0.0.0/30 has no free /28 left for networks.management"):
        ip_plan(layout)


def test_provider_addresses_only_on_compute_and_gateway_hosts(planned):
    _, design, _ = planned("medium")
    pa = {a.owner for a in ip_plan(design) if a.network == "provider_address" and a.kind == "host-nic"}
    purpose = {c.name: c.purpose for c in design.clusters}
    gateway_hosts = {vm.host for vm in design.vms if vm.role == "hnv-gateway"}
    assert {h.name for h in design.hosts if purpose[h.cluster] == "compute"} | gateway_hosts <= pa
    assert not any(purpose[h.cluster] == "management" for h in design.hosts if h.name in pa)


def test_guest_clusters_named_addressed_and_witnessed(planned):
    from planner.ipplan import guest_clusters

    _, design, _ = planned("medium")
    guests = {g.name: g for g in guest_clusters(design)}
    assert {"VMMCL01", "VMMLIBCL01", "SQLCL01", "HNVGWCL01"} <= set(guests)
    assert guests["VMMCL01"].role_name == "VMMHA" and all(g.witness for g in guests.values())
    named = {a.owner for a in ip_plan(design) if a.kind in ("cluster-name", "clustered-role")}
    assert set(guests) | {"VMMHA", "LIBFS"} <= named


def test_tenant_facing_vms_on_the_dmz_and_their_vips_external(planned):
    from planner.catalog import load_catalog

    _, design, _ = planned("medium")
    facing = load_catalog().tenant_facing()
    plan = ip_plan(design)
    on = {(a.owner, a.network) for a in plan}
    assert all((vm.name, "dmz") in on for vm in design.vms if vm.role in facing)
    assert all((lb.name, "external") in on for lb in design.load_balancers if lb.role in facing)


@pytest.mark.parametrize("name", ["poc", "small", "medium", "service-provider"])
def test_the_network_view_draws_exactly_the_ip_plan_networks(planned, name):
    import re

    from planner.render import diagram

    _, design, _ = planned(name)
    drawn = set(re.findall(r'^\s*"?net-(\w+)"? \[', diagram.source(design, "network"), re.M))
    assert drawn == {a.network for a in ip_plan(design)}
