"""The certificate plan and the firewall/port matrix of a design, derived from the catalog roles
(public names, endpoints, talks_to flows, databases) and catalog/security.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

from planner.catalog import load_catalog, read_yaml
from planner.model.memo import per_design

DMZ, MANAGEMENT = "DMZ", "management network"
SELF_SIGNED = "self-signed by AD FS"  # a Certificate.ca beside "public" and "internal": AD FS makes and renews it


class _Port(BaseModel):
    port: int | None = None
    protocol: str
    source: str


class _End(BaseModel):
    zone: str
    label: str


class _Token(BaseModel):
    subject: str  # {fqdn}: the federation service name
    purpose: str


class _Adfs(BaseModel):
    source: str
    service: str
    tokens: list[_Token]


class _ConfigStore(BaseModel):
    database: str
    roles: list[str]
    source: str


class SecurityCatalog(BaseModel):
    ends: dict[str, _End]
    sql: _Port
    wap_config_store: _ConfigStore
    nvgre: _Port
    certificates_source: str
    certificate_roles: list[str]
    adfs: _Adfs


@cache
def security_catalog() -> SecurityCatalog:
    return SecurityCatalog.model_validate(read_yaml("security.yaml"))


@dataclass(frozen=True)
class Certificate:
    subject: str
    sans: tuple[str, ...]
    ca: str            # public | internal
    installed_on: tuple[str, ...]
    role: str
    purpose: str


@dataclass(frozen=True)
class Rule:
    source_zone: str
    source: str
    destination_zone: str
    destination: str
    port: str
    protocol: str
    purpose: str

    @property
    def crosses_firewall(self) -> bool:
        return self.source_zone != self.destination_zone


def zone(end: str) -> str:
    """The network zone of a role or flow end."""
    role = load_catalog().roles.get(end)
    if role:
        return DMZ if role.tier == "tenant_facing" else MANAGEMENT
    return security_catalog().ends[end].zone


def published_name(design: Any, role: str, stamp: str, vms: list[str]) -> str:
    """The name clients use for a role's service in a stamp: its VIP, else its public name (public_name roles),
    else its first VM's FQDN (`vms`: the role's VMs there)."""
    req = design.requirements
    lb = next((lb for lb in design.load_balancers if lb.role == role and lb.stamp == stamp), None)
    if lb:
        return lb.vip_fqdn
    spec = load_catalog().roles.get(role)
    if spec and spec.public_name:
        index = next(i for i, s in enumerate(design.stamps) if s.name == stamp)
        return spec.service_fqdn(f"s{index + 1:02d}" if index else "", req.get("dns_domain", "cloud.local"),
                                 req.get("public_domain"))
    return f"{vms[0]}.{req.get('dns_domain', 'cloud.local')}"


@per_design
def certificates(design: Any) -> list[Certificate]:
    """One certificate per service of the design that answers HTTPS: subject its published name (VIP, else
    the single VM), SANs its members; public CA for names the Internet resolves. After AD FS's (its service
    communications certificate), its token-signing and token-decrypting certificates, self-signed by AD FS."""
    roles, sec = load_catalog().roles, security_catalog()
    domain = design.requirements.get("dns_domain", "cloud.local")
    result: list[Certificate] = []
    stamp_of = {c.name: c.stamp for c in design.clusters}
    by_role: dict[str, list[Any]] = {}  # the VMs of each role, grouped once (not a scan per role and stamp)
    for vm in design.vms:
        by_role.setdefault(vm.role, []).append(vm)
    for name in sec.certificate_roles:
        for stamp in design.stamps:
            vms = [vm.name for vm in by_role.get(name, []) if stamp_of[vm.cluster] == stamp.name]
            if not vms:
                continue
            spec = roles[name]
            purpose = f"{spec.title}: HTTPS on {spec.endpoint.port}" if spec.endpoint else f"{spec.title}: computer"
            purpose += f", {sec.adfs.service}" if name == "adfs" else ""
            pooled = spec.public_name or any(lb.role == name and lb.stamp == stamp.name for lb in design.load_balancers)
            for members in ([vms] if pooled else [[vm] for vm in vms]):  # no VIP: one certificate per VM
                subject = published_name(design, name, stamp.name, members)
                sans = (subject,) if spec.public_name else tuple(dict.fromkeys([subject, *(f"{vm}.{domain}"
                                                                                        for vm in members)]))
                result.append(Certificate(subject=subject, sans=sans, ca="public" if spec.public_name else "internal",
                                          installed_on=tuple(members), role=name,
                                          purpose=purpose))
                if name == "adfs":
                    result += [Certificate(subject=token.subject.format(fqdn=subject), sans=(), ca=SELF_SIGNED,
                                           installed_on=tuple(members), role=name, purpose=token.purpose)
                               for token in sec.adfs.tokens]
    return result


@per_design
def firewall(design: Any) -> list[Rule]:
    """Every flow between the design's roles and flow ends, with zones, port and purpose: the roles'
    talks_to flows, each role's database traffic to SQL, NVGRE between provider addresses."""
    cat, sec = load_catalog(), security_catalog()
    present = {vm.role for vm in design.vms if vm.role in cat.roles}  # a role this catalog does not know: no rule
    ends = set(cat.flow_ends) - ({"tenant-networks"} if "hnv-gateway" not in present else set())
    ends -= {"compute"} if not any(c.purpose == "compute" for c in design.clusters) else set()
    rules: list[Rule] = []
    for flow in cat.flows():
        if {flow.source, flow.to} <= present | ends and (flow.source in present or flow.to in present):
            port = str(flow.port) if flow.port else (sec.nvgre.protocol if flow.protocol == "nvgre" else "any")
            rules.append(Rule(zone(flow.source), _name(flow.source), zone(flow.to), _name(flow.to), port,
                              flow.protocol, f"{flow.kind}: {_name(flow.source)} to {_name(flow.to)}"))
    for name in sorted(present, key=list(cat.roles).index):
        databases = cat.roles[name].databases or ([sec.wap_config_store.database]
                                                  if name in sec.wap_config_store.roles else [])
        if databases and "sql" in present:
            rules.append(Rule(zone(name), _name(name), MANAGEMENT, _name("sql"), str(sec.sql.port), sec.sql.protocol,
                              f"database: {', '.join(databases[:2])}" + ("..." if len(databases) > 2 else "")))
    return rules


def between(design: Any, zone_a: str, zone_b: str) -> list[Rule]:
    """The rules of the firewall matrix from either zone to the other: what a firewall between them passes."""
    return [rule for rule in firewall(design) if {rule.source_zone, rule.destination_zone} == {zone_a, zone_b}]


def _name(end: str) -> str:
    role = load_catalog().roles.get(end)
    return role.label if role else security_catalog().ends[end].label
