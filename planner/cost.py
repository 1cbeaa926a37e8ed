"""What a design costs over `cost.term_years`: the one place that prices a host (`host_cost`, which every
engine minimises) and the whole design (`design_cost`), from licensing.py's counts and catalog/licensing.yaml's
prices.

purchase: hardware and perpetual licences once; SQL Server licences whose VMs move between hosts (a cluster
tolerating a host failure, or of more than one host) carry Software Assurance for every year of the term, and so
do SQL licences of every core of a host (per-host licensing covers unlimited VMs only with SA). spla: hardware
once and every licence rented per 2-core pack per month (cores with their minimums, every version: the October
2016 SPUR). Power and rack space are paid per year and per month of the term for host models that give them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from planner.catalog import is_tenant_role
from planner.licensing import Rule, catalog, host_metric, host_units, price_table, sql_host_packs, sql_vm_packs
from planner.model.design import COST_ITEMS, Design
from planner.model.requirements import HostModel, Requirements

HOURS_PER_YEAR = 8760
ITEMS = COST_ITEMS
SQL_ROLE = "sql"


@dataclass(frozen=True)
class Terms:
    """The licence model, term and unit prices a design is priced with."""

    model: str          # purchase | spla
    years: int
    metric: str         # per-processor | per-core (purchased Windows Server and System Center)
    sql_mode: str       # per-vm | per-host
    prices: dict[str, float]
    rules: dict[str, Rule]

    @property
    def months(self) -> int:
        return 12 * self.years

    def assurance(self, licence: float) -> float:
        """Software Assurance on a licence price over the term."""
        return licence * self.prices["software_assurance_percent"] / 100 * self.years


def terms(req: Requirements) -> Terms:
    lic = req.licensing
    return Terms(model=lic.model if lic else "purchase", years=req.cost.term_years if req.cost else 3,
                 metric=host_metric(req.system_center), sql_mode=lic.sql_server if lic else "per-vm",
                 prices={k: p.value for k, p in price_table(req).items()}, rules=catalog()[0])


def sql_per_host(req: Requirements, roles: set[str]) -> bool:
    """Whether the hosts of a cluster running `roles` license every core for SQL Server."""
    return terms(req).sql_mode == "per-host" and SQL_ROLE in roles


def host_cost(model: HostModel, req: Requirements, sql_host: bool = False) -> dict[str, float]:
    """The term cost of one host of `model` by item (ITEMS); `sql_host`: SQL Server licensed on its cores."""
    t = terms(req)
    p = t.prices
    cores = model.sockets * model.cores_per_socket
    out = dict.fromkeys(ITEMS, 0.0)
    out["hardware"] = model.price
    sql_packs = sql_host_packs(model.sockets, cores, t.rules) if sql_host else 0
    enterprise = t.rules["sql_per_host"].value["edition"].lower()
    if t.model == "spla":
        packs = host_units("per-core", model.sockets, cores, t.rules)
        out["windows_server"] = packs * p["windows_datacenter_spla_2core_month"] * t.months
        out["system_center"] = packs * p["system_center_datacenter_spla_2core_month"] * t.months
        out["sql_server"] = sql_packs * p[f"sql_{enterprise}_spla_2core_month"] * t.months
    else:
        units = host_units(t.metric, model.sockets, cores, t.rules)
        suffix = "2proc" if t.metric == "per-processor" else "2core"
        out["windows_server"] = units * p[f"windows_datacenter_{suffix}"]
        out["system_center"] = units * p[f"system_center_datacenter_{suffix}"]
        out["sql_server"] = sql_packs * p[f"sql_{enterprise}_2core"]
        out["software_assurance"] = t.assurance(out["sql_server"])
    out["power"] = model.power_watts / 1000 * HOURS_PER_YEAR * t.years * p["power_kwh"]
    out["rack_space"] = model.rack_units * p["rack_unit_month"] * t.months
    return out


def unit_cost(model: HostModel, req: Requirements, sql_host: bool = False) -> float:
    """The term cost of one host of `model`: what the solver minimises per host."""
    return sum(host_cost(model, req, sql_host).values())


def sql_vm_cost(vcpu: int, edition: str, moves: bool, t: Terms) -> dict[str, float]:
    """The term cost of licensing one SQL VM per core; `moves`: it runs on more than one host (needs SA)."""
    packs = sql_vm_packs(vcpu, t.rules)
    out = dict.fromkeys(ITEMS, 0.0)
    if t.model == "spla":
        out["sql_server"] = packs * t.prices[f"sql_{edition.lower()}_spla_2core_month"] * t.months
    else:
        out["sql_server"] = packs * t.prices[f"sql_{edition.lower()}_2core"]
        out["software_assurance"] = t.assurance(out["sql_server"]) if moves else 0.0
    return out


def sql_moves(design, proven: bool = False) -> dict[str, bool]:
    """Per cluster: whether its VMs run on more than one host (it tolerates a host failure, or has two hosts or
    more), so that a per-VM SQL licence there needs Software Assurance. `proven`: only the first reason, which
    holds whatever the solver does (for lower bounds)."""
    hosts = Counter() if proven else Counter(h.cluster for h in design.hosts)
    return {c.name: c.failures_tolerated > 0 or (not proven and hosts[c.name] > 1) for c in design.clusters}


def sql_vm_licences(design, req: Requirements, proven_moves: bool = False) -> dict[str, float]:
    """The term cost of the per-VM SQL licences (none with per-host licensing) of `design` (a Design, or a Sizing
    with `proven_moves`). `proven_moves`: SA only where the cluster tolerates a host failure (so has two hosts or
    more whatever the solver does): for lower bounds."""
    t = terms(req)
    out = dict.fromkeys(ITEMS, 0.0)
    if t.sql_mode != "per-vm":
        return out
    moves = sql_moves(design, proven_moves)
    first: dict[str, str] = {}  # node -> the HA kind of its first instance: one licence per VM covers them all
    for sql in design.sql_instances:
        for node in sql.nodes:
            first.setdefault(node, sql.ha)
    vms = {vm.name: vm for vm in design.vms if vm.name in first}
    for node, ha in first.items():
        vm = vms.get(node)
        if vm is None or vm.cluster not in moves:
            continue
        for key, value in sql_vm_cost(vm.vcpu, t.rules["sql_edition"].value[ha], moves[vm.cluster], t).items():
            out[key] += value
    return out


def design_cost(design: Design, req: Requirements) -> dict[str, float]:
    """The design's term cost by item, its total, and the total per tenant VM per month."""
    models = {m.name: m for m in req.hardware.host_models}
    sql_clusters = {vm.cluster for vm in design.vms if vm.role == SQL_ROLE}
    out = sql_vm_licences(design, req)
    per_host = sql_per_host(req, {SQL_ROLE})
    costs: dict[tuple[str, bool], dict[str, float]] = {}  # (model, SQL on its cores) -> host_cost
    for host in design.hosts:
        kind = (host.model, per_host and host.cluster in sql_clusters)
        if kind not in costs:
            costs[kind] = host_cost(models[host.model], req, kind[1])
        for key, value in costs[kind].items():
            out[key] += value
    out = {key: round(value, 2) for key, value in out.items()}
    total = round(sum(out.values()), 2)
    tenant_vms = sum(count for role, count in Counter(vm.role for vm in design.vms).items() if is_tenant_role(role))
    months = terms(req).months
    return {**out, "total": total, "term_years": float(terms(req).years), "tenant_vms": float(tenant_vms),
            "per_tenant_vm_month": round(total / tenant_vms / months, 2) if tenant_vms else 0.0,
            "hosts": float(len(design.hosts))}


def pricing(req: Requirements) -> dict:
    """The terms, unit prices and licence rules a design was priced with (design.json `pricing`): what the
    solver-free validator (validate_cost.py) recomputes the cost from."""
    t = terms(req)
    per_proc, per_core = (t.rules[k].value for k in ("host_licences_per_processor", "host_licences_per_core"))
    return {"model": t.model, "term_years": t.years, "metric": t.metric, "sql_mode": t.sql_mode,
            "prices": dict(sorted(t.prices.items())),
            "rules": {"processors_per_licence": per_proc["processors_per_licence"],
                      "min_cores_per_processor": per_core["min_cores_per_processor"],
                      "min_cores_per_server": per_core["min_cores_per_server"],
                      "cores_per_pack": per_core["cores_per_pack"],
                      "sql_min_cores_per_vm": t.rules["sql_per_vm"].value["min_cores_per_vm"],
                      "sql_min_cores_per_processor": t.rules["sql_per_host"].value["min_cores_per_processor"],
                      "sql_per_host_edition": t.rules["sql_per_host"].value["edition"],
                      "sql_edition": dict(t.rules["sql_edition"].value)}}
