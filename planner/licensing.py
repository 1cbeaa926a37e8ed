"""Licence arithmetic of the bill of materials, from the rules in catalog/licensing.yaml.

Each rule is applied twice from the same data: in Python (the counts the tests and the
Assumptions sheet use) and as an Excel formula (so the workbook follows edited counts).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from planner.catalog import read_yaml
from planner.model.design import Design
from planner.model.requirements import Requirements


@dataclass(frozen=True)
class Rule:
    key: str
    value: Any
    source: str
    assumption: bool = False


@dataclass(frozen=True)
class Price:
    key: str
    item: str
    per: str
    value: float
    source: str
    assumption: bool
    overridden: bool


@dataclass(frozen=True)
class HostLicence:
    host: str
    cluster: str
    sockets: int
    cores: int
    units: int      # Windows Server and System Center Datacenter licences (or 2-core packs) each


@dataclass(frozen=True)
class SqlLicence:
    name: str       # the SQL VM (per-vm) or host (per-host)
    instance: str
    cluster: str
    edition: str    # Enterprise | Standard
    sockets: int    # 0 for a VM
    cores: int      # vCPUs of the VM, or physical cores of the host
    packs: int


@dataclass(frozen=True)
class Licensing:
    metric: str                 # per-processor | per-core (Windows Server and System Center)
    sql_mode: str               # per-vm | per-host
    windows_version: str
    prices: dict[str, Price]
    hosts: list[HostLicence]
    sql: list[SqlLicence]
    rules: dict[str, Rule]
    model: str = "purchase"     # purchase | spla (rented per 2-core pack per month, per core whatever the version)

    @property
    def spla(self) -> bool:
        return self.model == "spla"

    @property
    def host_price_keys(self) -> tuple[str, str]:
        if self.spla:
            return "windows_datacenter_spla_2core_month", "system_center_datacenter_spla_2core_month"
        suffix = "2proc" if self.metric == "per-processor" else "2core"
        return f"windows_datacenter_{suffix}", f"system_center_datacenter_{suffix}"

    def sql_price_key(self, edition: str) -> str:
        """The price key of a 2-core pack of SQL Server `edition` (bought, or rented per month)."""
        return f"sql_{edition.lower()}_{'spla_2core_month' if self.spla else '2core'}"

    def sql_edition(self, ha: str) -> str:
        """The SQL Server edition licensed for an instance of this HA kind."""
        if self.sql_mode == "per-host":
            return self.rules["sql_per_host"].value["edition"]
        return self.rules["sql_edition"].value[ha]


@cache
def catalog() -> tuple[dict[str, Rule], dict[str, dict]]:
    """The licensing rules and default prices (catalog/licensing.yaml)."""
    data = read_yaml("licensing.yaml")
    rules = {key: Rule(key=key, **spec) for key, spec in data["rules"].items()}
    return rules, data["prices"]


def price_table(req: Requirements) -> dict[str, Price]:
    """Every unit price: the requirements' licensing.prices over the catalog defaults."""
    given = dict(req.licensing.prices) if req.licensing else {}
    return {key: Price(key=key, item=spec["item"], per=spec["per"], value=float(given.get(key, spec["value"])),
                       source="licensing.prices in the requirements" if key in given else spec["source"],
                       assumption=key not in given and spec.get("assumption", False), overridden=key in given)
            for key, spec in catalog()[1].items()}


def host_metric(system_center: str) -> str:
    """per-processor (2012 R2) or per-core (2016 and later) Datacenter licences of a host."""
    return "per-processor" if system_center in catalog()[0]["host_licences_per_processor"].value["versions"] \
        else "per-core"


def licensing(design: Design, req: Requirements) -> Licensing:
    """The licences `design` needs, with the requirements' price overrides applied."""
    rules, _ = catalog()
    options = req.licensing
    prices = price_table(req)
    models = {m.name: m for m in req.hardware.host_models}
    terms = options.model if options else "purchase"
    metric = "per-core" if terms == "spla" else host_metric(design.system_center)
    hosts = []
    for host in design.hosts:
        model = models[host.model]
        cores = model.sockets * model.cores_per_socket
        hosts.append(HostLicence(host.name, host.cluster, model.sockets, cores,
                                 host_units(metric, model.sockets, cores, rules)))
    sql_mode = options.sql_server if options else "per-vm"
    sql = (_sql_per_vm if sql_mode == "per-vm" else _sql_per_host)(design, models, rules)
    version = rules["windows_server_version"].value.get(design.system_center, f"Windows Server {design.system_center}")
    return Licensing(metric, sql_mode, version, prices, hosts, sql, rules, terms)


def host_units(metric: str, sockets: int, cores: int, rules: dict[str, Rule]) -> int:
    """Datacenter licences of one host: 2-processor licences, or 2-core packs over the minimums."""
    if metric == "per-processor":
        return math.ceil(sockets / rules["host_licences_per_processor"].value["processors_per_licence"])
    rule = rules["host_licences_per_core"].value
    licensed = max(cores, rule["min_cores_per_processor"] * sockets, rule["min_cores_per_server"])
    return math.ceil(licensed / rule["cores_per_pack"])


def host_units_formula(metric: str, sockets: str, cores: str, rules: dict[str, Rule]) -> str:
    """`host_units` as Excel formula text (without the leading =) over the cells `sockets` and `cores`."""
    if metric == "per-processor":
        return f"ROUNDUP({sockets}/{rules['host_licences_per_processor'].value['processors_per_licence']},0)"
    rule = rules["host_licences_per_core"].value
    return (f"ROUNDUP(MAX({cores},{rule['min_cores_per_processor']}*{sockets},{rule['min_cores_per_server']})"
            f"/{rule['cores_per_pack']},0)")


def sql_vm_packs(vcpu: int, rules: dict[str, Rule]) -> int:
    rule = rules["sql_per_vm"].value
    return math.ceil(max(vcpu, rule["min_cores_per_vm"]) / rule["cores_per_pack"])


def sql_vm_packs_formula(vcpu: str, rules: dict[str, Rule]) -> str:
    rule = rules["sql_per_vm"].value
    return f"ROUNDUP(MAX({vcpu},{rule['min_cores_per_vm']})/{rule['cores_per_pack']},0)"


def sql_host_packs(sockets: int, cores: int, rules: dict[str, Rule]) -> int:
    rule = rules["sql_per_host"].value
    return math.ceil(max(cores, rule["min_cores_per_processor"] * sockets) / rule["cores_per_pack"])


def sql_host_packs_formula(sockets: str, cores: str, rules: dict[str, Rule]) -> str:
    rule = rules["sql_per_host"].value
    return f"ROUNDUP(MAX({cores},{rule['min_cores_per_processor']}*{sockets})/{rule['cores_per_pack']},0)"


def _sql_per_vm(design: Design, models: dict, rules: dict[str, Rule]) -> list[SqlLicence]:
    vms = {vm.name: vm for vm in design.vms}
    editions = rules["sql_edition"].value
    first = {}  # node -> its first SQL instance: a per-VM licence covers every instance on the VM
    for sql in design.sql_instances:
        for node in sql.nodes:
            first.setdefault(node, sql)
    return [SqlLicence(node, sql.name, vms[node].cluster, editions[sql.ha], 0, vms[node].vcpu,
                       sql_vm_packs(vms[node].vcpu, rules)) for node, sql in first.items() if node in vms]


def _sql_per_host(design: Design, models: dict, rules: dict[str, Rule]) -> list[SqlLicence]:
    vms = {vm.name: vm for vm in design.vms}
    instances: dict[str, list[str]] = {}
    for sql in design.sql_instances:
        for node in sql.nodes:
            if node in vms and sql.name not in instances.setdefault(vms[node].cluster, []):
                instances[vms[node].cluster].append(sql.name)
    edition = rules["sql_per_host"].value["edition"]
    out = []
    for host in design.hosts:
        if host.cluster in instances:
            model = models[host.model]
            cores = model.sockets * model.cores_per_socket
            out.append(SqlLicence(host.name, ", ".join(instances[host.cluster]), host.cluster, edition,
                                  model.sockets, cores, sql_host_packs(model.sockets, cores, rules)))
    return out
