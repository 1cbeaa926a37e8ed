"""Sizing: requirements -> stamps, clusters and every VM (role, size, anti-affinity group)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from planner.catalog import Figure, RoleSpec, load_catalog
from planner.model.design import AntiAffinityGroup, Cluster, Database, LoadBalancer, SqlInstance, Stamp, Vm
from planner.model.requirements import HostModel, Requirements

COMPUTE_MARGIN = 1.05  # compute hosts estimated 5% above the bare vCPU/memory need before the first placement


@dataclass
class Sizing:
    """Everything to place: the solver adds hosts and puts each VM on one."""

    stamps: list[Stamp]
    clusters: list[Cluster]
    vms: list[Vm]
    groups: list[AntiAffinityGroup]
    sql_instances: list[SqlInstance]
    load_balancers: list[LoadBalancer]
    figures: dict[str, Figure] = field(default_factory=dict)

    def vms_of(self, cluster: str) -> list[Vm]:
        return [vm for vm in self.vms if vm.cluster == cluster]


def stamp_name(index: int) -> str:
    return f"STAMP{index + 1:02d}"


def _prefix(stamp: int) -> str:
    """Name prefix of a stamp's objects: none for the first stamp, S02 for the second..."""
    return "" if stamp == 0 else f"S{stamp + 1:02d}"


class _Sizer:
    def __init__(self, req: Requirements, stamps: int, compute_clusters: list[int]):
        self.req, self.catalog = req, load_catalog()
        self.n_stamps, self.compute_clusters = stamps, compute_clusters
        self.figures: dict[str, Figure] = {}
        self.vms: list[Vm] = []
        self.groups: list[AntiAffinityGroup] = []
        self.clusters: list[Cluster] = []
        self.lbs: list[LoadBalancer] = []
        self.sql: list[SqlInstance] = []

    def use(self, fig: Figure) -> object:
        self.figures[fig.key] = fig
        return fig.value

    def limit(self, key: str) -> object:
        return self.use(self.catalog.limit(key, self.req.system_center))

    # ---- clusters -------------------------------------------------------------------------
    def cluster(self, name: str, stamp: int, purpose: str) -> Cluster:
        avail = self.req.availability
        ratio = getattr(self.req.hardware.vcpu_per_core, purpose)
        c = Cluster(name=name, stamp=stamp_name(stamp), purpose=purpose,
                    failures_tolerated=getattr(avail, purpose).host_failures,
                    fault_domain_tolerance=avail.survive_rack_loss, vcpu_per_core=ratio)
        self.clusters.append(c)
        return c

    def group(self, name: str, size: int) -> str:
        racks = self.req.availability.racks
        scope = "fault_domain" if 2 <= size <= racks else "host"
        self.groups.append(AntiAffinityGroup(name=name, scope=scope))
        return name

    # ---- management and edge roles --------------------------------------------------------
    def instances(self, role: RoleSpec, stamp_tenants: int) -> int:
        req = self.req
        if not role.present(req):
            return 0
        count = role.instances[req.wap.deployment]
        if role.scale_by and count:
            per = self.limit(role.scale_by)
            count = max(count, math.ceil(req.wap.concurrent_tenant_users / per))
        if role.pairs_by:
            per = self.limit(role.pairs_by)
            count = 2 * max(1, math.ceil(stamp_tenants / per))
        override = req.overrides.get(role.name)
        if override and override.instances is not None:
            count = override.instances
        return count

    def size(self, role: RoleSpec, stamp_vms: int) -> tuple[int, float, float]:
        s = role.size
        self.figures[f"role-size[{role.name}]"] = Figure(
            key=f"role-size[{role.name}]", source=s.source, assumption=s.assumption,
            value={"vcpu": s.vcpu, "memory_gb": s.memory_gb, "storage_gb": s.storage_gb,
                   "tiers": [t.model_dump() for t in s.tiers]} if s.tiers else
                  {"vcpu": s.vcpu, "memory_gb": s.memory_gb, "storage_gb": s.storage_gb})
        vcpu = s.vcpu
        if s.tiers:
            vcpu = next((t.vcpu for t in s.tiers if stamp_vms <= t.max_vms), s.tiers[-1].vcpu)
        o = self.req.overrides.get(role.name)
        if o and (o.vcpu or o.memory_gb or o.storage_gb is not None):
            self.figures[f"role-size[{role.name}]"] = Figure(
                key=f"role-size[{role.name}]", source=f"requirements: overrides.{role.name}",
                value={"vcpu": o.vcpu or vcpu, "memory_gb": o.memory_gb or s.memory_gb,
                       "storage_gb": s.storage_gb if o.storage_gb is None else o.storage_gb})
        if o:
            vcpu = o.vcpu or vcpu
            return vcpu, o.memory_gb or s.memory_gb, s.storage_gb if o.storage_gb is None else o.storage_gb
        return vcpu, s.memory_gb, s.storage_gb

    def role_vms(self, role: RoleSpec, stamp: int, cluster: str, stamp_tenants: int, stamp_vms: int) -> list[Vm]:
        count = self.instances(role, stamp_tenants)
        if not count:
            return []
        vcpu, memory, storage = self.size(role, stamp_vms)
        pre = _prefix(stamp)
        names = [f"{pre}{role.prefix}{i + 1:02d}" for i in range(count)]
        groups: list[str | None] = [None] * count
        if role.pairs_by:
            for p in range(count // 2):
                g = self.group(f"{pre or 'S01'}-{role.name}-pair{p + 1:02d}".lower(), 2)
                groups[2 * p] = groups[2 * p + 1] = g
        elif count >= 2:
            g = self.group(f"{pre or 'S01'}-{role.name}".lower(), count)
            groups = [g] * count
        vms = [Vm(name=n, role=role.name, cluster=cluster, vcpu=vcpu, memory_gb=memory, storage_gb=storage,
                  anti_affinity_group=g) for n, g in zip(names, groups)]
        if role.load_balanced and count >= 2:
            fqdn = f"{role.name}{'.' + pre.lower() if pre else ''}.{self.req.dns_domain}"
            self.lbs.append(LoadBalancer(name=f"LB-{pre}{role.prefix}", stamp=stamp_name(stamp), role=role.name,
                                         members=names, vip_fqdn=fqdn))
        return vms

    def management(self, stamp: int, stamp_tenants: int, stamp_vms: int) -> list[str]:
        """Add the stamp's management and edge clusters and VMs; returns its VMM VM names."""
        mgmt = self.cluster(f"MGMT{stamp + 1:02d}", stamp, "management").name
        edge_name = f"EDGE{stamp + 1:02d}"
        facing = edge_name if self.req.placement.tenant_facing_tier == "edge" else mgmt
        edge_vms: list[Vm] = []
        first = len(self.vms)
        for role in self.catalog.roles.values():
            if role.scope == "global" and stamp != 0:
                continue
            home = {"management": mgmt, "edge": edge_name, "tenant_facing": facing}[role.tier]
            serves = (self.req.tenants.count, self.req.tenant_vm_count()) if role.scope == "global" else (
                stamp_tenants, stamp_vms)  # a global role serves every stamp
            vms = self.role_vms(role, stamp, home, *serves)
            (edge_vms if home == edge_name else self.vms).extend(vms)
            if role.source:
                self.use(Figure(key=f"role[{role.name}]", value=role.instances, source=role.source))
        if edge_vms:
            self.cluster(edge_name, stamp, "edge")
            self.vms.extend(edge_vms)
        self.sql_instance(stamp, self.vms[first:])
        return [vm.name for vm in self.vms[first:] if vm.role == "vmm"]

    def sql_instance(self, stamp: int, stamp_vms: list[Vm]) -> None:
        roles, pre = self.catalog.roles, _prefix(stamp)
        nodes = [vm.name for vm in stamp_vms if vm.role == "sql"]
        present = {vm.role for vm in stamp_vms}
        dbs: list[Database] = []
        for role in roles.values():
            if role.name in present and role.databases:
                dbs += [Database(name=d, role=role.name) for d in role.databases
                        if not any(x.name == d for x in dbs)]
                self.use(Figure(key=f"databases[{role.name}]", value=role.databases,
                                source=role.databases_source or "", assumption="NOT CONFIRMED" in
                                (role.databases_source or "")))
        if not nodes:
            return
        ha = len(nodes) >= 2
        self.sql.append(SqlInstance(
            name=f"{pre}SQLINST01", stamp=stamp_name(stamp), nodes=nodes,
            ha="availability-group" if ha else "standalone",
            listener=f"sql{'.' + pre.lower() if pre else ''}.{self.req.dns_domain}" if ha else None,
            databases=dbs))

    # ---- tenant workloads -----------------------------------------------------------------
    def tenants(self, tenant_stamp: list[int]) -> list[int]:
        """Add tenant VMs to compute clusters; returns tenants per stamp."""
        req = self.req
        sizes = req.vm_size_table()
        for name in set(req.tenants.vm_sizes) | {r.size for r in req.tenants.vm_roles}:
            s = sizes[name]
            self.use(Figure(key=f"vm-size[{name}]", value={"vcpu": s.vcpu, "memory_gb": s.memory_gb,
                            "storage_gb": s.storage_gb}, source=s.source, assumption=s.assumption))
        per_stamp = [0] * self.n_stamps
        for s in tenant_stamp:
            per_stamp[s] += 1
        clusters = []
        for stamp in range(self.n_stamps):
            clusters.append([self.cluster(f"COMP{len(self.clusters_of('compute')) + 1:02d}", stamp, "compute").name
                             for _ in range(self.compute_clusters[stamp])])
        width = max(4, len(str(req.tenants.count)))
        sequence = size_sequence(req.tenants.vm_sizes, req.tenants.count * req.tenants.vms_per_tenant)
        seen_in_stamp = [0] * self.n_stamps
        j = 0
        for t in range(req.tenants.count):
            stamp = tenant_stamp[t]
            k = len(clusters[stamp])
            cluster = clusters[stamp][seen_in_stamp[stamp] * k // max(1, per_stamp[stamp])]
            seen_in_stamp[stamp] += 1
            tenant = f"T{t + 1:0{width}d}"
            for i in range(req.tenants.vms_per_tenant):
                size = sequence[j]
                j += 1
                s = sizes[size]
                self.vms.append(Vm(name=f"{tenant}-VM{i + 1:02d}", role="tenant", cluster=cluster, vcpu=s.vcpu,
                                   memory_gb=s.memory_gb, storage_gb=s.storage_gb, size=size, tenant=tenant))
        d = 0
        for role in req.tenants.vm_roles:
            s = sizes[role.size]
            for dep in range(role.deployments):
                t = d % req.tenants.count if req.tenants.count else None
                stamp = tenant_stamp[t] if t is not None else d % self.n_stamps
                cluster = clusters[stamp][d % len(clusters[stamp])]
                d += 1
                base = f"{role.name}-D{dep + 1:03d}"
                g = self.group(f"vmrole-{base}".lower(), role.instances) if role.instances >= 2 else None
                for i in range(role.instances):
                    self.vms.append(Vm(name=f"{base}-{i + 1:02d}", role="tenant-vmrole", cluster=cluster,
                                       vcpu=s.vcpu, memory_gb=s.memory_gb, storage_gb=s.storage_gb,
                                       anti_affinity_group=g, size=role.size,
                                       tenant=f"T{t + 1:0{width}d}" if t is not None else None))
        return per_stamp

    def clusters_of(self, purpose: str) -> list[Cluster]:
        return [c for c in self.clusters if c.purpose == purpose]


@dataclass(frozen=True)
class StampLimit:
    """One VMM scale limit as a floor on the stamp count: `need` objects, at most `per_stamp` on one VMM server."""

    what: str                 # e.g. "tenant user roles"
    need: int
    per_stamp: int
    fields: tuple[str, ...]   # the requirement fields that set `need`
    note: str = ""            # how per_stamp comes about, when it is not the limit itself

    @property
    def stamps(self) -> int:
        return max(1, math.ceil(self.need / self.per_stamp))

    @property
    def arithmetic(self) -> str:
        return f"⌈{self.need:,} {self.what} / {self.per_stamp:,} per VMM server{self.note}⌉ = {self.stamps:,}"


@dataclass(frozen=True)
class StampCapacity:
    """What one VMM stamp (one VMM server, registered as a stamp in the design's one SPF) manages."""

    max_vms: int              # every VM of the stamp
    max_hosts: int
    max_user_roles: int       # each WAP VM Clouds subscription (a tenant) is one VMM tenant user role
    max_vm_networks: int      # each NVGRE tenant owns at least one VM network
    management_vms: int       # of max_vms, kept for the stamp's own management and edge VMs

    @property
    def tenant_vms(self) -> int:
        return self.max_vms - self.management_vms

    def stamps_for(self, tenant_vms: int) -> int:
        """The fewest stamps that hold `tenant_vms` tenant VMs (at least one)."""
        return max(1, math.ceil(tenant_vms / self.tenant_vms))

    def limits(self, req: Requirements) -> list[StampLimit]:
        """Every VMM limit that the tenants of `req` count against (hosts are counted after placement)."""
        vm_fields = ("tenants.count", "tenants.vms_per_tenant") + (("tenants.vm_roles",) if req.tenants.vm_roles else ())
        return [StampLimit("tenant VMs", req.tenant_vm_count(), self.tenant_vms, vm_fields,
                           f" ({self.max_vms:,} less {self.management_vms:,} kept for management VMs)"),
                StampLimit("tenant user roles", req.tenants.count, self.max_user_roles, ("tenants.count",)),
                StampLimit("VM networks", req.vm_networks(req.tenants.count), self.max_vm_networks,
                           ("tenants.count", "tenants.vm_networks_per_tenant"))]

    def driver(self, req: Requirements) -> StampLimit:
        """The limit that needs the most stamps (the first listed on a tie)."""
        return max(self.limits(req), key=lambda lim: lim.stamps)

    def reason(self, req: Requirements, stamps: int) -> str:
        """Which limit drives a design of `stamps` stamps, with the arithmetic of every limit."""
        lead, others = self.driver(req), self.limits(req)
        head = "every VMM limit fits one server" if lead.stamps == 1 else f"driven by VMM {lead.what}"
        text = f"{head}: {lead.arithmetic}" + "".join(
            f"; {lim.what}: {lim.arithmetic}" for lim in others if lim != lead)
        if stamps > lead.stamps:
            text += (f"; with {lead.stamps} a stamp passed {self.max_hosts:,} hosts or {self.max_vms:,} VMs after "
                     f"placement, so stamps were added")
        return text


def stamp_capacity(version: str) -> StampCapacity:
    """The capacity of one stamp for System Center `version`, from the catalog's sourced VMM limits."""
    catalog = load_catalog()
    return StampCapacity(
        max_vms=catalog.limit("vmm_max_vms", version).value, max_hosts=catalog.limit("vmm_max_hosts", version).value,
        max_user_roles=catalog.limit("vmm_max_user_roles", version).value,
        max_vm_networks=catalog.limit("vmm_max_vm_networks", version).value,
        management_vms=catalog.limit("stamp_management_vms", version).value)


def compute_clusters(req: Requirements, sizing: Sizing) -> list[int]:
    """Compute clusters per stamp, so each stays within the hosts (less its failover spares) and the
    VMs allowed per cluster; `sizing` has one compute cluster per stamp."""
    max_cluster_vms = load_catalog().limit("cluster_max_vms", req.system_center).value
    avail, hw = req.availability, req.hardware
    usable_hosts = hw.max_hosts_per_cluster - avail.compute.host_failures
    if avail.survive_rack_loss:
        usable_hosts = min(usable_hosts, hw.max_hosts_per_cluster - math.ceil(hw.max_hosts_per_cluster / avail.racks))
    out = []
    for stamp in sizing.stamps:
        names = {c.name for c in sizing.clusters if c.purpose == "compute" and c.stamp == stamp.name}
        vms = [vm for vm in sizing.vms if vm.cluster in names]
        cluster = next(c for c in sizing.clusters if c.name in names)
        hosts_needed = []
        for model in hw.host_models:
            vcpu, memory_mb, _ = host_capacity(model, cluster, req)
            memory_gb = memory_mb / MB_PER_GB
            need = max(sum(vm.vcpu for vm in vms) / max(vcpu, 1),  # no vCPU at the ratio: exit 3 later
                       sum(vm.memory_gb for vm in vms) / max(memory_gb, 1 / 1024))  # 1 MB at least
            hosts_needed.append((need * model.price, need))
        need = min(hosts_needed)[1] * COMPUTE_MARGIN
        out.append(max(1, math.ceil(need / max(usable_hosts, 1)), math.ceil(len(vms) / max_cluster_vms)))
    return out


def size_sequence(mix: dict[str, float], total: int) -> list[str]:
    """`total` sizes following the mix exactly (largest remainder), evenly interleaved."""
    names = sorted(mix)
    exact = {n: mix[n] * total / 100 for n in names}
    counts = {n: math.floor(exact[n]) for n in names}
    for n in sorted(names, key=lambda n: (-(exact[n] - counts[n]), n))[: total - sum(counts.values())]:
        counts[n] += 1
    out, given = [], dict.fromkeys(names, 0)
    for j in range(total):
        n = max(names, key=lambda n: (counts[n] * (j + 1) / total - given[n], -names.index(n)))
        given[n] += 1
        out.append(n)
    return out


def spf_endpoint(vms: list[Vm], lbs: list[LoadBalancer], domain: str) -> str | None:
    """The FQDN of the design's one SPF farm: its load balancer VIP, else its VM; every stamp registers with it."""
    lb = next((lb.vip_fqdn for lb in lbs if lb.role == "spf"), None)
    return lb or next((f"{vm.name}.{domain}" for vm in vms if vm.role == "spf"), None)


def size_design(req: Requirements, stamps: int, compute_clusters: list[int]) -> Sizing:
    """Every VM of the design for a given number of stamps and of compute clusters per stamp."""
    sizer = _Sizer(req, stamps, compute_clusters)
    count = req.tenants.count
    tenant_stamp = [t * stamps // count for t in range(count)] if count else []
    tenants_per_stamp = [0] * stamps
    for s in tenant_stamp:
        tenants_per_stamp[s] += 1
    vms_per_stamp = [n * req.tenants.vms_per_tenant for n in tenants_per_stamp]
    vms_per_stamp[0] += req.tenant_vm_count() - sum(vms_per_stamp)  # VM Roles, roughly
    vmm_vms = [sizer.management(s, tenants_per_stamp[s], vms_per_stamp[s]) for s in range(stamps)]
    spf = spf_endpoint(sizer.vms, sizer.lbs, req.dns_domain)
    stamp_objs = [Stamp(name=stamp_name(s), vmm_vms=vmm_vms[s], tenants=tenants_per_stamp[s], spf=spf,
                        vm_networks=req.vm_networks(tenants_per_stamp[s])) for s in range(stamps)]
    sizer.tenants(tenant_stamp)
    for key in ("vmm_max_hosts", "vmm_max_vms", "vmm_max_user_roles", "vmm_max_vm_networks", "vmm_max_clouds",
                "vmm_max_logical_networks", "max_stamps", "spf_max_vms", "cluster_max_nodes", "cluster_max_vms",
                "host_max_vms", "vm_max_vcpu", "vm_max_memory_gb"):
        sizer.limit(key)
    hw = req.hardware
    in_use = {"vcpu_per_core": hw.vcpu_per_core.model_dump(), "host_reserve_memory_gb": hw.host_reserve.memory_gb,
              "host_reserve_memory_percent": hw.host_reserve.memory_percent,
              "shared_storage_free_percent": hw.shared_storage.free_percent}
    for key, fig in sizer.catalog.defaults.items():
        if in_use[key] == fig.value:
            sizer.use(fig)
    return Sizing(stamps=stamp_objs, clusters=sizer.clusters, vms=sizer.vms, groups=sizer.groups,
                  sql_instances=sizer.sql, load_balancers=sizer.lbs, figures=sizer.figures)


# ---- host capacity ---------------------------------------------------------------------------
MB_PER_GB = 1024
MEMORY_STEP_MB = 256  # usable memory is rounded down to a quarter of a GB


def host_capacity(model: HostModel, cluster: Cluster, req: Requirements) -> tuple[int, int, int | None]:
    """What `model` offers VMs in `cluster`: vCPU (cores x the purpose's ratio), MB of memory (less
    the host reserve, rounded down to MEMORY_STEP_MB) and GB of local storage (None: storage is shared)."""
    reserve = req.hardware.host_reserve
    usable = model.memory_gb * (1 - reserve.memory_percent / 100) - reserve.memory_gb
    usable_mb = max(0, math.floor(usable * MB_PER_GB / MEMORY_STEP_MB) * MEMORY_STEP_MB)
    local = req.hardware.shared_storage.type == "local"
    return (math.floor(model.sockets * model.cores_per_socket * cluster.vcpu_per_core), usable_mb,
            math.floor(model.storage_gb) if local else None)


def cluster_roles(req: Requirements, purpose: str) -> frozenset[str]:
    """The roles whose VMs go to a cluster of `purpose`: tenant VMs to compute, each catalog role to
    the cluster of its tier (tenant-facing roles to edge or management, by placement.tenant_facing_tier)."""
    if purpose == "compute":
        return frozenset({"tenant", "tenant-vmrole"})
    facing = req.placement.tenant_facing_tier
    return frozenset(r.name for r in load_catalog().roles.values()
                     if (facing if r.tier == "tenant_facing" else r.tier) == purpose)
