"""A role is whole in the catalog: roles.yaml gives its look, flows, endpoint and condition; the
build tasks install it; one evaluator decides whether it exists; one function gives stamp capacity."""
from __future__ import annotations

import pytest

from helpers import requirements
from planner.catalog import is_tenant_role, load_catalog, role_colour, role_label, role_order
from planner.conformance import check_requirements
from planner.render.checklist.graph import load_build_catalog
from planner.render.theme import EDGES
from planner.sizing import size_design
from planner.stamps import StampCapacity, stamp_capacity

CATALOG = load_catalog()
ROLES = CATALOG.roles
# The other value of each `when:` field: a new condition adds its field here.
OTHER = {"tenants.console_access": False, "tenants.networking": "vlan", "operations_manager": False}


def test_every_role_has_a_label_and_a_colour_of_its_own():
    looks = CATALOG.looks()
    assert list(looks)[:len(ROLES)] == list(ROLES), "catalog roles first, in file order"
    assert all(look.label.strip() for look in looks.values())
    colours = [look.colour for look in looks.values()] + [CATALOG.unknown_role_colour]
    assert len(colours) == len(set(colours))
    assert role_label("vmm") == "VMM" and role_colour("vmm") == ROLES["vmm"].colour
    assert role_colour("tenant-new-kind") == looks["tenant"].colour, "unknown tenant roles look like tenants"
    assert role_label("mystery") == "mystery" and role_colour("mystery") == CATALOG.unknown_role_colour
    assert role_order("hnv-gateway") < role_order("tenant") < role_order("mystery")


def test_every_role_is_an_end_of_a_flow_and_every_flow_end_exists():
    flows = CATALOG.flows()
    ends = set(ROLES) | set(CATALOG.flow_ends)
    assert not set(ROLES) & set(CATALOG.flow_ends)
    for flow in flows:
        assert {flow.source, flow.to} <= ends, flow
        assert flow.kind in EDGES, f"no line style for flow kind {flow.kind}"
    orders = [f.order for f in flows]
    assert len(orders) == len(set(orders)), "each flow has its own place in the drawing order"
    drawn = {f.source for f in flows} | {f.to for f in flows}
    databases = {"sql"} if any(r.databases for r in ROLES.values()) else set()  # lines to SQL: `databases`
    assert set(ROLES) - drawn <= databases, "a role without flows (add talks_to, or a flow to it)"
    assert set(CATALOG.flow_ends) <= drawn, "a flow end no flow uses"


def test_a_flow_to_a_role_with_an_endpoint_uses_its_port():
    for flow in CATALOG.flows():
        target = ROLES.get(flow.to)
        if target and target.endpoint and flow.port:
            assert flow.port == target.endpoint.port, (flow.source, flow.to)


def test_every_role_has_an_install_task_with_known_cmdlets():
    build = load_build_catalog()  # raises when a verification uses a cmdlet not in cmdlets.yaml
    installed = {t.role for t in build.tasks if t.each == "role"}
    assert set(ROLES) <= installed, f"no build task installs {sorted(set(ROLES) - installed)}"


def test_tenant_facing_tier_is_the_catalog_tier():
    assert CATALOG.tenant_facing() == {"wap-tenant-portal", "wap-tenant-auth", "wap-tenant-public-api", "rdgw",
                                       "adfs-proxy"}


def test_every_public_endpoint_is_named_in_the_public_domain():
    req = requirements(**{"wap.deployment": "ha", "public_domain": "cloud.contoso.example"})
    sizing = size_design(req, 1, [1])
    public = {lb.role: lb.vip_fqdn for lb in sizing.load_balancers if CATALOG.roles[lb.role].public_name}
    assert {"wap-tenant-portal", "wap-tenant-public-api", "rdgw", "adfs-proxy", "adfs"} <= set(public)
    assert all(fqdn.endswith(".cloud.contoso.example") for fqdn in public.values())
    assert public["adfs-proxy"] == public["adfs"] == "adfs.cloud.contoso.example"  # split DNS: one federation name
    internal = [lb.vip_fqdn for lb in sizing.load_balancers if not CATALOG.roles[lb.role].public_name]
    assert internal and all(fqdn.endswith(".cloud.local") for fqdn in internal)


def test_the_proxy_pair_replaces_tenant_auth_in_ha():
    ha = {vm.role for vm in size_design(requirements(**{"wap.deployment": "ha"}), 1, [1]).vms}
    distributed = {vm.role for vm in size_design(requirements(), 1, [1]).vms}
    assert "adfs-proxy" in ha and "wap-tenant-auth" not in ha
    assert "wap-tenant-auth" in distributed and "adfs-proxy" not in distributed


def test_is_tenant_is_one_predicate():
    assert is_tenant_role("tenant") and is_tenant_role("tenant-vmrole")
    assert not any(is_tenant_role(r) for r in ROLES)


@pytest.mark.parametrize("name", [n for n, r in ROLES.items() if r.when])
def test_when_condition_decides_sizing_and_conformance(name):
    when = ROLES[name].when
    assert when.field in OTHER, f"add the other value of {when.field} to OTHER"
    present, absent = requirements(**{when.field: when.equals}), requirements(**{when.field: OTHER[when.field]})
    assert when.value(present) == when.equals and ROLES[name].present(present)
    assert not ROLES[name].present(absent)
    for req, count in ((present, True), (absent, False)):
        vms = [vm for vm in size_design(req, 1, [1]).vms if vm.role == name]
        assert bool(vms) == count
    empty = {"wap_deployment": "distributed", "stamps": [{"name": "STAMP01", "tenants": 10}], "vms": [],
             "clusters": [], "hosts": []}
    for req, count in ((present, True), (absent, False)):
        missing = {f.subject for f in check_requirements(empty, req)}
        assert (name in missing) == count, "conformance asks the role exactly when it is present"


@pytest.mark.parametrize("mode, servers", [("express", 1), ("distributed", 2), ("ha", 2)])
def test_operations_manager_only_when_asked_with_its_databases_in_an_instance_of_its_own(mode, servers):
    off = size_design(requirements(**{"wap.deployment": mode}), 2, [1, 1])
    assert not [vm for vm in off.vms if vm.role == "scom"]
    assert not [d for s in off.sql_instances for d in s.databases if d.role == "scom"]
    on = size_design(requirements(**{"wap.deployment": mode, "operations_manager": True}), 2, [1, 1])
    scom = [vm for vm in on.vms if vm.role == "scom"]
    assert len(scom) == servers and all(vm.cluster == "MGMT01" for vm in scom), "one management group, stamp 1"
    assert len({vm.anti_affinity_group for vm in scom}) == 1 and (servers == 1) == (scom[0].anti_affinity_group is None)
    own = [s for s in on.sql_instances if {d.role for d in s.databases} == {"scom"}]
    assert len(own) == 1 and [d.name for d in own[0].databases] == ["OperationsManager", "OperationsManagerDW"]
    assert own[0].stamp == "STAMP01"


def test_roles_without_a_condition_are_always_present():
    req = requirements()
    assert all(r.present(req) for r in ROLES.values() if r.when is None)


def test_stamp_capacity_comes_from_sourced_limits():
    cap = stamp_capacity("2019")
    assert cap == StampCapacity(max_vms=25000, max_hosts=1000, max_user_roles=1000, max_vm_networks=2000,
                                management_vms=100)
    assert cap.tenant_vms == 24900
    assert [cap.stamps_for(n) for n in (0, 1, 24900, 24901, 49800, 49801)] == [1, 1, 1, 2, 2, 3]
    figure = CATALOG.limit("stamp_management_vms", "2019")
    assert figure.source.strip() and figure.assumption
