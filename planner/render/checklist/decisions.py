"""The decision log in the form architects use: ID, decision, alternatives considered, justification,
implication, risk, status (one row per choice the planner made); the figures those choices rest on,
with their sources (assumptions); and what the design leaves out of scope. The fixed text is catalog
data (catalog/decisions.yaml); the rest comes from the design."""
from __future__ import annotations

import math
from collections import Counter
from functools import cache

from pydantic import BaseModel, ConfigDict

from planner.catalog import load_catalog, read_yaml
from planner.ipplan import ip_plan, planning_supernet, subnets
from planner.model.design import Design
from planner.model.memo import per_design
from planner.render.checklist.view import management_vms, requirements_of
from planner.model.requirements import Requirements, gateway_capacity
from planner.security import SELF_SIGNED, certificates
from planner.stamps import stamp_capacity

COLUMNS = ("ID", "Decision", "Alternatives considered", "Justification", "Implication", "Risk", "Status")
Row = dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    implication: str
    risk: str


class Kind(_Strict):
    area: str
    status: str
    alternatives: str = ""
    risk: str = ""
    options: dict[str, Option] = {}


class OutOfScope(_Strict):
    why: str
    unless: str | None = None


class DecisionCatalog(_Strict):
    areas: dict[str, str]
    status: dict[str, str]
    kinds: dict[str, Kind]
    out_of_scope: dict[str, OutOfScope]


@cache
def decision_catalog() -> DecisionCatalog:
    """catalog/decisions.yaml, checked."""
    return DecisionCatalog(**read_yaml("decisions.yaml"))


@per_design
def decision_rows(design: Design) -> list[Row]:
    """One dict per decision, keyed by COLUMNS plus Area (its section title)."""
    req = requirements_of(design)
    cat = decision_catalog()
    rows: list[Row] = []
    counters: Counter = Counter()

    def add(kind: str, decision: str, justification: str, implication: str = "", option: object = None,
            status: str | None = None) -> None:
        spec = cat.kinds[kind]
        risk, alternatives = spec.risk, spec.alternatives
        if option is not None:
            chosen = spec.options[str(option)]
            implication, risk = implication or chosen.implication, chosen.risk
            alternatives = "; ".join(f"{name}: {o.risk}" for name, o in spec.options.items() if name != str(option))
        counters[spec.area] += 1
        rows.append({"ID": f"D-{spec.area}-{counters[spec.area]:02d}", "Area": cat.areas[spec.area],
                     "Decision": decision, "Alternatives considered": alternatives or "none",
                     "Justification": justification, "Implication": implication, "Risk": risk,
                     "Status": cat.status[status or spec.status]})

    for area in (_deployment, _stamps, _roles, _compute_split, _clusters, _network, _storage, _availability, _sql,
                 _certificates):
        area(design, req, add)
    order = list(cat.areas.values())
    return sorted(rows, key=lambda r: order.index(r["Area"]))


def assumption_rows(design: Design) -> list[Row]:
    """The figures the design rests on, with their sources: unconfirmed assumptions first."""
    ranked = sorted(design.assumptions, key=lambda a: not a.assumption)
    return [{"ID": f"A-{n:02d}", "Figure": a.key, "Value": plain_value(a.value), "Source": a.source,
             "Status": "assumption: confirm it or override it in the requirements" if a.assumption
             else "sourced product figure"} for n, a in enumerate(ranked, 1)]


def out_of_scope(design: Design) -> list[tuple[str, str]]:
    """What this design does not design, and why nobody should look for it."""
    req = requirements_of(design)
    return [(item, spec.why) for item, spec in decision_catalog().out_of_scope.items()
            if not (spec.unless and getattr(req, spec.unless))]


def decisions_markdown(design: Design) -> str:
    """The decision log as Markdown tables: one per area, then the assumptions and the scope."""
    rows = decision_rows(design)
    lines = [f"# Design decisions: {design.name}", "",
             "Every choice the planner made for this design: the alternatives considered, why this one, what it "
             "implies for the build, its risk and its status. The figures the choices rest on follow, with their "
             "sources, then what the design leaves out. Generated from design.json by `stampplan checklist`."]
    for title in decision_catalog().areas.values():
        mine = [r for r in rows if r["Area"] == title]
        if mine:
            lines += ["", f"## {title}", ""] + _md_table(COLUMNS, mine)
    lines += ["", "## Assumptions", "", "Figures the planner applied, each with its source; confirm the assumptions "
              "or override them in the requirements.", ""]
    lines += _md_table(("ID", "Figure", "Value", "Source", "Status"), assumption_rows(design))
    lines += ["", "## Out of scope", ""] + _md_table(("Item", "Why"), [
        {"Item": item, "Why": why} for item, why in out_of_scope(design)])
    return "\n".join(lines) + "\n"


def _md_table(columns: tuple[str, ...], rows: list[Row]) -> list[str]:
    return (["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
            + ["| " + " | ".join(_cell(r[c]) for c in columns) + " |" for r in rows])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def plain_value(value: object) -> str:
    """A catalog or requirements value as text: mappings and lists joined, floats without trailing zeros."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {plain_value(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return ", ".join(plain_value(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)




# ---- areas -------------------------------------------------------------------------------------
def _deployment(design: Design, req: Requirements, add) -> None:
    wap = [vm.name for vm in management_vms(design) if vm.role.startswith("wap")]
    add("system-center", f"System Center {design.system_center}",
        f"requirements: system_center = {design.system_center}", option=design.system_center)
    add("wap-deployment", f"WAP deployment: {design.wap_deployment} ({len(wap)} WAP VMs)",
        f"requirements: wap.deployment = {req.wap.deployment}", option=design.wap_deployment)
    add("tenant-networking", f"Tenant networking: {req.tenants.networking}",
        f"requirements: tenants.networking = {req.tenants.networking}", option=req.tenants.networking)
    rdgw = [vm.name for vm in management_vms(design) if vm.role == "rdgw"]
    add("console-access", f"Console access: {'RD Gateway farm ' + ', '.join(rdgw) if rdgw else 'none'}",
        f"requirements: tenants.console_access = {req.tenants.console_access}", option="rd-gateway" if rdgw else "none")
    add("tenant-facing-tier", f"Tenant-facing tier (RD Gateway, tenant portal, tenant auth, Tenant Public API) on "
        f"the {req.placement.tenant_facing_tier} cluster",
        f"requirements: placement.tenant_facing_tier = {req.placement.tenant_facing_tier}",
        option=req.placement.tenant_facing_tier)


def _stamps(design: Design, req: Requirements, add) -> None:
    cat = load_catalog()
    cap = stamp_capacity(design.system_center)
    n = len(design.stamps)
    per = "; ".join(f"{s.name}: {s.tenants} tenants (VMM user roles), {s.vm_networks} VM networks, VMM "
                    f"{', '.join(s.vmm_vms)}" for s in design.stamps)
    add("stamps", f"{n} VMM stamp(s) ({per})", f"the stamp count is the most any VMM limit needs: "
        f"{cap.reason(req, n)}; and at most {cap.max_hosts:,} hosts per VMM server, checked after placement",
        ("VMM, library, SQL, RD Gateway and HNV gateways are built in every stamp (objects of later stamps carry the "
         "S02... prefix); SPF, WAP, AD FS and SMA exist once, in the first stamp, and serve every stamp"
         if n > 1 else "one VMM installation manages every cluster") + "; one cloud per stamp over its compute "
        "clusters, one logical network per design network plus the tenant one")
    most = cat.limit("max_stamps", "any")
    spf = [vm for vm in management_vms(design) if vm.role == "spf"]
    vms = len(design.vms)
    sizing = cat.limit("spf_max_vms", "any").value
    add("spf-farm", f"One SPF farm ({', '.join(vm.name for vm in spf)} at {design.stamps[0].spf}) for all {n} "
        f"stamp(s); WAP's VM Clouds resource provider registered once, against it; each VMM server added to it as a "
        f"stamp", f"one SPF serves up to {most.value} stamps (Assumptions: max_stamps)",
        f"one registration and {n} 'add stamp' step(s) in the checklist; a sixth stamp needs a second WAP/SPF "
        f"design" + (f"; the farm serves {vms:,} VMs, beyond the {sizing:,} VMs Microsoft's SPF sizing covers, so "
                     f"its VMs take the largest size tier (scale it out if it runs hot)" if vms > sizing else ""))


def _roles(design: Design, req: Requirements, add) -> None:
    cat = load_catalog()
    mode = req.wap.deployment
    for stamp in design.stamps:
        vms = [vm for vm in management_vms(design) if any(c.name == vm.cluster and c.stamp == stamp.name
                                                  for c in design.clusters)]
        for role, spec in cat.roles.items():
            mine = [vm for vm in vms if vm.role == role]
            if mine:
                add("role-instances", f"{spec.title}: {len(mine)} in {stamp.name} ({', '.join(vm.name for vm in mine)})",
                    _role_reason(req, stamp, role, spec, mode, len(mine)), _role_implication(design, stamp, spec, mine))


def _role_reason(req: Requirements, stamp, role: str, spec, mode: str, count: int) -> str:
    """Why this many instances: the deployment mode, the load, the gateway capacity or an override."""
    if role in req.overrides and req.overrides[role].instances is not None:
        return f"requirements: overrides.{role}.instances = {req.overrides[role].instances}"
    if spec.pairs_by:
        per = gateway_capacity(req)
        return (f"{stamp.tenants} tenants of {stamp.name} (one VM network each) / {per.value} VM networks per gateway "
                f"= {count // 2} active/passive pair(s) (Assumptions: {per.key})")
    reason = f"wap.deployment = {mode}: {spec.instances[mode]} (Assumptions: role[{role}])"
    if spec.scale_by:
        per = load_catalog().limit(spec.scale_by, "any")
        users = req.wap.concurrent_tenant_users
        reason += (f"; at least ⌈{users:,} concurrent tenant users / {per.value} per instance⌉ = "
                   f"{math.ceil(users / per.value)} (Assumptions: {spec.scale_by})")
    return reason


def _role_implication(design: Design, stamp, spec, mine) -> str:
    lb = next((lb for lb in design.load_balancers if lb.role == mine[0].role and lb.stamp == stamp.name), None)
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
        implication.append(f"at most {spec.max_per_host} per host")
    if spec.dedicated_hosts:
        implication.append("hosts dedicated to it; its guest cluster needs a Scale-Out File Server share for its "
                           "shared VHDX")
    return "; ".join(implication)


def _compute_split(design: Design, req: Requirements, add) -> None:
    catalog = load_catalog()
    limit = catalog.limit("cluster_max_vms", design.system_center)
    large = catalog.limit("compute_n2_above_hosts", "any")
    tenants = Counter(vm.cluster for vm in design.vms if vm.is_tenant)
    for s in design.stamps:
        names = [c.name for c in design.clusters if c.stamp == s.name and c.purpose == "compute"]
        vms = sum(tenants[name] for name in names)
        if not names:
            continue
        tolerance = ", ".join(f"{c.name} N+{c.failures_tolerated}" for c in design.clusters if c.name in names)
        add("compute-split", f"{s.name}: {len(names)} compute cluster(s) ({tolerance})",
            f"{vms:,} tenant VMs in {s.name}; at most {limit.value:,} running VMs per cluster (Assumptions: cluster_max_vms); "
            f"hardware.max_hosts_per_cluster = {req.hardware.max_hosts_per_cluster}; a compute cluster of more than "
            f"{large.value} hosts tolerates at least 2 host failures (Assumptions: compute_n2_above_hosts)",
            "the partition is optimised: the cheapest count of clusters per size tier, one host model per stamp; "
            "tenant VMs and VM Role deployments (kept whole) are cut in order into the clusters, so a tenant may "
            "span clusters; the stamp's VMM cloud spans their host groups")
    if design.growth:
        g = design.growth
        add("growth", f"Sized for year {g.years}: {g.schedule[-1].tenant_vms:,} tenant VMs, compute at most "
            f"{g.utilisation_ceiling:.0%} of its vCPU and memory; {g.line()}",
            f"growth: {g.annual_rate:.0%} a year of {g.applies_to} over {g.years} year(s), utilisation_ceiling "
            f"{g.utilisation_ceiling:g}: the ceiling keeps headroom for growth between purchases and for unplanned "
            "load, in every state including after N+k failures; storage keeps its own free space",
            "management and edge hosts are bought on day one for the final year; compute clusters keep their host "
            "model and N+k and grow host by host (Growth sheet, report Growth section)")


def _network(design: Design, req: Requirements, add) -> None:
    nets = subnets(design)
    declared = [n for n, s in nets.items() if not s.carved]
    carved = [f"{n} {s.cidr}" for n, s in nets.items() if s.carved]
    add("ip-plan", f"IP plan of {len(ip_plan(design))} addresses on {', '.join(nets)}",
        ("requirements: networks" + (f" ({', '.join(declared)} declared; {', '.join(carved)} carved from "
                                     f"networks.supernet {req.networks.supernet})" if carved else ""))
        if declared else f"no networks given: every network carved from the planning range {planning_supernet()} "
                         f"(Assumptions: planning_supernet); replace it with the customer's ranges before the build",
        "every host NIC, management VM, cluster and guest-cluster name, SQL listener and VIP has its address on "
        "the checklist; provider addresses only on the hosts that run tenant VMs or gateways",
        status=None if declared else "open")
    if design.load_balancers:
        add("load-balancers", f"{len(design.load_balancers)} load-balancer VIP(s): "
            + ", ".join(lb.vip_fqdn for lb in design.load_balancers),
            "roles marked load_balanced in the catalog with 2 or more instances",
            "a hardware or software load balancer (e.g. NLB for the admin tier) in front of each pool")


def _clusters(design: Design, req: Requirements, add) -> None:
    solve = {s.cluster: s for s in design.solver.clusters}
    models = ", ".join(f"{m.name} ({m.sockets}x{m.cores_per_socket} cores, {m.memory_gb:g} GB, {m.price:,.0f})"
                       for m in req.hardware.host_models)
    plans = Counter(p.cluster for p in design.failover_plans)
    ratios = {}
    used = {vm.host for vm in design.vms}
    for c in design.clusters:
        hosts = [h for h in design.hosts if h.cluster == c.name]
        s = solve.get(c.name)
        k = c.failures_tolerated
        add("cluster-hosts", f"{c.name} ({c.purpose}, {c.stamp}): {len(hosts)} hosts, N+{k}",
            f"binding: {s.binding}; availability.{c.purpose}.host_failures = {k}" if s else
            f"availability.{c.purpose}.host_failures = {k}",
            f"cost {s.cost:,.0f} (lower bound {s.lower_bound_cost:,.0f}, gap {s.gap:.1%}, {s.method} {s.status}); "
            + (f"{plans[c.name]} failover plan(s) certified in design.json" if k else
               "no failover: a failed host's VMs stay down until it is back") if s else "")
        idle = [h.name for h in hosts if h.name not in used]
        if idle and k:
            add("cluster-reserve", f"{c.name}: {len(idle)} of {len(hosts)} hosts "
                f"{'holds' if len(idle) == 1 else 'hold'} no VM on day one "
                f"({', '.join(idle)})", f"the N+{k} reserve kept free for restarts: the failover plans of design.json name the host each "
                "VM of a failed host restarts on",
                "the cluster carries its load on the other hosts; VMM Dynamic Optimization may spread VMs onto "
                "the reserve in operation")
        mix = Counter(h.model for h in hosts)
        if len(mix) > 1:
            add("host-mix", f"{c.name}: " + " + ".join(f"{n} x {m}" for m, n in sorted(mix.items())),
                f"hardware.mix_models_in_cluster = true: the cheapest mix among {models}, N+{k} holding when the "
                f"largest hosts fail", "processor compatibility mode on every VM of the cluster (the VM templates of "
                "its VMM cloud), so that VMs live-migrate between the models' processor versions")
        elif hosts:
            h = hosts[0]
            add("host-model", f"{c.name}: {h.model} for all {len(hosts)} hosts",
                f"cheapest design among hardware.host_models: {models}",
                f"{h.vcpu_capacity} vCPU and {h.usable_memory_gb:g} GB usable memory per host "
                f"(host reserve {req.hardware.host_reserve.memory_gb:g} GB + "
                f"{req.hardware.host_reserve.memory_percent:g}%)")
        ratios.setdefault(c.purpose, c.vcpu_per_core)
    default = load_catalog().defaults["vcpu_per_core"]
    for purpose, ratio in ratios.items():
        given = getattr(req.hardware.vcpu_per_core, purpose)
        assumed = given == default.value[purpose]
        add("vcpu-ratio", f"{purpose} clusters: {ratio:g} vCPU per physical core",
            f"hardware.vcpu_per_core.{purpose} = {given:g} ("
            + ("catalog default; Assumptions: vcpu_per_core)" if assumed else "set in the requirements)"),
            "host vCPU capacity = sockets x cores x ratio; memory is never over-committed",
            status="open" if assumed else "required")


def _storage(design: Design, req: Requirements, add) -> None:
    st = req.hardware.shared_storage
    for c in design.clusters:
        if st.type == "csv":
            add("storage-csv", f"{c.name}: {c.shared_storage_gb or 0:,.0f} GB of cluster shared volumes",
                f"hardware.shared_storage.type = csv; VM storage + free_percent {st.free_percent:g}%, rounded up "
                f"to 100 GB", "a restarted VM moves no disk" + (
                    "; VM Role parent disks need room on the CSV" if c.purpose == "compute" and req.tenants.vm_roles
                    else ""))
        else:
            add("storage-local", f"{c.name}: host-local VM storage", "hardware.shared_storage.type = local",
                "storage is counted per host, restarts included")


def _availability(design: Design, req: Requirements, add) -> None:
    av = req.availability
    add("racks", f"Hosts spread round-robin over {av.racks} rack(s); rack loss "
        f"{'survived' if av.survive_rack_loss else 'not survived'}",
        f"availability.racks = {av.racks}, survive_rack_loss = {av.survive_rack_loss}",
        "every cluster also survives the loss of any one rack (one more failure scenario per rack)"
        if av.survive_rack_loss else "a rack loss may take down more VMs than the clusters' N+k covers")
    scopes = Counter(g.scope for g in design.anti_affinity_groups if not g.name.startswith("vmrole-"))
    vmrole = sum(g.name.startswith("vmrole-") for g in design.anti_affinity_groups)
    add("anti-affinity", f"Anti-affinity: {scopes['fault_domain']} role group(s) across racks, {scopes['host']} "
        f"across hosts; {vmrole} VM Role availability set(s)",
        f"availability.racks = {av.racks}: a group of 2 to {av.racks} members is spread over racks, larger groups "
        "over hosts" if av.racks >= 2 else "availability.racks = 1: every group is spread over hosts",
        "HA pairs never share a host (or a rack when the group fits the racks); after a failure, Hyper-V treats "
        "anti-affinity as a preference")


def _own_instance(databases) -> str:
    """Why one role's databases sit in a SQL instance of their own (own_sql_instance in roles.yaml)."""
    label = load_catalog().roles[databases[0].role].label
    return f"{label}'s database{'s' if len(databases) > 1 else ''} in a SQL instance of its own ({label} guidance)"


def _sql(design: Design, req: Requirements, add) -> None:
    options = decision_catalog().kinds["sql-ha"].options
    for s in design.sql_instances:
        mode = s.ha if s.ha in options else "standalone"
        owners = {d.role for d in s.databases}
        own = len(owners) == 1 and load_catalog().roles[next(iter(owners))].own_sql_instance
        add("sql-ha", f"{s.name} on {', '.join(s.nodes)}: {mode}",
            (f"sql.ha_mode = {req.sql.ha_mode}; {len(s.nodes)} SQL node(s) from the role count (Assumptions: role[sql])"
             if mode != "standalone" else "a single SQL node for this deployment mode")
            + (f"; {_own_instance(s.databases)}" if own else ""),
            f"databases {', '.join(d.name for d in s.databases)}; {options[mode].implication.format(s.listener)}",
            option=mode, status=None if mode != "standalone" else "proposed")


def _certificates(design: Design, req: Requirements, add) -> None:
    tokens = [c for c in certificates(design) if c.ca == SELF_SIGNED]
    if tokens:
        add("adfs-token-certificates", f"AD FS-managed token certificates ({SELF_SIGNED}, AutoCertificateRollover) "
            f"on {', '.join(tokens[0].installed_on)}: {', '.join(c.subject for c in tokens)}",
            "AD FS's default: the relying parties trust the token-signing certificate through AD FS's federation "
            "metadata, not through a CA chain, and AD FS renews both before they expire",
            "AD FS's service-communications certificate stays CA-issued (the certificate plan); the relying "
            "parties are updated at each rollover (checklist: the WAP-AD FS federation step)")
