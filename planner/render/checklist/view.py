"""A design seen by the checklist: facts for conditions and text for {{placeholders}}."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from pydantic import ValidationError

from planner.catalog import load_catalog
from planner.errors import InputError
from planner.ipplan import HOST_NICS, Address, guest_clusters, ip_plan, subnets
from planner.model.design import Design, Vm
from planner.model.memo import per_design
from planner.model.requirements import Requirements
from planner.security import SELF_SIGNED, certificates, firewall, published_name
from planner.render.checklist.graph import BuildCatalog

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
WAP_NAMESPACES = ("wap-admin-portal", "wap-tenant-portal", "wap-admin-auth", "wap-tenant-auth")


@dataclass(frozen=True)
class Scope:
    """What one step is about: the whole design, a stamp, a cluster, or a role's VMs in a stamp."""

    kind: str
    stamp: str | None = None
    cluster: str | None = None
    role: str | None = None

    @property
    def key(self) -> str | None:
        return self.cluster or self.stamp


def fill(template: str, ctx: dict[str, str]) -> str:
    """Replace every {{name}}; KeyError naming the placeholder when the context lacks it."""
    def one(match: re.Match) -> str:
        if match.group(1) not in ctx:
            raise KeyError(f"placeholder {{{{{match.group(1)}}}}} has no value here")
        return ctx[match.group(1)]
    return PLACEHOLDER.sub(one, template)


def join(items) -> str:
    return ", ".join(str(i) for i in items) or "none"


@per_design
def management_vms(design: Design) -> list[Vm]:
    """The design's management and edge VMs (not tenant workloads), in design order."""
    return [vm for vm in design.vms if not vm.is_tenant]


def requirements_of(design: Design) -> Requirements:
    """The requirements embedded in a design, in the final year of their growth (the load it holds);
    InputError when they are not valid."""
    try:
        return Requirements.model_validate(design.requirements).final_year()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(f"the design's requirements are not valid: {where}: {first['msg']}") from None


class DesignView:
    """Indexes of one design plus the facts and placeholder values of each scope."""

    def __init__(self, design: Design, cat: BuildCatalog):
        self.d, self.cat = design, cat
        self.req = requirements_of(design)
        self.roles = load_catalog().roles
        self.addresses: dict[str, list[Address]] = defaultdict(list)
        self.subnets = subnets(design)
        for a in ip_plan(design):
            self.addresses[a.owner].append(a)
        self.hosts_of = defaultdict(list)
        for h in design.hosts:
            self.hosts_of[h.cluster].append(h)
        self.host = {h.name: h for h in design.hosts}
        self.cluster = {c.name: c for c in design.clusters}
        self.mgmt_vms = management_vms(design)
        self.vm_count = Counter(vm.cluster for vm in design.vms)
        self.tenant_count = Counter(vm.cluster for vm in design.vms if vm.is_tenant)
        self.tenants_on = Counter(vm.host for vm in design.vms if vm.is_tenant)
        self.vms_on = defaultdict(list)
        for vm in design.vms:
            self.vms_on[vm.host].append(vm)
        self.stamp_of = {c.name: c.stamp for c in design.clusters}
        self.guests = guest_clusters(design)
        self._global = self._global_context()

    # ---- lookups -----------------------------------------------------------------------------
    def fqdn(self, name: str) -> str:
        return f"{name}.{self.req.dns_domain}"

    def role_vms(self, role: str, stamp: str | None = None) -> list[Vm]:
        return [vm for vm in self.mgmt_vms if vm.role == role and (stamp is None or self.stamp_of[vm.cluster] == stamp)]

    def lb(self, role: str, stamp: str):
        return next((lb for lb in self.d.load_balancers if lb.role == role and lb.stamp == stamp), None)

    def endpoint(self, role: str, stamp: str) -> str:
        """The FQDN clients use for a role: its VIP, else its first VM (WAP express for WAP roles)."""
        vms = self.role_vms(role, stamp) or (self.role_vms("wap-express", stamp) if role.startswith("wap") else [])
        if self.lb(role, stamp) or vms:
            return published_name(self.d, vms[0].role if vms else role, stamp, [vm.name for vm in vms])
        return "none"

    def _port(self, role: str) -> int | None:
        """The port a role's service answers on (roles.yaml `endpoint`), if it has one."""
        spec = self.roles.get(role)
        return spec.endpoint.port if spec and spec.endpoint else None

    def address_text(self, owner: str, network: str | None = None) -> str:
        found = [a for a in self.addresses.get(owner, []) if network is None or a.network == network]
        if not found:
            return self.cat.labels["no_address"]
        labels = self.cat.labels
        return "; ".join(f"{a.network} {a.address}" + (f" (VLAN {a.vlan})" if a.vlan else "") +
                         (f" ({labels['kind_' + a.kind]})" if "kind_" + a.kind in labels else "") for a in found)

    def ip(self, owner: str) -> str:
        found = self.addresses.get(owner)
        return found[0].address if found else self.cat.labels["no_address"]

    def sql(self, stamp: str):
        return next((s for s in self.d.sql_instances if s.stamp == stamp), None)

    def stamps_with(self, role: str) -> list[str]:
        return [s.name for s in self.d.stamps if self.role_vms(role, s.name)]

    # ---- facts -------------------------------------------------------------------------------
    def facts(self, scope: Scope) -> dict[str, object]:
        present = {vm.role for vm in self.mgmt_vms}
        facts: dict[str, object] = {
            "system_center": self.d.system_center,
            "networking": self.req.tenants.networking,
            "console_access": "rdgw" in present,
            "storage": self.req.hardware.shared_storage.type,
            "vmm_ha": any(len(s.vmm_vms) > 1 for s in self.d.stamps),
            "sql_ha": any(s.ha != "standalone" for s in self.d.sql_instances),
            "sql_ha_mode": next((s.ha for s in self.d.sql_instances if s.ha != "standalone"), "standalone"),
            "vm_roles": bool(self.req.tenants.vm_roles),
            "has_role": present,
            "multi_stamp": len(self.d.stamps) > 1,
            "rack_loss": self.req.availability.survive_rack_loss,
            "networks_given": bool(self.subnets),
            "networks": set(self.subnets),
        }
        if scope.cluster:
            c = self.cluster[scope.cluster]
            n = len(self.hosts_of[c.name])
            facts.update(purpose=c.purpose, tolerates_host_failure=0 < c.failures_tolerated < n,
                         tolerates_rack_loss=c.fault_domain_tolerance,
                         mixed_models=len({h.model for h in self.hosts_of[c.name]}) > 1)
        if scope.role:
            facts["load_balanced"] = self.lb(scope.role, scope.stamp) is not None
        if scope.stamp:
            facts["stamp_roles"] = {vm.role for vm in self.mgmt_vms if self.stamp_of[vm.cluster] == scope.stamp}
        return facts

    @staticmethod
    def holds(condition: dict[str, object], facts: dict[str, object]) -> bool:
        """Every key of `condition` holds: the fact equals the value or one of a list (sets: intersect)."""
        for key, want in condition.items():
            if key not in facts:
                return False
            accepted = want if isinstance(want, list) else [want]
            have = facts[key]
            if isinstance(have, set):
                if not have.intersection(accepted):
                    return False
            elif have not in accepted:
                return False
        return True

    # ---- placeholder values -------------------------------------------------------------------
    def context(self, scope: Scope) -> dict[str, str]:
        ctx = dict(self._global)
        if scope.stamp:
            ctx.update(self._stamp_context(scope.stamp, ctx))
        if scope.cluster:
            ctx.update(self._cluster_context(scope.cluster))
        if scope.role:
            ctx.update(self._role_context(scope.role, scope.stamp))
        ctx.update(self._naming(ctx))
        return ctx

    def _naming(self, ctx: dict[str, str]) -> dict[str, str]:
        named = {}
        for key, template in self.cat.naming.items():
            try:
                named[key] = fill(template, ctx)
            except KeyError:
                continue  # needs a narrower scope
        return named

    def _networks(self) -> tuple[str, str, str]:
        nets = self.subnets
        label = self.cat.labels
        text = join(fill(label["network"], {"name": n, "cidr": str(net.cidr),
                                            "vlan": f" VLAN {net.vlan}" if net.vlan else (
                                                " (carved from the supernet)" if net.carved else "")})
                    for n, net in nets.items()) if nets else label["no_networks"]
        mgmt = nets.get("management")
        router = str(next(mgmt.cidr.hosts())) if mgmt else label["no_router"]
        pa = nets.get("provider_address")
        pa_pool = (str(pa.cidr) + (f" VLAN {pa.vlan}" if pa.vlan else "")) if pa else label["no_pa_pool"]
        return text, router, pa_pool

    def _global_context(self) -> dict[str, str]:
        d, req = self.d, self.req
        first = d.stamps[0].name
        networks, router, pa_pool = self._networks()
        probe = self.mgmt_vms[0].name if self.mgmt_vms else d.clusters[0].name
        wap_vms = [vm.name for vm in self.mgmt_vms if vm.role.startswith("wap")]
        vm_roles = req.tenants.vm_roles
        spf = d.stamps[0].spf or self.endpoint("spf", first)  # the one SPF farm every stamp is added to
        ctx = {
            "design": d.name, "domain": req.dns_domain, "version": d.system_center,
            "spf_fqdn": spf, "spf_url": f"https://{spf}:8090/", "stamp_count": str(len(d.stamps)),
            "max_stamps": str(load_catalog().limit("max_stamps", "any").value),
            "dc_path": ",".join(f"DC={part}" for part in req.dns_domain.split(".")),
            "networks": networks, "mgmt_router": router, "pa_pool": pa_pool,
            "cluster_network_roles": "; ".join(
                f"{n}: {self.cat.cluster_networks[n]}" for n in HOST_NICS if n in self.subnets),
            "dns_names": fill(self.cat.labels["dns_names"], {
                "vms": str(len(self.mgmt_vms)), "clusters": str(len(d.clusters) + len(self.guests)),
                "listeners": str(sum(1 for s in d.sql_instances if s.listener)),
                "vips": str(len(d.load_balancers))}),
            "dns_probe": self.fqdn(probe), "dns_probe_ip": self.ip(probe),
            "cert_plan": join(f"{c.subject}{' [' + ', '.join(c.sans[1:]) + ']' if len(c.sans) > 1 else ''} "
                              f"({c.ca} CA) on {', '.join(c.installed_on)}" for c in certificates(d)
                              if c.ca != SELF_SIGNED),
            "adfs_token_certs": join(f"{c.subject} ({c.ca}) on {', '.join(c.installed_on)}" for c in certificates(d)
                                     if c.ca == SELF_SIGNED),
            "guest_clusters": join(
                f"{g.name} {self.ip(g.name)}" + (f" with clustered role {g.role_name} {self.ip(g.role_name)}"
                                                 if g.role_name else "")
                + f" on {' + '.join(g.nodes)} (witness: {g.witness})" for g in self.guests),
            "firewall_rules": join(f"{r.source} ({r.source_zone}) to {r.destination} ({r.destination_zone}) "
                                   f"{r.port}/{r.protocol}" for r in firewall(d) if r.crosses_firewall),
            "tenant_portal_url": f"https://{self.endpoint('wap-tenant-portal', first)}:{self._port('wap-tenant-portal')}",
            "admin_api": self.endpoint("wap-admin-api", first),
            "wap_names": join(f"{self.roles[r].endpoint.namespace} {self.endpoint(r, first)}"
                              for r in WAP_NAMESPACES),
            "wap_sql": self._sql_target(first), "wap_vm_names": join(wap_vms),
            "adfs_fqdn": self.endpoint("adfs", first),
            "sma_first": next((self.fqdn(vm.name) for vm in self.role_vms("sma")), "none"),
            "vm_roles": join(f"{r.name} ({r.size}, {r.instances} instances, {r.deployments} deployments)"
                             for r in vm_roles),
            "vm_role_first": f"{vm_roles[0].name} ({vm_roles[0].instances} instances)" if vm_roles else "none",
            "vm_role_name": vm_roles[0].name if vm_roles else "none",
            "vm_role_instances": str(vm_roles[0].instances) if vm_roles else "0",
            "compute_clusters_all": join(c.name for c in d.clusters if c.purpose == "compute"),
            **self.cat.versions[d.system_center],
        }
        ctx.update(self._naming(ctx))
        clouds = [self._naming({**ctx, **self._stamp_base(s.name)}).get("cloud", s.name) for s in d.stamps]
        ctx["all_clouds"] = join(clouds)
        return ctx

    def _sql_target(self, stamp: str, role: str | None = None) -> str:
        """Where a stamp's databases live, or `role`'s when it has a SQL instance of its own."""
        own = next((i for i in self.d.sql_instances if role and any(db.role == role for db in i.databases)), None)
        sql = own or self.sql(stamp)
        if sql is None:
            return "none"
        return sql.listener or f"{sql.nodes[0]}\\{sql.name}"

    def _stamp_base(self, stamp: str) -> dict[str, str]:
        index = [s.name for s in self.d.stamps].index(stamp)
        library = self.role_vms("vmm-library", stamp) or self.role_vms("vmm", stamp)
        vmm = set(self.d.stamps[index].vmm_vms)
        role = next((g.role_name for g in self.guests if vmm & set(g.nodes) and g.role_name), None)
        return {"stamp": stamp, "stamp_dns": f".s{index + 1:02d}" if index else "",
                "vmm_role_name": (role or f"vmm{'.s%02d' % (index + 1) if index else ''}").lower(),
                "library_vm": library[0].name if library else "none"}

    def _stamp_context(self, stamp: str, outer: dict[str, str]) -> dict[str, str]:
        ctx = {**outer, **self._stamp_base(stamp)}
        ctx.update(self._naming(ctx))
        s = next(x for x in self.d.stamps if x.name == stamp)
        sql = self.sql(stamp)
        clusters = [c for c in self.d.clusters if c.stamp == stamp]
        compute = [c.name for c in clusters if c.purpose == "compute"]
        hosts = [h.name for c in (compute or [x.name for x in clusters]) for h in self.hosts_of[c]]
        rdgw = self.role_vms("rdgw", stamp)
        hnv = self.role_vms("hnv-gateway", stamp)
        pairs = defaultdict(list)
        for vm in hnv:
            pairs[vm.anti_affinity_group or vm.name].append(vm.name)
        ctx.update({
            "vmm_vms": join(s.vmm_vms), "vmm_first": s.vmm_vms[0] if s.vmm_vms else "none",
            "vmm_target": ctx["vmm_service"] if len(s.vmm_vms) > 1 else
            (self.fqdn(s.vmm_vms[0]) if s.vmm_vms else "none"),
            "sql_instance": sql.name if sql else "none", "sql_target": self._sql_target(stamp),
            "sql_nodes": join(sql.nodes) if sql else "none",
            "sql_listener": (sql.listener or "none (standalone)") if sql else "none",
            "sql_listener_ip": self.ip(sql.listener) if sql and sql.listener else self.cat.labels["no_address"],
            "databases": join(db.name for db in sql.databases) if sql else "none",
            "rdgw_fqdn": self.endpoint("rdgw", stamp) if rdgw else "none",
            "rdgw_first": rdgw[0].name if rdgw else "none",
            "hnv_pairs": join(" + ".join(m) for m in pairs.values()), "gateway_pairs": str(len(pairs)),
            "stamp_clusters": join(c.name for c in clusters), "compute_clusters": join(compute),
            "stamp_tenants": str(s.tenants), "first_host": hosts[0] if hosts else "none",
        })
        return ctx

    def _role_context(self, role: str, stamp: str) -> dict[str, str]:
        vms = self.role_vms(role, stamp)
        endpoint = self.roles[role].endpoint if role in self.roles else None
        fqdn, port = self.endpoint(role, stamp), self._port(role)
        return {
            "role": role, "role_title": self.roles[role].title,
            "vm_names": join(vm.name for vm in vms), "vm_first": vms[0].name,
            "vm_first_fqdn": self.fqdn(vms[0].name),
            "vm_hosts": join(sorted({vm.host for vm in vms if vm.host})),
            "role_fqdn": fqdn, "role_port": str(port or 443),
            "role_namespace": (endpoint and endpoint.namespace) or role,
            "role_url": f"https://{fqdn}:{port}" if port else f"https://{fqdn}",
            "role_sql": self._sql_target(stamp, role),
        }

    def _cluster_context(self, name: str) -> dict[str, str]:
        c = self.cluster[name]
        hosts = self.hosts_of[name]
        names = [h.name for h in hosts]
        pattern = [f"{name}-H{i + 1:02d}" for i in range(len(hosts))]
        expr = ",".join(names)
        if names == pattern and len(names) > 3:  # a PowerShell range instead of a long list
            expr = f"(1..{len(hosts)} | ForEach-Object {{ '{name}-H{{0:D2}}' -f $_ }})"
        ctx = {
            "cluster": name, "purpose": c.purpose, "k": str(c.failures_tolerated),
            "host_count": str(len(hosts)), "hosts": join(names), "host_expr": expr,
            "host_memory": f"{hosts[0].memory_gb:g}" if hosts else "0",
            "host_model": hosts[0].model if hosts else "none", "cluster_models": c.host_model,
            "cluster_ip": self.ip(name),
            "storage_gb": f"{c.shared_storage_gb:,.0f}" if c.shared_storage_gb else "0",
            "local_storage": join(f"{h.name} {h.usable_storage_gb:,.0f} GB" for h in hosts if h.usable_storage_gb),
            "first_host": names[0] if names else "none",
        }
        ctx.update(self._failure_context(name))
        return ctx

    # ---- acceptance: failure scenarios -------------------------------------------------------
    def _restart_text(self, failed: list[str], restarts: dict[str, str]) -> str:
        labels = self.cat.labels
        count = sum(len(self.vms_on[h]) for h in failed)
        if not count:
            return labels["restart_none"]
        tenants = sum(self.tenants_on[h] for h in failed)
        if tenants:
            survivors = len(self.hosts_of[self.host[failed[0]].cluster]) - len(failed)
            return fill(labels["restart_counted"], {"count": str(count), "tenants": str(tenants),
                                                     "survivors": str(survivors)})
        vms = [vm for h in failed for vm in self.vms_on[h]]
        moves = join(f"{vm.name} -> {restarts.get(vm.name, 'a surviving host')}" for vm in vms)
        return fill(labels["restart_listed"], {"count": str(len(vms)), "restarts": moves})

    def _failure_context(self, name: str) -> dict[str, str]:
        c = self.cluster[name]
        hosts = [h.name for h in self.hosts_of[name]]
        plans = [p for p in self.d.failover_plans if p.cluster == name]
        k = c.failures_tolerated
        single = [p for p in plans if len(p.failed) == k]
        best = max(single, key=lambda p: len(p.restarts), default=None)
        failed = list(best.failed) if best else hosts[:k]
        racks: dict[str, list[str]] = defaultdict(list)
        for h in self.hosts_of[name]:
            racks[h.fault_domain].append(h.name)
        rack = min(racks) if racks else "none"
        rack_plan = next((p for p in plans if set(p.failed) == set(racks.get(rack, []))), None)
        return {
            "fail_hosts": join(failed),
            "fail_expect": self._restart_text(failed, best.restarts if best else {}),
            "fail_rack": rack, "rack_hosts": join(racks.get(rack, [])),
            "rack_expect": self._restart_text(racks.get(rack, []), rack_plan.restarts if rack_plan else {}),
        }
