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
