"""Inventory sheets of the bill of materials: VMs, Hosts, SQL, IP plan, Assumptions."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property

from planner.catalog import is_tenant_role
from planner.ipplan import ip_plan
from planner.model.design import Design
from planner.model.requirements import Requirements
from planner.licensing import Licensing
from planner.render.workbook.xlsx import GB, INT, PCT, Col, Formula, Sheet, Table, money


@dataclass
class Book:
    """What every sheet builder shares: the design, its requirements, its licences, the tables so far."""
    design: Design
    req: Requirements
    lic: Licensing
    tables: dict[str, Table] = field(default_factory=dict)

    def add(self, table: Table, rows: list[list]) -> Table:
        table.rows = rows
        self.tables[table.name] = table
        return table

    @property
    def local_storage(self) -> bool:
        return any(h.usable_storage_gb is not None for h in self.design.hosts)

    @property
    def currency(self) -> str:
        return self.req.currency

    @property
    def money(self) -> str:
        """Number format of a cost."""
        return money(self.currency)

    @property
    def price(self) -> str:
        """Number format of a unit price."""
        return money(self.currency, cents=True)

    @cached_property
    def load(self) -> dict[str, list[float]]:
        """Per host: [VMs, vCPU, memory GB, storage GB] of the VMs placed on it."""
        load: dict[str, list[float]] = {h.name: [0, 0, 0.0, 0.0] for h in self.design.hosts}
        for vm in self.design.vms:
            host = load.get(vm.host)
            if host is not None:
                host[0] += 1
                host[1] += vm.vcpu
                host[2] += vm.memory_gb
                host[3] += vm.storage_gb
        return load


def ratio(used: float, capacity: float) -> float:
    """used / capacity, 0 without capacity (as the workbook's IF(capacity>0, ...) formulas)."""
    return used / capacity if capacity else 0


def vms_sheet(book: Book) -> Sheet:
    design, lic = book.design, book.lic
    sheet = Sheet("VMs", freeze="B2")
    editions = {node: lic.sql_edition(sql.ha) for sql in design.sql_instances for node in sql.nodes}
    cols = [Col("VM"), Col("Role"), Col("Host"), Col("Cluster"), Col("vCPU", INT), Col("Memory GB", GB),
            Col("Storage GB", GB), Col("Anti-affinity group"), Col("OS"), Col("Tenant"), Col("Size")]
    table = sheet.table("tblVMs", cols, len(design.vms))

    tenant = {role: is_tenant_role(role) for role in {vm.role for vm in design.vms}}  # tested once per role

    def os_of(vm) -> str:
        if tenant[vm.role]:
            return "tenant image"
        return f"{lic.windows_version} + SQL Server {editions[vm.name]}" if vm.name in editions else lic.windows_version

    book.add(table, [[vm.name, vm.role, vm.host, vm.cluster, vm.vcpu, vm.memory_gb, vm.storage_gb,
                      vm.anti_affinity_group, os_of(vm), vm.tenant, vm.size] for vm in design.vms])
    return sheet


def hosts_sheet(book: Book) -> Sheet:
    design, vms = book.design, book.tables["tblVMs"]
    models = {m.name: m for m in book.req.hardware.host_models}
    clusters = {c.name: c for c in design.clusters}
    stamps = {c.name: c.stamp for c in design.clusters}
    cols = [Col("Host"), Col("Cluster"), Col("Stamp"), Col("Purpose"), Col("Rack"), Col("Model"),
            Col("Sockets", INT), Col("Cores per socket", INT), Col("Cores", INT), Col("Memory GB", GB),
            Col("Usable memory GB", GB), Col("vCPU per core", "0.0#"), Col("vCPU capacity", INT),
            Col("Unit price", book.money, input=True), Col("VMs", INT), Col("Allocated vCPU", INT),
            Col("Allocated memory GB", GB), Col("vCPU utilisation", PCT), Col("Memory utilisation", PCT)]
    if book.local_storage:
        cols += [Col("Usable storage GB", GB), Col("Allocated storage GB", GB), Col("Storage utilisation", PCT)]
    sheet = Sheet("Hosts", freeze="B2")
    table = sheet.table("tblHosts", cols, len(design.hosts))
    c = table.here
    per_host = lambda column: f"{vms.column('Host')},{c('Host')},{vms.column(column)}"  # noqa: E731 - shorthand
    rows = []
    for host in design.hosts:
        model, vcpu_per_core = models[host.model], clusters[host.cluster].vcpu_per_core
        cores = model.sockets * model.cores_per_socket
        count, vcpu, memory, storage = book.load[host.name]
        capacity = Formula(f"ROUNDDOWN({c('Cores')}*{c('vCPU per core')},0)", host.vcpu_capacity) \
            if math.floor(cores * vcpu_per_core) == host.vcpu_capacity else host.vcpu_capacity
        row = [host.name, host.cluster, stamps[host.cluster], clusters[host.cluster].purpose, host.fault_domain,
               host.model, model.sockets, model.cores_per_socket,
               Formula(f"{c('Sockets')}*{c('Cores per socket')}", cores),
               host.memory_gb, host.usable_memory_gb, vcpu_per_core, capacity, host.price,
               Formula(f"COUNTIF({vms.column('Host')},{c('Host')})", count),
               Formula(f"SUMIF({per_host('vCPU')})", vcpu), Formula(f"SUMIF({per_host('Memory GB')})", memory),
               Formula(f"IF({c('vCPU capacity')}>0,{c('Allocated vCPU')}/{c('vCPU capacity')},0)",
                       ratio(vcpu, host.vcpu_capacity)),
               Formula(f"IF({c('Usable memory GB')}>0,{c('Allocated memory GB')}/{c('Usable memory GB')},0)",
                       ratio(memory, host.usable_memory_gb))]
        if book.local_storage:
            row += [host.usable_storage_gb, Formula(f"SUMIF({per_host('Storage GB')})", storage),
                    Formula(f"IF(N({c('Usable storage GB')})>0,{c('Allocated storage GB')}/{c('Usable storage GB')},0)",
                            ratio(storage, host.usable_storage_gb or 0))]
        rows.append(row)
    book.add(table, rows)
    return sheet


def sql_sheet(book: Book) -> Sheet:
    design = book.design
    vms = {vm.name: vm for vm in design.vms}
    sheet = Sheet("SQL", freeze="A3")
    nodes = [(sql, vms[n]) for sql in design.sql_instances for n in sql.nodes if n in vms]
    dbs = [(sql, db) for sql in design.sql_instances for db in sql.databases]
    if not nodes:
        sheet.note("The design has no SQL Server instance.")
        return sheet
    table = sheet.table("tblSqlNodes", [Col("Instance"), Col("Stamp"), Col("HA"), Col("Listener"), Col("Node"),
                                        Col("Host"), Col("Cluster"), Col("vCPU", INT), Col("Memory GB", GB),
                                        Col("Storage GB", GB)],
                        len(nodes), caption="SQL Server instances and their nodes")
    book.add(table, [[sql.name, sql.stamp, sql.ha, sql.listener, vm.name, vm.host, vm.cluster, vm.vcpu,
                      vm.memory_gb, vm.storage_gb] for sql, vm in nodes])
    table = sheet.table("tblSqlDatabases", [Col("Instance"), Col("Database"), Col("Used by role"),
                                            Col("Connect to")],
                        len(dbs), caption="Databases and the role that uses each")
    book.add(table, [[sql.name, db.name, db.role, sql.listener or ", ".join(sql.nodes)] for sql, db in dbs])
    return sheet


def ip_sheet(book: Book) -> Sheet:
    plan = ip_plan(book.design)
    sheet = Sheet("IP plan", freeze="A2")
    table = sheet.table("tblIpPlan", [Col("Network"), Col("Subnet"), Col("VLAN"), Col("Address"), Col("Kind"),
                                      Col("Owner")], len(plan))
    book.add(table, [[a.network, a.cidr, a.vlan, a.address, a.kind, a.owner] for a in plan])
    return sheet


def assumptions_sheet(book: Book) -> Sheet:
    rows = [[a.key, _text(a.value), a.source, "yes" if a.assumption else "no", "design"]
            for a in book.design.assumptions]
    rows += [[r.key, _text(r.value), r.source, "yes" if r.assumption else "no", "licences"]
             for r in book.lic.rules.values()]
    rows += [[f"price.{p.key}", p.value, p.source, "yes" if p.assumption else "no", f"licence price, per {p.per}"]
             for p in book.lic.prices.values()]
    sheet = Sheet("Assumptions", freeze="B2")
    table = sheet.table("tblAssumptions", [Col("Figure"), Col("Value", width=40, wrap=True), Col("Source", width=90, wrap=True),
                                           Col("Assumption"), Col("Used for")], len(rows))
    book.add(table, rows)
    return sheet


def _text(value: object) -> object:
    """Numbers stay numbers; anything else becomes readable text."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return json.dumps(value, ensure_ascii=False)
    return value
