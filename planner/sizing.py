"""Sizing: requirements -> stamps, clusters and every VM (role, size, anti-affinity group)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.catalog import Figure, RoleSpec, load_catalog
from planner.model.design import AntiAffinityGroup, Cluster, Database, LoadBalancer, SqlInstance, Stamp, Vm
from planner.model.requirements import HostModel, Requirements, gateway_capacity, gateway_pairs
from planner.tenant_units import interleave, size_sequence, tenant_name, tenant_vm_name, tenant_width, vmrole_vm_name

Demand = tuple[int, int, int, int]  # vCPU, MB of memory, GB of storage (rounded up), VMs


@dataclass(frozen=True)
class ComputePlan:
    """One compute cluster of a stamp's partition (planner/solve/partition.py): the next `units` tenant units
    of the stamp's sequence (a unit: a tenant VM, or a VM Role deployment, which never splits), the host
    failures it tolerates, the most hosts it may have and its host model (None: any)."""

    units: int
    host_failures: int
    max_hosts: int
    host_model: str | None = None


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
    demands: dict[str, list[Demand]] = field(default_factory=dict)  # stamp -> its tenant units' demands, in order
    compute_plans: dict[str, ComputePlan] = field(default_factory=dict)  # compute cluster -> its plan
    _by_cluster: dict[str, list[Vm]] | None = field(default=None, init=False, repr=False, compare=False)

    def vms_of(self, cluster: str) -> list[Vm]:
        """The VMs of `cluster`, in order (`vms` grouped once: a sizing is not changed once made)."""
        if self._by_cluster is None:
            self._by_cluster = {}
            for vm in self.vms:
                self._by_cluster.setdefault(vm.cluster, []).append(vm)
        return list(self._by_cluster.get(cluster, ()))


def stamp_name(index: int) -> str:
    return f"STAMP{index + 1:02d}"


def _prefix(stamp: int) -> str:
    """Name prefix of a stamp's objects: none for the first stamp, S02 for the second..."""
    return "" if stamp == 0 else f"S{stamp + 1:02d}"


class _Sizer:
    def __init__(self, req: Requirements, stamps: int, compute: Sequence[int | list[ComputePlan]]):
        self.req, self.catalog = req, load_catalog()
        self.n_stamps, self.compute = stamps, compute
        self.demands: dict[str, list[Demand]] = {}
        self.plans: dict[str, ComputePlan] = {}
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
    def cluster(self, name: str, stamp: int, purpose: str, failures: int | None = None) -> Cluster:
        avail = self.req.availability
        ratio = getattr(self.req.hardware.vcpu_per_core, purpose)
        c = Cluster(name=name, stamp=stamp_name(stamp), purpose=purpose,
                    failures_tolerated=getattr(avail, purpose).host_failures if failures is None else failures,
                    fault_domain_tolerance=avail.survive_rack_loss, vcpu_per_core=ratio)
        self.clusters.append(c)
        return c

    def group(self, name: str, size: int, cap: int = 1) -> str:
        """An anti-affinity group of `size` VMs; `cap` > 1: a spread group (at most cap per host)."""
        racks = self.req.availability.racks
        scope = "fault_domain" if 2 <= size <= racks and cap == 1 else "host"
        self.groups.append(AntiAffinityGroup(name=name, scope=scope, max_per_host=cap if cap > 1 else None))
        return name

    # ---- management and edge roles --------------------------------------------------------
    def instances(self, role: RoleSpec, stamp_tenants: int) -> tuple[int, int]:
        """(VMs of the role, the most of them on one host): a spread web farm keeps the instances its load
        needs after any k host failures (k of its cluster) with at most that many per host; others one per host."""
        req = self.req
        if not role.present(req):
            return 0, 1
        count = base = role.instances[req.wap.deployment]
        needed = 1
        if role.scale_by and count:
            needed = math.ceil(req.wap.concurrent_tenant_users / self.limit(role.scale_by))
            count = max(count, needed)
        if role.pairs_by:
            count = 2 * gateway_pairs(req.vm_networks(stamp_tenants), self.use(gateway_capacity(req)))
        cap = 1
        k = getattr(req.availability, "edge" if home_tier(role, self.req) == "edge" else "management").host_failures
        if role.spread and base >= 2 and k:  # an HA farm (one instance: no HA promised)
            cap = math.ceil(needed / (k + 1))
            count = max(count, needed + k * cap)
            cap = (count - needed) // k
        override = req.overrides.get(role.name)
        if override and override.instances is not None:
            count = override.instances
            cap = min(cap, max(1, (count - needed) // k)) if cap > 1 else cap
        return count, max(1, cap)

    def size(self, role: RoleSpec, stamp_vms: int) -> tuple[int, float, float]:
        s = role.size
        self.figures[f"role-size[{role.name}]"] = Figure(
            key=f"role-size[{role.name}]", source=s.source, assumption=s.assumption,
            value={"vcpu": s.vcpu, "memory_gb": s.memory_gb, "storage_gb": s.storage_gb,
                   "tiers": [t.model_dump() for t in s.tiers]} if s.tiers else
                  {"vcpu": s.vcpu, "memory_gb": s.memory_gb, "storage_gb": s.storage_gb})
        vcpu, memory = s.vcpu, s.memory_gb
        if s.tiers:
            tier = next((t for t in s.tiers if stamp_vms <= t.max_vms), s.tiers[-1])
            vcpu, memory = tier.vcpu, tier.memory_gb or memory
        o = self.req.overrides.get(role.name)
        if o and (o.vcpu or o.memory_gb or o.storage_gb is not None):
            self.figures[f"role-size[{role.name}]"] = Figure(
                key=f"role-size[{role.name}]", source=f"requirements: overrides.{role.name}",
                value={"vcpu": o.vcpu or vcpu, "memory_gb": o.memory_gb or memory,
                       "storage_gb": s.storage_gb if o.storage_gb is None else o.storage_gb})
        if o:
            vcpu = o.vcpu or vcpu
            return vcpu, o.memory_gb or memory, s.storage_gb if o.storage_gb is None else o.storage_gb
        return vcpu, memory, s.storage_gb

    def role_vms(self, role: RoleSpec, stamp: int, cluster: str, stamp_tenants: int, stamp_vms: int) -> list[Vm]:
        count, cap = self.instances(role, stamp_tenants)
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
            g = self.group(f"{pre or 'S01'}-{role.name}".lower(), count, cap)
            groups = [g] * count
        vms = [Vm(name=n, role=role.name, cluster=cluster, vcpu=vcpu, memory_gb=memory, storage_gb=storage,
                  anti_affinity_group=g) for n, g in zip(names, groups)]
        if role.load_balanced and count >= 2:
            fqdn = role.service_fqdn(pre.lower(), self.req.dns_domain, self.req.public_domain)
            self.lbs.append(LoadBalancer(name=f"LB-{pre}{role.prefix}", stamp=stamp_name(stamp), role=role.name,
                                         members=names, vip_fqdn=fqdn))
        return vms

    def management(self, stamp: int, stamp_tenants: int, stamp_vms: int) -> list[str]:
        """Add the stamp's management and edge clusters and VMs; returns its VMM VM names."""
        mgmt = self.cluster(f"MGMT{stamp + 1:02d}", stamp, "management").name
        edge_name = f"EDGE{stamp + 1:02d}"
        edge_vms: list[Vm] = []
        first = len(self.vms)
        for role in self.catalog.roles.values():
            if role.scope == "global" and stamp != 0:
                continue
            home = {"management": mgmt, "edge": edge_name}[home_tier(role, self.req)]
            serves = (self.req.tenants.count, self.req.tenant_vm_count()) if role.scope == "global" else (
                stamp_tenants, stamp_vms)  # a global role serves every stamp
            vms = self.role_vms(role, stamp, home, *serves)
            (edge_vms if home == edge_name else self.vms).extend(vms)
            if role.source and role.present(self.req):  # the decision log sources the roles of this design
                self.use(Figure(key=f"role[{role.name}]", value=role.instances, source=role.source))
        if edge_vms:
            self.cluster(edge_name, stamp, "edge")
            self.vms.extend(edge_vms)
        self.sql_instance(stamp, self.vms[first:])
        return [vm.name for vm in self.vms[first:] if vm.role == "vmm"]

    def sql_instance(self, stamp: int, stamp_vms: list[Vm]) -> None:
        """The stamp's SQL instances on its SQL VMs: one for the fabric databases, and one of its own for each
        role that asks for it (own_sql_instance); HA as sql.ha_mode says (FCI or AlwaysOn AG)."""
        roles, pre = self.catalog.roles, _prefix(stamp)
        nodes = [vm.name for vm in stamp_vms if vm.role == "sql"]
        present = {vm.role for vm in stamp_vms}
        shared: list[Database] = []
        own: dict[str, list[Database]] = {}
        for role in roles.values():
            if role.name in present and role.databases:
                dbs = own.setdefault(role.name, []) if role.own_sql_instance else shared
                dbs += [Database(name=d, role=role.name) for d in role.databases
                        if not any(x.name == d for x in dbs)]
                self.use(Figure(key=f"databases[{role.name}]", value=role.databases,
                                source=role.databases_source or "", assumption="NOT CONFIRMED" in
                                (role.databases_source or "")))
        if not nodes:
            return
        ha = len(nodes) >= 2
        kind = {"fci": "failover-cluster-instance", "ag": "availability-group"}[self.req.sql.ha_mode]
        for i, (suffix, dbs) in enumerate([("", shared), *((f"-{r}", d) for r, d in own.items())]):
            self.sql.append(SqlInstance(
                name=f"{pre}SQLINST{i + 1:02d}", stamp=stamp_name(stamp), nodes=nodes,
                ha=kind if ha else "standalone",
                listener=f"sql{suffix}{'.' + pre.lower() if pre else ''}.{self.req.dns_domain}" if ha else None,
                databases=dbs))

    # ---- tenant workloads -----------------------------------------------------------------
    def tenants(self, tenant_stamp: list[int], vms: bool) -> None:
        """Add compute clusters and each stamp's tenant units (a tenant VM; a VM Role deployment, kept whole) in
        one sequence, VM Role deployments spread evenly among the tenant VMs, cut in order into the stamp's compute
        clusters (a tenant may span two clusters of its stamp's VMM cloud); with `vms`, the tenant VMs too.
        A unit is its tenant VM's number j >= 0 (tenant j // vms_per_tenant) or ~d for VM Role deployment d."""
        req = self.req
        sizes = req.vm_size_table()
        for name in set(req.tenants.vm_sizes) | {r.size for r in req.tenants.vm_roles}:
            s = sizes[name]
            self.use(Figure(key=f"vm-size[{name}]", value={"vcpu": s.vcpu, "memory_gb": s.memory_gb,
                            "storage_gb": s.storage_gb}, source=s.source, assumption=s.assumption))
        per = req.tenants.vms_per_tenant
        sequence = size_sequence(req.tenants.vm_sizes, req.tenants.count * per)
        demand = {name: unit_demand(sizes[name].vcpu, sizes[name].memory_gb, sizes[name].storage_gb)
                  for name in set(sequence)}
        plain: list[list[int]] = [[] for _ in range(self.n_stamps)]
        for t, stamp in enumerate(tenant_stamp):
            plain[stamp].extend(range(t * per, (t + 1) * per))
        deployments: list[list[int]] = [[] for _ in range(self.n_stamps)]
        roles = []  # per deployment: its role, number within the role, tenant and group
        for role in req.tenants.vm_roles:
            for dep in range(role.deployments):
                t = len(roles) % req.tenants.count if req.tenants.count else None
                deployments[tenant_stamp[t] if t is not None else len(roles) % self.n_stamps].append(~len(roles))
                group = self.group(f"vmrole-{role.name}-D{dep + 1:03d}".lower(), role.instances) \
                    if role.instances >= 2 else None
                roles.append((role, dep, t, group))
        role_demand = [unit_demand(sizes[r.size].vcpu, sizes[r.size].memory_gb, sizes[r.size].storage_gb, r.instances)
                       for r, *_ in roles]
        plain_cluster: list[str] = [""] * len(sequence)
        role_cluster: list[str] = [""] * len(roles)
        for stamp in range(self.n_stamps):
            units = interleave(plain[stamp], deployments[stamp])
            self.demands[stamp_name(stamp)] = [demand[sequence[u]] if u >= 0 else role_demand[~u] for u in units]
            plans = self.compute[stamp]
            if isinstance(plans, int):  # n clusters of (nearly) equal unit counts
                k, most = req.availability.compute.host_failures, req.hardware.max_hosts_per_cluster
                plans = [ComputePlan(len(units) * (i + 1) // plans - len(units) * i // plans, k, most)
                         for i in range(plans)]
            start = 0
            for plan in plans:
                name = self.cluster(f"COMP{len(self.clusters_of('compute')) + 1:02d}", stamp, "compute",
                                    plan.host_failures).name
                self.plans[name] = plan
                if vms:
                    for u in units[start:start + plan.units]:
                        if u >= 0:
                            plain_cluster[u] = name
                        else:
                            role_cluster[~u] = name
                start += plan.units
        if vms:
            self.vms += _tenant_vms(req, sizes, sequence, plain_cluster) + _vm_role_vms(req, sizes, roles, role_cluster)

    def clusters_of(self, purpose: str) -> list[Cluster]:
        return [c for c in self.clusters if c.purpose == purpose]


def _tenant_vms(req: Requirements, sizes: dict, sequence: list[str], cluster: list[str]) -> list[Vm]:
    """The tenant VMs, tenant by tenant: VM j of the size sequence in compute cluster cluster[j]."""
    width, per = tenant_width(req), req.tenants.vms_per_tenant
    out = []
    for t in range(req.tenants.count):
        tenant = tenant_name(t, width)
        for i, j in enumerate(range(t * per, (t + 1) * per)):
            s = sizes[sequence[j]]
            out.append(Vm(name=tenant_vm_name(tenant, i), role="tenant", cluster=cluster[j], vcpu=s.vcpu,
                          memory_gb=s.memory_gb, storage_gb=s.storage_gb, size=sequence[j], tenant=tenant))
    return out


def _vm_role_vms(req: Requirements, sizes: dict, roles: list, cluster: list[str]) -> list[Vm]:
    """The VM Role instances, deployment by deployment: (role, its number, tenant, group) in compute cluster
    cluster[d]."""
    width = tenant_width(req)
    return [Vm(name=vmrole_vm_name(role.name, dep, i), role="tenant-vmrole", cluster=cluster[d],
               vcpu=sizes[role.size].vcpu, memory_gb=sizes[role.size].memory_gb,
               storage_gb=sizes[role.size].storage_gb, anti_affinity_group=group, size=role.size,
               tenant=tenant_name(t, width) if t is not None else None)
            for d, (role, dep, t, group) in enumerate(roles) for i in range(role.instances)]


def role_rules() -> dict[str, tuple[int | None, bool]]:
    """Role -> (most VMs of it per host, whether its hosts are dedicated to it), from the catalog."""
    return {r.name: (r.max_per_host, r.dedicated_hosts) for r in load_catalog().roles.values()
            if r.max_per_host or r.dedicated_hosts}


def unit_demand(vcpu: int, memory_gb: float, storage_gb: float, vms: int = 1) -> Demand:
    """What `vms` VMs of one size ask of a host: vCPU, MB of memory, GB of storage rounded up, and VMs."""
    return vcpu * vms, round(memory_gb * MB_PER_GB) * vms, math.ceil(storage_gb) * vms, vms


def spf_endpoint(vms: list[Vm], lbs: list[LoadBalancer], domain: str) -> str | None:
    """The FQDN of the design's one SPF farm: its load balancer VIP, else its VM; every stamp registers with it."""
    lb = next((lb.vip_fqdn for lb in lbs if lb.role == "spf"), None)
    return lb or next((f"{vm.name}.{domain}" for vm in vms if vm.role == "spf"), None)


def size_design(req: Requirements, stamps: int, compute: Sequence[int | list[ComputePlan]],
                tenant_vms: bool = True) -> Sizing:
    """Every VM of the design for a given number of stamps and, per stamp, its compute clusters: a count
    (equal shares of its tenant units, the requirements' host failures) or a partition's plans. Without
    `tenant_vms`: the tenant units' demands (what a partition reads) but not their VMs, so `vms` holds the
    management and edge VMs only."""
    sizer = _Sizer(req, stamps, compute)
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
    sizer.tenants(tenant_stamp, tenant_vms)
    for key in ("vmm_max_hosts", "vmm_max_vms", "vmm_max_user_roles", "vmm_max_vm_networks", "vmm_max_clouds",
                "vmm_max_logical_networks", "max_stamps", "spf_max_vms", "cluster_max_nodes", "cluster_max_vms", "compute_n2_above_hosts",
                "host_max_vms", "vm_max_vcpu", "vm_max_memory_gb"):
        sizer.limit(key)
    hw = req.hardware
    in_use = {"vcpu_per_core": hw.vcpu_per_core.model_dump(), "host_reserve_memory_gb": hw.host_reserve.memory_gb,
              "host_reserve_memory_percent": hw.host_reserve.memory_percent,
              "shared_storage_free_percent": hw.shared_storage.free_percent,
              "planning_supernet": None if any(v for _, v in req.networks) else sizer.catalog.defaults[
                  "planning_supernet"].value}  # carved from only when no network is given
    for key, fig in sizer.catalog.defaults.items():
        if in_use[key] == fig.value:
            sizer.use(fig)
    return Sizing(stamps=stamp_objs, clusters=sizer.clusters, vms=sizer.vms, groups=sizer.groups,
                  sql_instances=sizer.sql, load_balancers=sizer.lbs, figures=sizer.figures, demands=sizer.demands,
                  compute_plans=sizer.plans)


# ---- host capacity ---------------------------------------------------------------------------
MB_PER_GB = 1024
MEMORY_STEP_MB = 256  # usable memory is rounded down to a quarter of a GB


def host_capacity(model: HostModel, cluster: Cluster, req: Requirements) -> tuple[int, int, int | None]:
    """What `model` offers VMs in `cluster`: vCPU (cores x the purpose's ratio), MB of memory (less
    the host reserve, rounded down to MEMORY_STEP_MB) and GB of local storage (None: storage is shared); a
    compute cluster's vCPU and memory at most growth.utilisation_ceiling of that."""
    reserve = req.hardware.host_reserve
    ceiling = req.growth.utilisation_ceiling if req.growth and cluster.purpose == "compute" else 1.0
    usable = (model.memory_gb * (1 - reserve.memory_percent / 100) - reserve.memory_gb) * ceiling
    usable_mb = max(0, math.floor(round(usable * MB_PER_GB / MEMORY_STEP_MB, 6)) * MEMORY_STEP_MB)
    local = req.hardware.shared_storage.type == "local"
    return (math.floor(round(model.sockets * model.cores_per_socket * cluster.vcpu_per_core * ceiling, 6)), usable_mb,
            math.floor(model.storage_gb) if local else None)


def cluster_roles(req: Requirements, purpose: str) -> frozenset[str]:
    """The roles whose VMs go to a cluster of `purpose`: tenant VMs to compute, each catalog role to
    the cluster of its tier (tenant-facing roles to edge or management, by placement.tenant_facing_tier)."""
    if purpose == "compute":
        return frozenset({"tenant", "tenant-vmrole"})
    return frozenset(r.name for r in load_catalog().roles.values() if home_tier(r, req) == purpose)


def home_tier(role: RoleSpec, req: Requirements) -> str:
    """The cluster purpose a role's VMs go to: its tier, tenant-facing roles where placement says."""
    return req.placement.tenant_facing_tier if role.tier == "tenant_facing" else role.tier
