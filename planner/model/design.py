"""The design: what `stampplan plan` writes as design.json (contract: docs/design-format.md)."""
from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict

from planner.catalog import is_tenant_role

FORMAT = "stampplan.design/1"
Purpose = Literal["management", "compute", "edge"]
COST_ITEMS = ("hardware", "windows_server", "system_center", "sql_server", "software_assurance", "power", "rack_space")


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Stamp(Item):
    """One VMM server (stamp), registered as a stamp in the design's one SPF farm `spf` (its endpoint FQDN)."""

    name: str
    vmm_vms: list[str]
    tenants: int = 0         # tenants (WAP subscriptions, one VMM user role each) on this stamp
    spf: str | None = None
    vm_networks: int = 0     # VM networks of its NVGRE tenants


class Cluster(Item):
    name: str
    stamp: str
    purpose: Purpose
    failures_tolerated: int
    fault_domain_tolerance: bool
    shared_storage_gb: float | None = None
    host_model: str | None = None
    vcpu_per_core: float


class Host(Item):
    name: str
    cluster: str
    fault_domain: str
    model: str
    vcpu_capacity: int
    memory_gb: float
    usable_memory_gb: float
    usable_storage_gb: float | None = None
    price: float


class AntiAffinityGroup(Item):
    name: str
    scope: Literal["host", "fault_domain"]
    max_per_host: int | None = None  # a spread web farm: at most this many members per host (None: one)


class RoleRule(Item):
    """A per-host rule on every VM of a role: at most `max_per_host` of them on a host; `dedicated`: a host
    running the role runs no other role."""

    role: str
    max_per_host: int | None = None
    dedicated: bool = False


class Vm(Item):
    name: str
    role: str
    cluster: str
    host: str | None = None
    vcpu: int
    memory_gb: float
    storage_gb: float
    anti_affinity_group: str | None = None
    size: str | None = None
    tenant: str | None = None

    @property
    def is_tenant(self) -> bool:
        """A tenant VM (or VM Role instance), not a management or edge VM."""
        return is_tenant_role(self.role)


class FailoverPlan(Item):
    cluster: str
    failed: list[str]
    restarts: dict[str, str]


class Database(Item):
    name: str
    role: str


class SqlInstance(Item):
    name: str
    stamp: str
    nodes: list[str]
    ha: Literal["standalone", "availability-group", "failover-cluster-instance"]
    listener: str | None = None
    databases: list[Database]


class LoadBalancer(Item):
    name: str
    stamp: str
    role: str
    members: list[str]
    vip_fqdn: str


class ClusterSolve(Item):
    cluster: str
    method: Literal["cp-sat", "heuristic", "empty"]
    status: str
    hosts: int
    cost: float
    lower_bound_cost: float
    gap: float
    binding: str
    deterministic_time: float = 0.0


class SolveReport(Item):
    status: Literal["optimal", "feasible"]
    objective: float
    lower_bound: float
    gap: float
    deterministic_time: float
    clusters: list[ClusterSolve]
    # per legal stamp count: the bound of any design with that many stamps, by part (planner/solve/stamp_bound.py);
    # lower_bound is the least of them
    stamp_bounds: list[dict] | None = None


class GrowthCluster(Item):
    """One compute cluster in one year: the hosts that year's tenant VMs need (same model and N+k)."""

    cluster: str
    hosts: int
    vms: int
    vcpu: int
    memory_gb: float


class GrowthYear(Item):
    """One year of the growth schedule: its load, hosts in all, hosts added and their hardware price."""

    year: int
    tenants: int
    tenant_vms: int
    clusters: list[GrowthCluster]
    hosts: int
    added_hosts: int
    added_cost: float


class GrowthPlan(Item):
    """requirements.growth restated, the schedule of years 0..years, and the year each host bought after
    day one is first needed."""

    annual_rate: float
    applies_to: str
    years: int
    utilisation_ceiling: float
    schedule: list[GrowthYear]
    additional_hosts: dict[str, int]

    def line(self) -> str:
        """day one: N hosts; year 1: +a; ..."""
        return "; ".join([f"day one: {self.schedule[0].hosts} hosts"]
                         + [f"year {y.year}: +{y.added_hosts}" for y in self.schedule[1:]])


class Assumption(Item):
    key: str
    value: object
    source: str
    assumption: bool


class Design(Item):
    """A complete design; `to_json` gives the byte-stable design.json."""

    format: str = FORMAT
    name: str
    system_center: str
    wap_deployment: str
    stamps: list[Stamp]
    clusters: list[Cluster]
    hosts: list[Host]
    anti_affinity_groups: list[AntiAffinityGroup]
    role_rules: list[RoleRule] = []
    vms: list[Vm]
    failover_plans: list[FailoverPlan]
    sql_instances: list[SqlInstance]
    load_balancers: list[LoadBalancer]
    solver: SolveReport
    cost: dict[str, float]   # the term cost by item, its total and per tenant VM per month (planner/cost.py)
    pricing: dict | None = None  # the terms, unit prices and licence rules of `cost` (planner/cost.pricing)
    growth: GrowthPlan | None = None  # hosts per year when the requirements have a growth section (planner/growth)
    assumptions: list[Assumption]
    requirements: dict  # the requirements this design answers, as validated (defaults filled in)

    def cost_line(self) -> str:
        """The term cost in one line: total, the items that are not zero, and per tenant VM per month."""
        c = self.cost
        if "total" not in c:
            return f"hardware {c.get('hardware', 0):,.0f}"
        items = ", ".join(f"{k.replace('_', ' ')} {c[k]:,.0f}" for k in COST_ITEMS if c.get(k))
        return (f"{c['total']:,.0f} over {c['term_years']:g} year(s) ({items}); "
                f"{c['per_tenant_vm_month']:,.2f} per tenant VM per month")

    def to_json(self) -> str:
        """design.json text: top-level keys one per line, each list item one compact line."""
        data = self.model_dump(mode="json", exclude_none=True)
        parts = []
        for key, value in data.items():
            if isinstance(value, list) and value:
                items = ",\n".join("  " + _compact(item) for item in value)
                parts.append(f"{json.dumps(key)}: [\n{items}\n]")
            else:
                parts.append(f"{json.dumps(key)}: {_compact(value)}")
        return "{\n" + ",\n".join(parts) + "\n}\n"


_compact = json.JSONEncoder(separators=(", ", ": "), ensure_ascii=False).encode  # one encoder for every line
