"""The catalog: product limits, role definitions, VM sizes and defaults, each with its source.

Figures live in the YAML files beside this module; code reads them only through
`load_catalog()` (and the other loaders, through `read_yaml`), so every figure a design uses
can be listed with its source.
"""
from __future__ import annotations

from functools import cache, reduce
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from planner.catalog import compiled

Deployment = Literal["express", "distributed", "ha"]


class Figure(BaseModel):
    """One catalog figure with where it comes from."""

    model_config = ConfigDict(frozen=True)
    key: str
    value: Any
    source: str
    assumption: bool = False


class VmSize(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    vcpu: int = Field(gt=0)
    memory_gb: float = Field(gt=0)
    storage_gb: float = Field(ge=0)
    source: str = "user-defined in the requirements"
    assumption: bool = False


class SizeTier(BaseModel):
    max_vms: int
    vcpu: int
    memory_gb: float | None = None  # None: the size's memory_gb


class RoleSize(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vcpu: int | None = None
    memory_gb: float
    storage_gb: float
    tiers: list[SizeTier] = []
    source: str
    assumption: bool = False


Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-F]{6}$")]
FlowKind = Literal["request", "auth", "manage", "console", "network"]


class Look(BaseModel):
    """How a role is shown: short label and colour (the same in every view, theme and the report)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    colour: Colour


class Endpoint(BaseModel):
    """The service a role answers on: its WAP namespace (if any) and TCP port."""

    model_config = ConfigDict(extra="forbid")
    namespace: str | None = None
    port: int = Field(gt=0, lt=65536)


class Talk(BaseModel):
    """One flow of the logical view: to a role or a flow end, of a kind, on a port."""

    model_config = ConfigDict(extra="forbid")
    to: str
    kind: FlowKind
    port: int | None = Field(default=None, gt=0, lt=65536)
    protocol: str
    order: int  # place among all flows: the logical view draws them in this order


class Flow(Talk):
    """A Talk with its source."""

    source: str


class When(BaseModel):
    """The condition under which a role exists: requirement `field` (dotted) equals `equals`."""

    model_config = ConfigDict(extra="forbid")
    field: str
    equals: bool | int | str
    otherwise: str  # the other choice, in words ("no console access"): the relaxation explain offers

    def value(self, req: Any) -> Any:
        """The value of `field` in the requirements."""
        return reduce(getattr, self.field.split("."), req)

    def holds(self, req: Any) -> bool:
        return self.value(req) == self.equals


class GuestClusterSpec(BaseModel):
    """A role whose VMs form a guest failover cluster (one per stamp, or one per pair): its clustered
    role's network name (a second address beside the cluster name; None: the cluster name only) and witness."""

    model_config = ConfigDict(extra="forbid")
    role_name: str | None = None
    witness: str
    source: str


class RoleSpec(BaseModel):
    """How one management or edge role is deployed, drawn and reached."""

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    title: str
    label: str
    colour: Colour
    prefix: str
    scope: Literal["stamp", "global"]
    tier: Literal["management", "edge", "tenant_facing"]
    instances: dict[Deployment, int]
    size: RoleSize
    load_balanced: bool = False
    when: When | None = None
    endpoint: Endpoint | None = None
    talks_to: list[Talk] = []
    scale_by: str | None = None
    pairs_by: str | None = None
    spread: bool = False  # a web farm: spread so that losing k hosts leaves the instances the load needs
    max_per_host: int | None = None  # at most this many of the role's VMs on one host
    max_per_host_source: str | None = None
    dedicated_hosts: bool = False  # hosts running the role run nothing else
    dedicated_hosts_source: str | None = None
    ha_mode: str | None = None
    source: str | None = None
    databases: list[str] = []
    databases_source: str | None = None
    own_sql_instance: bool = False  # its databases in a SQL instance of their own
    guest_cluster: GuestClusterSpec | None = None
    public_name: str | None = None  # host name of its service in the public namespace

    def service_fqdn(self, stamp_label: str, dns_domain: str, public_domain: str | None) -> str:
        """The name clients use for the role's service: public_name in the public namespace (public_domain,
        else dns_domain) when it has one, else the role's name in dns_domain; stamp_label: '' or 's02'."""
        host, domain = (self.public_name, public_domain or dns_domain) if self.public_name else (self.name, dns_domain)
        return f"{host}{'.' + stamp_label if stamp_label else ''}.{domain}"

    def present(self, req: Any) -> bool:
        """Whether the requirements `req` call for this role at all (its `when` holds)."""
        return self.when is None or self.when.holds(req)


class FlowEnd(BaseModel):
    """A node of the logical view that is not a role (tenants, admins, clusters...)."""

    model_config = ConfigDict(extra="forbid")
    talks_to: list[Talk] = []


class Catalog(BaseModel):
    """Everything the planner knows about the products, as data."""

    roles: dict[str, RoleSpec]
    tenant_roles: dict[str, Look]
    unknown_role_colour: Colour
    flow_ends: dict[str, FlowEnd]
    sizes: dict[str, VmSize]
    limits: dict[str, dict[str, Figure]]
    defaults: dict[str, Figure]

    def limit(self, key: str, version: str) -> Figure:
        """The figure of limit `key` for System Center `version` (or its version-free value)."""
        by_version = self.limits[key]
        return by_version.get(version) or by_version["any"]

    def looks(self) -> dict[str, Look]:
        """Role -> its look, in display order: the catalog roles, then the tenant roles."""
        return {**{n: Look(label=r.label, colour=r.colour) for n, r in self.roles.items()}, **self.tenant_roles}

    def flows(self) -> list[Flow]:
        """Every flow of the logical view (from roles and flow ends), in drawing order."""
        talkers = [*self.roles.items(), *self.flow_ends.items()]
        return sorted((Flow(source=name, **t.model_dump()) for name, spec in talkers for t in spec.talks_to),
                      key=lambda f: f.order)

    def tenant_facing(self) -> set[str]:
        """Roles of the tenant-facing tier (their VIPs take external addresses)."""
        return {n for n, r in self.roles.items() if r.tier == "tenant_facing"}


def is_tenant_role(role: str) -> bool:
    """Whether `role` is a tenant workload (`tenant`, `tenant-vmrole`): the one test of "is a tenant VM"."""
    return role.startswith("tenant")


@cache
def _looks() -> dict[str, Look]:
    return load_catalog().looks()


def role_label(role: str) -> str:
    """Short display name of a role (its own name when the catalog does not know it)."""
    look = _looks().get(role)
    return look.label if look else role


def role_colour(role: str) -> str:
    """The role's colour; unknown tenant roles share the tenant colour."""
    looks = _looks()
    if role in looks:
        return looks[role].colour
    return looks["tenant"].colour if is_tenant_role(role) else load_catalog().unknown_role_colour


def role_order(role: str) -> tuple[int, str]:
    """Sort key: catalog order (roles, then tenant roles), then unknown roles by name."""
    rank = {name: i for i, name in enumerate(_looks())}
    return (rank[role], "") if role in rank else (len(rank), role)


@cache
def read_yaml(name: str) -> Any:
    """The parsed content of catalog file `name` (cached: callers must not modify it)."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return compiled.parse(name, text)


@cache
def load_catalog() -> Catalog:
    """Load and check the bundled catalog (cached)."""
    role_file = read_yaml("roles.yaml")
    roles = {name: RoleSpec(name=name, **spec) for name, spec in role_file["roles"].items()}
    limits = {
        key: {ver: Figure(key=f"{key}[{ver}]", **fig) for ver, fig in per_version.items()}
        for key, per_version in read_yaml("limits.yaml").items()
    }
    defaults = {key: Figure(key=key, **fig) for key, fig in read_yaml("defaults.yaml").items()}
    sizes = {name: VmSize(**spec) for name, spec in read_yaml("sizes.yaml").items()}
    return Catalog(roles=roles, tenant_roles=role_file["tenant_roles"], unknown_role_colour=role_file["unknown_role_colour"],
                   flow_ends=role_file["flow_ends"], sizes=sizes, limits=limits, defaults=defaults)
