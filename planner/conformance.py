"""Does a design answer its requirements? Checked from design.json and the catalog's data only
(no sizing or solver code), so it can catch the planner's own mistakes."""
from __future__ import annotations

from collections import Counter, defaultdict

from planner.catalog import is_tenant_role, load_catalog
from planner.model.requirements import Requirements, gateway_capacity, gateway_pairs
from planner.validate import Finding


def check_requirements(design: dict, req: Requirements) -> list[Finding]:
    """Findings (rule "requirements") where the design falls short of `req` (its final year of growth)."""
    req = req.final_year()
    try:
        return (_availability(design, req) + _limits(design, req) + _roles(design, req) + _tenants(design, req)
                + _ceiling(design, req))
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        return [Finding("requirements", "design", f"design.json lacks what the check needs: {err!r}")]


def _finding(subject: str, message: str) -> Finding:
    return Finding("requirements", subject, message)


def _availability(design: dict, req: Requirements) -> list[Finding]:
    out = []
    avail = req.availability
    for c in design["clusters"]:
        want = getattr(avail, c["purpose"]).host_failures
        if c["failures_tolerated"] < want:
            out.append(_finding(c["name"], f"tolerates {c['failures_tolerated']} host failure(s); "
                                           f"availability.{c['purpose']}.host_failures asks {want}"))
        if avail.survive_rack_loss and not c["fault_domain_tolerance"]:
            out.append(_finding(c["name"], "does not promise to survive a rack loss; "
                                           "availability.survive_rack_loss asks it"))
    return out


def _limits(design: dict, req: Requirements) -> list[Finding]:
    catalog, ver = load_catalog(), req.system_center
    hosts_of, vms_of = Counter(h["cluster"] for h in design["hosts"]), Counter()
    cluster_of_host = {h["name"]: h["cluster"] for h in design["hosts"]}
    for vm in design["vms"]:
        vms_of[cluster_of_host.get(vm["host"])] += 1
    out = []
    max_nodes = min(req.hardware.max_hosts_per_cluster, catalog.limit("cluster_max_nodes", ver).value)
    max_cvms = catalog.limit("cluster_max_vms", ver).value
    per_stamp: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in design["clusters"]:
        if hosts_of[c["name"]] > max_nodes:
            out.append(_finding(c["name"], f"{hosts_of[c['name']]} hosts exceed the {max_nodes} allowed per cluster"))
        if vms_of[c["name"]] > max_cvms:
            out.append(_finding(c["name"], f"{vms_of[c['name']]} VMs exceed the {max_cvms} per Hyper-V cluster"))
        per_stamp[c["stamp"]][0] += hosts_of[c["name"]]
        per_stamp[c["stamp"]][1] += vms_of[c["name"]]
    max_hosts, max_vms = catalog.limit("vmm_max_hosts", ver).value, catalog.limit("vmm_max_vms", ver).value
    for stamp, (hosts, vms) in sorted(per_stamp.items()):
        if hosts > max_hosts or vms > max_vms:
            out.append(_finding(stamp, f"{hosts} hosts and {vms} VMs exceed one VMM server "
                                       f"({max_hosts} hosts, {max_vms} VMs)"))
    return out


def _roles(design: dict, req: Requirements) -> list[Finding]:
    catalog = load_catalog()
    deployment = design.get("wap_deployment", req.wap.deployment)
    if deployment != req.wap.deployment:
        return [_finding("wap", f"design is a {deployment} deployment; wap.deployment asks {req.wap.deployment}")]
    count = Counter(vm["role"] for vm in design["vms"])
    groups = defaultdict(set)
    for vm in design["vms"]:
        groups[vm["role"]].add(vm.get("anti_affinity_group"))
    stamps = len(design["stamps"])
    out = []
    for role in catalog.roles.values():
        if not role.present(req):
            continue
        want = role.instances[deployment] * (stamps if role.scope == "stamp" else 1)
        override = req.overrides.get(role.name)
        if override and override.instances is not None:
            want = override.instances * (stamps if role.scope == "stamp" else 1)
        if count[role.name] < want:
            out.append(_finding(role.name, f"{count[role.name]} VM(s); the {deployment} deployment needs {want}"))
        elif want >= 2 * (stamps if role.scope == "stamp" else 1) and None in groups[role.name]:
            out.append(_finding(role.name, "HA instances without an anti-affinity group"))
    users = req.wap.concurrent_tenant_users
    if deployment != "express" and users and "wap-tenant-portal" not in req.overrides:
        per = catalog.limit("wap_tenant_users_per_portal", "any").value
        if count["wap-tenant-portal"] * per < users:
            out.append(_finding("wap-tenant-portal", f"{count['wap-tenant-portal']} portal(s) x {per} users "
                                                     f"< {users} concurrent tenant users"))
    if req.tenants.networking == "nvgre" and not (override := req.overrides.get("hnv-gateway")):
        per = gateway_capacity(req).value
        need = sum(2 * gateway_pairs(req.vm_networks(s.get("tenants", 0)), per) for s in design["stamps"])
        if count["hnv-gateway"] < need:
            out.append(_finding("hnv-gateway", f"{count['hnv-gateway']} gateway VMs; {req.tenants.count} tenants "
                                               f"need {need} ({per} VM networks per active/passive pair)"))
    return out


def _tenants(design: dict, req: Requirements) -> list[Finding]:
    tenant_vms = [vm for vm in design["vms"] if is_tenant_role(vm["role"])]
    out = []
    if len(tenant_vms) != req.tenant_vm_count():
        out.append(_finding("tenants", f"{len(tenant_vms)} tenant VMs; the requirements ask "
                                       f"{req.tenant_vm_count()}"))
    if sum(s.get("tenants", 0) for s in design["stamps"]) != req.tenants.count:
        out.append(_finding("tenants", f"the stamps serve {sum(s.get('tenants', 0) for s in design['stamps'])} "
                                       f"tenants; the requirements ask {req.tenants.count}"))
    sizes = req.vm_size_table()
    for vm in tenant_vms:
        size = sizes.get(vm.get("size", ""))
        if size is None or vm["vcpu"] < size.vcpu or vm["memory_gb"] < size.memory_gb:
            out.append(_finding(vm["name"], f"smaller than its size {vm.get('size')!r}"))
    return out


def _ceiling(design: dict, req: Requirements) -> list[Finding]:
    """Compute hosts offer VMs at most growth.utilisation_ceiling of their vCPU (cores x ratio) and memory (less
    the host reserve)."""
    ceiling = req.growth.utilisation_ceiling if req.growth else 1.0
    if ceiling == 1:
        return []
    models, reserve = {m.name: m for m in req.hardware.host_models}, req.hardware.host_reserve
    ratio = {c["name"]: c["vcpu_per_core"] for c in design["clusters"] if c["purpose"] == "compute"}
    out = []
    for h in design["hosts"]:
        if h["cluster"] in ratio:
            m = models[h["model"]]
            vcpu = m.sockets * m.cores_per_socket * ratio[h["cluster"]] * ceiling
            memory = (m.memory_gb * (1 - reserve.memory_percent / 100) - reserve.memory_gb) * ceiling
            if h["vcpu_capacity"] > vcpu + 1e-6 or h["usable_memory_gb"] > memory + 1e-6:
                out.append(_finding(h["name"], f"offers {h['vcpu_capacity']} vCPU and {h['usable_memory_gb']:g} GB; "
                                               f"growth.utilisation_ceiling {ceiling:g} allows {vcpu:g} vCPU and "
                                               f"{memory:g} GB"))
    return out
