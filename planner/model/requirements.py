"""The requirements a consultant writes: tenants, availability, hardware on offer."""
from __future__ import annotations

import ipaddress
import math
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from planner.catalog import Figure, VmSize, load_catalog
from planner.validate_growth import year_load

NEEDED_ROLES = ("vmm", "sql", "spf")  # a stamp without them serves no tenant VM: never overridden below the catalog
MIN_VCPU_PER_CORE = 0.5  # fewer vCPUs per physical core than this is no plan anyone runs

Name = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Purpose = Literal["management", "compute", "edge"]


def _percent(value: object) -> float:
    """Accept 50, 50.0 or "50%" as fifty per cent."""
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"expected a percentage such as 50% (got {value!r})") from None
    return value  # type: ignore[return-value]


Percent = Annotated[float, BeforeValidator(_percent), Field(ge=0, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Wap(Strict):
    deployment: Literal["express", "distributed", "ha"] = Field(
        "distributed", description="express: all WAP roles on one VM (PoC); distributed: one VM per role; "
        "ha: every role at least twice behind load balancers, SQL and VMM highly available")
    concurrent_tenant_users: int = Field(0, ge=0, le=1_000_000, description="Peak concurrent tenant portal users")


class VmRole(Strict):
    name: Name
    size: str = Field(description="A catalog size or one of custom_vm_sizes")
    instances: int = Field(ge=1, le=64, description="Scaled-out instances; they never share a host")
    deployments: int = Field(1, ge=1, le=100_000, description="How many times tenants deploy this VM Role")


class Tenants(Strict):
    count: int = Field(ge=0, le=1_000_000, description="Number of tenant subscriptions")
    vms_per_tenant: int = Field(ge=0, le=100_000)
    vm_sizes: dict[str, Percent] = Field(default_factory=lambda: {"small": 100.0},
                                         description="Size mix of tenant VMs, per cent per size; sums to 100")
    vm_roles: list[VmRole] = []
    networking: Literal["nvgre", "vlan"] = "nvgre"
    vm_networks_per_tenant: int = Field(1, ge=1, le=1000, description="VM networks each NVGRE tenant creates "
                                        "(VMM manages at most 2 000 per server; not counted with VLAN networking)")
    vm_networks_per_gateway: int | None = Field(
        None, ge=1, le=100, description="VM networks one HNV gateway serves (VMM MaxVMNetworksSupported; "
        "each NVGRE tenant owns one); catalog default 50 when left out")
    console_access: bool = True

    @field_validator("vm_sizes")
    @classmethod
    def _mix_sums_to_100(cls, mix: dict[str, float]) -> dict[str, float]:
        if not mix:
            raise ValueError("give at least one size, e.g. {small: 100%}")
        if not math.isclose(sum(mix.values()), 100.0, abs_tol=0.01):
            raise ValueError(f"the size mix must sum to 100% (it sums to {sum(mix.values()):g}%)")
        return mix


class Tolerance(Strict):
    host_failures: int = Field(1, ge=0, le=4, description="k: hosts that may fail at once with every VM restarted")


class Availability(Strict):
    management: Tolerance = Tolerance()
    compute: Tolerance = Tolerance()
    edge: Tolerance = Tolerance()
    racks: int = Field(1, ge=1, le=64, description="Fault domains the hosts are spread over")
    survive_rack_loss: bool = False


class Sql(Strict):
    ha_mode: Literal["fci", "ag"] = Field(
        "fci", description="With wap.deployment ha: fci, a failover-cluster instance on shared storage (SQL Standard; "
        "the VMM docs' recommended HA in a datacenter), or ag, an AlwaysOn availability group (SQL Enterprise)")


class Placement(Strict):
    tenant_facing_tier: Literal["edge", "management"] = Field(
        "edge", description="Cluster of the RD Gateway farm and the Internet-facing WAP tier")


class HostModel(Strict):
    name: Name
    sockets: int = Field(ge=1, le=16)
    cores_per_socket: int = Field(ge=1, le=256)
    memory_gb: float = Field(gt=0, le=49_152)
    price: float = Field(ge=0, le=1e9)
    storage_gb: float = Field(0, ge=0, le=1e7, description="Usable local disk (only with shared_storage.type: local)")
    power_watts: float = Field(0, ge=0, le=100_000, exclude_if=lambda value: value == 0,
                               description="Average power draw, priced at power_kwh over cost.term_years (0: not counted)")
    rack_units: int = Field(0, ge=0, le=64, exclude_if=lambda value: value == 0,
                            description="Rack units, priced at rack_unit_month over cost.term_years (0: not counted)")
    vendor: Literal["intel", "amd"] | None = Field(
        None, exclude_if=lambda value: value is None,
        description="CPU vendor: models of different vendors never share a cluster (live migration needs one vendor)")


def _default(key: str):
    return load_catalog().defaults[key].value


class VcpuPerCore(Strict):
    management: float = Field(default_factory=lambda: _default("vcpu_per_core")["management"],
                    ge=MIN_VCPU_PER_CORE, le=16)
    compute: float = Field(default_factory=lambda: _default("vcpu_per_core")["compute"],
                    ge=MIN_VCPU_PER_CORE, le=16)
    edge: float = Field(default_factory=lambda: _default("vcpu_per_core")["edge"],
                    ge=MIN_VCPU_PER_CORE, le=16)


class HostReserve(Strict):
    memory_gb: float = Field(default_factory=lambda: _default("host_reserve_memory_gb"), ge=0, le=49_152)
    memory_percent: float = Field(default_factory=lambda: _default("host_reserve_memory_percent"), ge=0, lt=100)


class SharedStorage(Strict):
    type: Literal["csv", "local"] = Field("csv", description="csv: clustered shared volumes; local: host disks")
    free_percent: float = Field(default_factory=lambda: _default("shared_storage_free_percent"), ge=0, lt=100)


class CustomVmSize(VmSize):
    """A tenant VM size of the requirements: finite, and no larger than an overridden role may be."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    vcpu: int = Field(gt=0, le=240)
    memory_gb: float = Field(gt=0, le=12_288)
    storage_gb: float = Field(ge=0, le=1e6)


class Hardware(Strict):
    host_models: list[HostModel] = Field(min_length=1)
    max_hosts_per_cluster: int = Field(64, ge=1, le=64)
    vcpu_per_core: VcpuPerCore = VcpuPerCore()
    host_reserve: HostReserve = HostReserve()
    shared_storage: SharedStorage = SharedStorage()
    mix_models_in_cluster: bool = Field(
        False, exclude_if=lambda value: not value,
        description="A compute cluster may mix host models (VMs then run in processor compatibility mode)")

    @model_validator(mode="after")
    def _one_vendor_when_mixed(self) -> Hardware:
        vendors = sorted({m.vendor for m in self.host_models if m.vendor})
        if self.mix_models_in_cluster and len(vendors) > 1:
            raise ValueError(f"mix_models_in_cluster: host models of {' and '.join(vendors)} processors cannot share "
                             f"a cluster (live migration needs one CPU vendor): offer one vendor's models, or set "
                             f"mix_models_in_cluster to false")
        return self

    @field_validator("host_models")
    @classmethod
    def _unique_models(cls, models: list[HostModel]) -> list[HostModel]:
        names = [m.name for m in models]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"host model names must be unique (repeated: {', '.join(dupes)})")
        return models


class Network(Strict):
    cidr: ipaddress.IPv4Network
    vlan: int | None = Field(None, ge=1, le=4094)


class Networks(Strict):
    management: Network | None = None
    cluster: Network | None = None
    live_migration: Network | None = None
    storage: Network | None = None
    provider_address: Network | None = None
    dmz: Network | None = Field(None, exclude_if=lambda value: value is None, description="The tenant-facing tier's own network (Web Application Proxy, "
                                "tenant portal and auth, Tenant Public API, RD Gateway), behind a firewall")
    external: Network | None = Field(None, description="Public side: tenant-facing VIPs and HNV gateway front ends")
    supernet: ipaddress.IPv4Network | None = Field(
        None, exclude_if=lambda value: value is None, description="Address block the networks the design needs but this section leaves out are carved "
        "from (sized to the IP plan, in the order above); without it a missing network is refused")

    @model_validator(mode="after")
    def _no_overlap(self) -> Networks:
        given = [(name, net.cidr) for name, net in self if isinstance(net, Network)]
        for i, (a, net_a) in enumerate(given):
            for b, net_b in given[i + 1:]:
                if net_a.overlaps(net_b):
                    raise ValueError(f"networks.{b}: {net_b} overlaps networks.{a} ({net_a})")
        return self


class RoleOverride(Strict):
    instances: int | None = Field(None, ge=0, le=64)
    vcpu: int | None = Field(None, ge=1, le=240)
    memory_gb: float | None = Field(None, gt=0, le=12_288)
    storage_gb: float | None = Field(None, ge=0, le=1e6)


PriceKey = Literal["windows_datacenter_2proc", "windows_datacenter_2core", "system_center_datacenter_2proc",
                   "system_center_datacenter_2core", "sql_enterprise_2core", "sql_standard_2core",
                   "software_assurance_percent", "windows_datacenter_spla_2core_month",
                   "system_center_datacenter_spla_2core_month", "sql_enterprise_spla_2core_month",
                   "sql_standard_spla_2core_month", "power_kwh", "rack_unit_month"]


class Licensing(Strict):
    """Licence options of the design's cost; rules and default prices: catalog/licensing.yaml."""

    model: Literal["purchase", "spla"] = Field(
        "purchase", exclude_if=lambda value: value == "purchase",
        description="purchase: perpetual licences bought once (SQL Server with Software Assurance where its VMs move "
        "between hosts); spla: monthly per-core rental (Services Provider License Agreement), for hosters")
    sql_server: Literal["per-vm", "per-host"] = Field(
        "per-vm", description="per-vm: the vCPUs of every SQL VM, at least 4 cores each; per-host: every core of "
        "the hosts of the clusters that run SQL VMs, Enterprise edition")
    prices: dict[PriceKey, Annotated[float, Field(ge=0, le=1e9)]] = Field(
        {}, description="Licence unit prices replacing the catalog defaults, in the currency of the host prices")


class Cost(Strict):
    """The term the design's total cost covers, and the currency of its amounts."""

    currency: str = Field("USD", pattern=r"^[A-Z]{3}$",
                          description="ISO 4217 code of the host and licence prices, shown with every amount")
    term_years: int = Field(3, ge=1, le=10, exclude_if=lambda value: value == 3,
                            description="Years the total cost covers: Software Assurance, SPLA rent, power and rack "
                            "space are paid for each of them; the solver minimises this total")


class Growth(Strict):
    """Load growth the design holds: it is sized for the final year, with compute at most the ceiling full."""

    annual_rate: float = Field(0.0, ge=0, le=2, description="Yearly growth, 0.30 for 30 % (at most 2: tripling)")
    applies_to: Literal["vms", "tenants"] = Field(
        "vms", description="vms: each tenant's VMs grow; tenants: the tenant count grows (VM Role deployments "
        "grow either way)")
    years: int = Field(0, ge=0, le=10, description="Years to plan for: the design holds year `years`")
    utilisation_ceiling: float = Field(
        1.0, gt=0, le=1, description="Share of each compute host's vCPU (cores x ratio) and memory (after the "
        "host reserve) VMs may use, in every state including after N+k failures (0.80: 80 %)")


class Document(Strict):
    """Document control of the printable design document (report.html): taken from here, never the
    clock, so the same requirements give the same bytes."""

    version: str = Field("0.1", min_length=1, max_length=40, description="Document version on the cover")
    date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                             description="Issue date, YYYY-MM-DD (the cover says undated when left out)")
    author: str | None = Field(None, max_length=200, description="Author named on the cover")
    customer: str | None = Field(None, max_length=200, description="Customer named on the cover")

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        return value.isoformat() if hasattr(value, "isoformat") else value  # YAML reads 2025-01-31 as a date


class Requirements(Strict):
    """A requirements file: what the stamp must serve and the hardware on offer."""

    name: Name
    system_center: Literal["2012 R2", "2016", "2019"] = "2016"
    dns_domain: str = Field("cloud.local", pattern=r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$", max_length=200)
    public_domain: str | None = Field(
        None, pattern=r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$", max_length=200, exclude_if=lambda value: value is None,
        description="Public DNS namespace of the tenant-facing endpoints (portal, auth, APIs, RD Gateway, AD FS "
        "proxy), distinct from dns_domain; dns_domain when left out")
    wap: Wap = Wap()
    tenants: Tenants
    availability: Availability = Availability()
    placement: Placement = Placement()
    sql: Sql = Sql()
    operations_manager: bool = Field(
        False, exclude_if=lambda value: value is False, description="Add System Center Operations Manager with its data warehouse: SPF usage metering "
        "(WAP chargeback) reads it")
    hardware: Hardware
    custom_vm_sizes: dict[Name, CustomVmSize] = {}
    networks: Networks = Networks()
    overrides: dict[str, RoleOverride] = {}
    licensing: Licensing | None = Field(None, exclude_if=lambda value: value is None,
                                        description="Licence model and prices (catalog defaults when left out)")
    cost: Cost | None = Field(None, exclude_if=lambda value: value is None,
                              description="Currency and term of the total cost (USD, 3 years when left out)")
    document: Document | None = Field(None, exclude_if=lambda value: value is None,
                                      description="Version, date, author and customer of the design document")
    growth: Growth | None = Field(None, exclude_if=lambda value: value is None,
                                  description="Growth over the years the design holds (none when left out)")

    @property
    def currency(self) -> str:
        """ISO code of every amount: cost.currency, USD when left out."""
        return (self.cost or Cost()).currency

    @field_validator("system_center", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _names_resolve(self) -> Requirements:
        sizes = self.vm_size_table()
        known = ", ".join(sorted(sizes))
        for field, names in (("tenants.vm_sizes", list(self.tenants.vm_sizes)),
                             ("tenants.vm_roles", [r.size for r in self.tenants.vm_roles])):
            for size in names:
                if size not in sizes:
                    raise ValueError(f"{field}: unknown VM size {size!r} (known: {known})")
        roles = load_catalog().roles
        for role in self.overrides:
            if role not in roles:
                raise ValueError(f"overrides: unknown role {role!r} (known: {', '.join(sorted(roles))})")
        names = [r.name for r in self.tenants.vm_roles]
        if len(set(names)) != len(names):
            raise ValueError("tenants.vm_roles: VM Role names must be unique")
        return self

    @model_validator(mode="after")
    def _needed_roles_kept(self) -> Requirements:
        roles = load_catalog().roles
        for name in NEEDED_ROLES:
            override, least = self.overrides.get(name), roles[name].instances[self.wap.deployment]
            if override and override.instances is not None and override.instances < least:
                raise ValueError(f"overrides.{name}.instances: a stamp needs at least {least} {roles[name].title} "
                                 f"instance(s) with wap.deployment {self.wap.deployment} (got {override.instances})")
        return self

    @model_validator(mode="after")
    def _every_tenant_has_a_vm(self) -> Requirements:
        total = self.tenant_vm_count()
        if self.tenants.count > total:  # gateways are sized by tenants: a million empty ones would need 20 000
            raise ValueError(f"tenants.count: {self.tenants.count:,} tenants but {total:,} tenant VMs: every tenant "
                             f"needs at least one VM (raise tenants.vms_per_tenant or VM Role deployments, or "
                             f"count fewer tenants)")
        return self

    def in_year(self, year: int) -> Requirements:
        """These requirements with the tenants of `year` of the growth section (unchanged without one)."""
        if self.growth is None or not year:
            return self
        t = self.tenants
        count, per, deployments = year_load(t.model_dump(), self.growth.model_dump(), year)
        roles = [r.model_copy(update={"deployments": d}) for r, d in zip(t.vm_roles, deployments)]
        return self.model_copy(update={"tenants": t.model_copy(
            update={"count": count, "vms_per_tenant": per, "vm_roles": roles})})

    def final_year(self) -> Requirements:
        """The load the design holds: the last year of the growth section."""
        return self.in_year(self.growth.years if self.growth else 0)

    def vm_networks(self, tenants: int) -> int:
        """The VMM VM networks `tenants` tenants own: NVGRE tenants create their own, VLANs are shared."""
        return tenants * self.tenants.vm_networks_per_tenant if self.tenants.networking == "nvgre" else 0

    def vm_size_table(self) -> dict[str, VmSize]:
        """Catalog sizes, overridden and extended by custom_vm_sizes."""
        return {**load_catalog().sizes, **self.custom_vm_sizes}

    def tenant_vm_count(self) -> int:
        """Tenant VMs asked for: plain tenant VMs plus every VM Role instance."""
        plain = self.tenants.count * self.tenants.vms_per_tenant
        return plain + sum(r.instances * r.deployments for r in self.tenants.vm_roles)


def gateway_capacity(req: Requirements) -> Figure:
    """VM networks one HNV gateway serves: tenants.vm_networks_per_gateway, else the catalog default."""
    given = req.tenants.vm_networks_per_gateway
    if given is not None:
        return Figure(key="hnv_vm_networks_per_gateway", value=given,
                      source="requirements: tenants.vm_networks_per_gateway")
    return load_catalog().limit("hnv_vm_networks_per_gateway", req.system_center)


def gateway_pairs(vm_networks: int, per_gateway: int) -> int:
    """Active/passive gateway pairs for `vm_networks` tenant VM networks (at least one pair)."""
    return max(1, math.ceil(vm_networks / per_gateway))
