"""The decision log: every choice the planner made, as ID / decision / driven by / implication
(the layout of the VMware Validated Design decision tables)."""
from __future__ import annotations

import math
from collections import Counter

from planner.catalog import load_catalog
from planner.ipplan import ip_plan, subnets
from planner.model.design import Design
from planner.render.checklist.view import requirements_of
from planner.model.requirements import Requirements, gateway_capacity
from planner.stamps import stamp_capacity

AREAS = {
    "DEP": "Deployment", "STM": "Stamps", "ROL": "Roles and instance counts", "CLU": "Clusters and host counts",
    "HW": "Host models", "CPU": "vCPU:core ratios", "STO": "Storage", "AVL": "Availability, racks, anti-affinity",
    "NET": "Networking", "SQL": "SQL Server", "OUT": "Out of scope", "ASM": "Assumptions used",
    "FIG": "Sourced figures used",
}
OUT_OF_SCOPE = {  # what a stampplan design does not design, so nobody mistakes an omission for a design
    "Backup": "VM and database backup (e.g. DPM) is not sized or placed",
    "Domain controllers": "Active Directory and DNS are assumed to exist outside the stamp",
    "Load-balancer product": "the VIPs are named; the load-balancer product, its HA and its licences are not chosen",
    "Storage array": "shared storage is sized in GB; the array or Storage Spaces design is not made",
    "Physical network": "switches, uplinks and routing are not designed; only the IP plan of the given networks",
    "Operations Manager": "not designed yet: SPF usage metering for WAP chargeback needs it (spf/plan-spf.md)",
}
MODE = {
    "express": "all WAP roles on one VM: proof of concept only, never production",
    "distributed": "one VM per WAP role (Microsoft's production minimum is a distributed deployment); "
                   "single instances, so a role is down while its VM restarts after a host failure",
    "ha": "every WAP role, AD FS, SPF, SQL and VMM at least twice, behind load balancers or clustered; "
          "HA pairs never share a host, larger web farms spread so that losing k hosts keeps the load's instances",
}
NETWORKING = {
    "nvgre": "tenant networks are NVGRE virtual networks: provider-address network, VMM DHCP extension on every "
             "host, HNV gateway pairs on an edge cluster",
    "vlan": "tenant networks are VLANs: no HNV gateways, no provider-address network",
}
Row = dict[str, str]


def decision_rows(design: Design) -> list[Row]:
    """One dict per decision: ID, Area, Decision, Driven by, Implication."""
    req = requirements_of(design)
    rows: list[Row] = []
    counters: Counter = Counter()

    def add(area: str, decision: str, driven: str, implication: str) -> None:
        counters[area] += 1
        rows.append({"ID": f"D-{area}-{counters[area]:02d}", "Area": AREAS[area], "Decision": decision,
                     "Driven by": driven, "Implication": implication})

    _deployment(design, req, add)
    _stamps(design, req, add)
    _roles(design, req, add)
    _compute_split(design, req, add)
    _clusters(design, req, add)
    _network(design, req, add)
    _storage(design, req, add)
    _availability(design, req, add)
    _sql(design, req, add)
    for item, why in OUT_OF_SCOPE.items():
        add("OUT", item, "not in stampplan's scope", why)
    for a in design.assumptions:
        add("ASM" if a.assumption else "FIG", f"{a.key} = {plain_value(a.value)}", a.source,
            "planning assumption without a primary source: confirm it or override it in the requirements"
            if a.assumption else "sourced product figure applied by the planner")
    return rows


def decisions_markdown(design: Design) -> str:
    """The decision log as Markdown tables, one per area."""
    rows = decision_rows(design)
    lines = [f"# Design decisions: {design.name}", "",
             "Every choice the planner made for this design, the requirement or limit that drove it, and "
             "what it implies for the build. Generated from design.json by `stampplan checklist`."]
    for area, title in AREAS.items():
        mine = [r for r in rows if r["Area"] == title]
        if not mine:
            continue
        lines += ["", f"## {title}", "", "| ID | Decision | Driven by | Implication |", "| --- | --- | --- | --- |"]
        lines += [f"| {r['ID']} | {_cell(r['Decision'])} | {_cell(r['Driven by'])} | {_cell(r['Implication'])} |"
                  for r in mine]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def plain_value(value: object) -> str:
    """A catalog or requirements value as text: mappings and lists joined, floats without trailing zeros."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {plain_value(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return ", ".join(plain_value(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _mgmt(design: Design):
    return [vm for vm in design.vms if not vm.is_tenant]


# ---- areas -------------------------------------------------------------------------------------
def _deployment(design: Design, req: Requirements, add) -> None:
    wap = [vm.name for vm in _mgmt(design) if vm.role.startswith("wap")]
    add("DEP", f"System Center {design.system_center}", f"requirements: system_center = {design.system_center}",
        "product versions, limits and build steps of that release (checklist.md)")
    add("DEP", f"WAP deployment: {design.wap_deployment} ({len(wap)} WAP VMs)",
        f"requirements: wap.deployment = {req.wap.deployment}", MODE[design.wap_deployment])
    add("DEP", f"Tenant networking: {req.tenants.networking}", f"requirements: tenants.networking = "
        f"{req.tenants.networking}", NETWORKING[req.tenants.networking])
    rdgw = [vm.name for vm in _mgmt(design) if vm.role == "rdgw"]
    add("DEP", f"Console access: {'RD Gateway farm ' + ', '.join(rdgw) if rdgw else 'none'}",
        f"requirements: tenants.console_access = {req.tenants.console_access}",
        "a dedicated RD Gateway farm per stamp, entered when the stamp's VMM server is added to SPF, in that same step"
        if rdgw else "no RD Gateway; adding console access later re-registers the stamp in SPF (see pitfalls)")
    add("DEP", f"Tenant-facing tier (RD Gateway, tenant portal, tenant auth, Tenant Public API) on the "
        f"{req.placement.tenant_facing_tier} cluster", f"requirements: placement.tenant_facing_tier = "
        f"{req.placement.tenant_facing_tier}", "Internet-facing VMs sit apart from the management VMs"
        if req.placement.tenant_facing_tier == "edge" else "Internet-facing VMs share the management cluster")


def _stamps(design: Design, req: Requirements, add) -> None:
    cat = load_catalog()
    cap = stamp_capacity(design.system_center)
    n = len(design.stamps)
    per = "; ".join(f"{s.name}: {s.tenants} tenants (VMM user roles), {s.vm_networks} VM networks, VMM "
                    f"{', '.join(s.vmm_vms)}" for s in design.stamps)
    add("STM", f"{n} VMM stamp(s) ({per})", f"the stamp count is the most any VMM limit needs: "
        f"{cap.reason(req, n)}; and at most {cap.max_hosts:,} hosts per VMM server, checked after placement",
        "VMM, library, SQL, RD Gateway and HNV gateways are built in every stamp (objects of later stamps carry the "
        "S02... prefix); SPF, WAP, AD FS and SMA exist once, in the first stamp, and serve every stamp"
        if n > 1 else "one VMM installation manages every cluster")
    most = cat.limit("max_stamps", "any")
    spf = [vm for vm in _mgmt(design) if vm.role == "spf"]
    vms = sum(1 for vm in design.vms if vm.is_tenant) + len(_mgmt(design))
    sizing = cat.limit("spf_max_vms", "any").value
    add("STM", f"One SPF farm ({', '.join(vm.name for vm in spf)} at {design.stamps[0].spf}) for all {n} stamp(s); "
        f"WAP's VM Clouds resource provider registered once, against it; each VMM server added to it as a stamp",
        f"{most.source} (catalog max_stamps = {most.value})",
        f"one registration and {n} 'add stamp' step(s) in the checklist; a sixth stamp needs a second WAP/SPF "
        f"design" + (f"; the farm serves {vms:,} VMs, beyond the {sizing:,} VMs Microsoft's SPF sizing covers, so "
                     f"its VMs take the largest size tier (scale it out if it runs hot)" if vms > sizing else ""))
    clouds, logical = (cat.limit(k, design.system_center) for k in ("vmm_max_clouds", "vmm_max_logical_networks"))
    networks = len(type(req.networks).model_fields) + 1
    add("STM", f"VMM limits that do not bind: 1 cloud per stamp (limit {clouds.value}), at most {networks} logical "
        f"networks per stamp (limit {logical.value})", f"{clouds.source}; {logical.source}",
        "one cloud per stamp over its compute clusters; one logical network per design network, plus the tenant one")


def _roles(design: Design, req: Requirements, add) -> None:
    cat = load_catalog()
    mode = req.wap.deployment
    for stamp in design.stamps:
        vms = [vm for vm in _mgmt(design) if any(c.name == vm.cluster and c.stamp == stamp.name
                                                  for c in design.clusters)]
        for role, spec in cat.roles.items():
            mine = [vm for vm in vms if vm.role == role]
            if not mine:
                continue
            driven = f"wap.deployment = {mode}: {spec.instances[mode]} (catalog roles.yaml" + (
                f": {spec.source})" if spec.source else ")")
            if spec.scale_by:
                per = cat.limit(spec.scale_by, "any")
                users = req.wap.concurrent_tenant_users
                driven += (f"; at least ⌈{users:,} concurrent tenant users / {per.value} per instance⌉ = "
                           f"{math.ceil(users / per.value)} ({per.source})")
            if spec.pairs_by:
                per = gateway_capacity(req)
                driven = (f"{stamp.tenants} tenants of {stamp.name} (one VM network each) / {per.value} VM networks per "
                          f"gateway = {len(mine) // 2} active/passive pair(s) ({per.source})")
            if role in req.overrides and req.overrides[role].instances is not None:
                driven = f"requirements: overrides.{role}.instances = {req.overrides[role].instances}"
            lb = next((lb for lb in design.load_balancers if lb.role == role and lb.stamp == stamp.name), None)
            group = mine[0].anti_affinity_group
            implication = [f"{mine[0].vcpu} vCPU, {mine[0].memory_gb:g} GB, {mine[0].storage_gb:g} GB each"]
            if spec.ha_mode and len(mine) > 1:
                implication.append(spec.ha_mode)
            if lb:
                implication.append(f"behind {lb.name} ({lb.vip_fqdn})")
            cap = next((g.max_per_host for g in design.anti_affinity_groups if g.name == group), None)
            if cap:
                implication.append(f"spread: at most {cap} per host, so losing the cluster's k hosts keeps the "
                                   "instances the load needs (not strict one-per-host anti-affinity)")
            elif group:
                implication.append("never two on one host" + (" (anti-affinity pairs)" if spec.pairs_by else ""))
            if spec.max_per_host:
                implication.append(f"at most {spec.max_per_host} per host ({spec.max_per_host_source})")
            if spec.dedicated_hosts:
                implication.append(f"hosts dedicated to it ({spec.dedicated_hosts_source}); its guest cluster "
                                   "needs a Scale-Out File Server share for its shared VHDX")
            if spec.size.tiers:
                serves = "the VMs of every stamp it serves" if spec.scope == "global" else "a stamp of this size"
                implication.append(f"{mine[0].vcpu} vCPU for {serves} ({spec.size.source})")
            add("ROL", f"{spec.title}: {len(mine)} in {stamp.name} ({', '.join(vm.name for vm in mine)})",
                driven, "; ".join(implication))


def _compute_split(design: Design, req: Requirements, add) -> None:
    limit = load_catalog().limit("cluster_max_vms", design.system_center)
    for s in design.stamps:
        names = [c.name for c in design.clusters if c.stamp == s.name and c.purpose == "compute"]
        vms = sum(1 for vm in design.vms if vm.is_tenant and vm.cluster in names)
        if not names:
            continue
        add("CLU", f"{s.name}: {len(names)} compute cluster(s) ({', '.join(names)})",
            f"{vms:,} tenant VMs in {s.name}; at most {limit.value:,} running VMs per cluster ({limit.source}) and "
            f"hardware.max_hosts_per_cluster = {req.hardware.max_hosts_per_cluster} hosts less the failover hosts",
            "a tenant's plain VMs stay in one compute cluster; tenants are dealt to the clusters in contiguous blocks; "
            "the stamp's cloud spans them all")


def _network(design: Design, req: Requirements, add) -> None:
    nets = subnets(design)
    declared = [n for n, s in nets.items() if not s.carved]
    carved = [f"{n} {s.cidr}" for n, s in nets.items() if s.carved]
    add("NET", f"IP plan of {len(ip_plan(design))} addresses on {', '.join(nets)}",
        "requirements: networks" + (f" ({', '.join(declared)} declared; {', '.join(carved)} carved from "
                                    f"networks.supernet {req.networks.supernet})" if carved else ""),
        "every host NIC, management VM, cluster and guest-cluster name, SQL listener and VIP has its address on "
        "the checklist; provider addresses only on the hosts that run tenant VMs or gateways")
    if design.load_balancers:
        add("NET", f"{len(design.load_balancers)} load-balancer VIP(s): "
            + ", ".join(lb.vip_fqdn for lb in design.load_balancers),
            "roles marked load_balanced in the catalog with 2 or more instances",
            "a hardware or software load balancer (e.g. NLB for the admin tier) in front of each pool")


def _clusters(design: Design, req: Requirements, add) -> None:
    solve = {s.cluster: s for s in design.solver.clusters}
    models = ", ".join(f"{m.name} ({m.sockets}x{m.cores_per_socket} cores, {m.memory_gb:g} GB, {m.price:,.0f})"
                       for m in req.hardware.host_models)
    plans = Counter(p.cluster for p in design.failover_plans)
    ratios = {}
    for c in design.clusters:
        hosts = [h for h in design.hosts if h.cluster == c.name]
        s = solve.get(c.name)
        k = c.failures_tolerated
        add("CLU", f"{c.name} ({c.purpose}, {c.stamp}): {len(hosts)} hosts, N+{k}",
            f"binding: {s.binding}; availability.{c.purpose}.host_failures = {k}" if s else
            f"availability.{c.purpose}.host_failures = {k}",
            f"cost {s.cost:,.0f} (lower bound {s.lower_bound_cost:,.0f}, gap {s.gap:.1%}, {s.method} {s.status}); "
            + (f"{plans[c.name]} failover plan(s) certified in design.json" if k else
               "no failover: a failed host's VMs stay down until it is back") if s else "")
        if hosts:
            h = hosts[0]
            add("HW", f"{c.name}: {h.model} for all {len(hosts)} hosts",
                f"cheapest design among hardware.host_models: {models}",
                f"{h.vcpu_capacity} vCPU and {h.usable_memory_gb:g} GB usable memory per host "
                f"(host reserve {req.hardware.host_reserve.memory_gb:g} GB + "
                f"{req.hardware.host_reserve.memory_percent:g}%)")
        ratios.setdefault(c.purpose, c.vcpu_per_core)
    default = load_catalog().defaults["vcpu_per_core"]
    for purpose, ratio in ratios.items():
        given = getattr(req.hardware.vcpu_per_core, purpose)
        origin = (f"catalog default, an assumption ({default.source})" if given == default.value[purpose]
                  else "set in the requirements")
        add("CPU", f"{purpose} clusters: {ratio:g} vCPU per physical core",
            f"hardware.vcpu_per_core.{purpose} = {given:g} ({origin})",
            "host vCPU capacity = sockets x cores x ratio; memory is never over-committed")


def _storage(design: Design, req: Requirements, add) -> None:
    st = req.hardware.shared_storage
    for c in design.clusters:
        if st.type == "csv":
            add("STO", f"{c.name}: {c.shared_storage_gb or 0:,.0f} GB of cluster shared volumes",
                f"hardware.shared_storage.type = csv; VM storage + free_percent {st.free_percent:g}%, rounded up "
                f"to 100 GB", "a restarted VM moves no disk" + (
                    "; VM Role parent disks need room on the CSV" if c.purpose == "compute" and req.tenants.vm_roles
                    else ""))
        else:
            add("STO", f"{c.name}: host-local VM storage", "hardware.shared_storage.type = local",
                "storage is counted per host, restarts included")


def _availability(design: Design, req: Requirements, add) -> None:
    av = req.availability
    add("AVL", f"Hosts spread round-robin over {av.racks} rack(s); rack loss "
        f"{'survived' if av.survive_rack_loss else 'not survived'}",
        f"availability.racks = {av.racks}, survive_rack_loss = {av.survive_rack_loss}",
        "every cluster also survives the loss of any one rack (one more failure scenario per rack)"
        if av.survive_rack_loss else "a rack loss may take down more VMs than the clusters' N+k covers")
    scopes = Counter(g.scope for g in design.anti_affinity_groups if not g.name.startswith("vmrole-"))
    vmrole = sum(g.name.startswith("vmrole-") for g in design.anti_affinity_groups)
    add("AVL", f"Anti-affinity: {scopes['fault_domain']} role group(s) across racks, {scopes['host']} across "
        f"hosts; {vmrole} VM Role availability set(s)",
        f"availability.racks = {av.racks}: a group of 2 to {av.racks} members is spread over racks, larger groups "
        "over hosts" if av.racks >= 2 else "availability.racks = 1: every group is spread over hosts",
        "HA pairs never share a host (or a rack when the group fits the racks); after a failure, Hyper-V treats "
        "anti-affinity as a preference")


SQL_MODES = {
    "availability-group": ("AlwaysOn availability group, listener {}", "SQL Enterprise; add each database to the "
                           "availability group after its setup"),
    "failover-cluster-instance": ("failover-cluster instance, network name {}", "SQL Standard (a 2-node FCI); "
                                  "the instance's disks on cluster shared storage"),
}


def _own_instance(databases) -> str:
    """Why one role's databases sit in a SQL instance of their own (own_sql_instance in roles.yaml)."""
    label = load_catalog().roles[databases[0].role].label
    return f"{label}'s database{'s' if len(databases) > 1 else ''} in a SQL instance of its own ({label} guidance)"


def _sql(design: Design, req: Requirements, add) -> None:
    spec = load_catalog().roles["sql"]
    for s in design.sql_instances:
        mode, build = SQL_MODES.get(s.ha, ("standalone", "no database HA"))
        owners = {d.role for d in s.databases}
        own = len(owners) == 1 and load_catalog().roles[next(iter(owners))].own_sql_instance
        add("SQL", f"{s.name} on {', '.join(s.nodes)}: {mode.format(s.listener)}",
            (f"sql.ha_mode = {req.sql.ha_mode}; {len(s.nodes)} SQL node(s) from the role count ({spec.source})"
             if s.ha != "standalone" else "a single SQL node for this deployment mode")
            + (f"; {_own_instance(s.databases)}" if own else ""),
            f"databases {', '.join(d.name for d in s.databases)}; {build}")
