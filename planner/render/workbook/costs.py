"""Licences and Summary sheets: editable prices and term, licence counts and every term cost as formulas, live totals
(each cost line of design.json `cost`, cached with planner/cost.py's figures)."""
from __future__ import annotations

from collections import defaultdict
from operator import attrgetter

from planner.cost import HOURS_PER_YEAR, design_cost, host_cost, sql_moves, sql_vm_cost, terms
from planner.render.workbook.inventory import Book, ratio
from planner.licensing import host_units_formula, sql_host_packs_formula, sql_vm_packs_formula
from planner.render.workbook.xlsx import GB, INT, PCT, Chart, Col, Formula, Sheet, Styled, Table

SQL_EDITIONS = ("Enterprise", "Standard")
SA_KEY = "software_assurance_percent"
RUNNING_KEYS = ["power_kwh", "rack_unit_month"]
PERCENT = '0.##" %"'
TOTALS = 20  # rows of tblTotals (_totals)


def licences_sheet(book: Book) -> Sheet:
    """Unit prices and the term (inputs), SQL Server and host licences, power and rack space per host."""
    sheet = Sheet("Licences", freeze="A3")
    price = _prices_table(book, sheet)
    _sql_table(book, sheet, price)
    _host_table(book, sheet, price)
    _running_table(book, sheet, price)
    return sheet


def _term(book: Book) -> tuple[str, object, str, str, str]:
    """The term row of tblPrices: the years every rent, assurance and running cost is paid for."""
    given = book.req.cost is not None and "term_years" in book.req.cost.model_fields_set
    return ("term_years", "Term of the total cost", "years", "requirements (cost.term_years)" if given
            else "default", "cost.term_years: the years Software Assurance, SPLA rent, power and rack space are paid")


def _prices_table(book: Book, sheet: Sheet) -> dict[str, Formula]:
    """tblPrices: every unit price the design's cost uses, with its source, and the term; each as a lookup by key."""
    lic, t = book.lic, terms(book.req)
    keys = [*lic.host_price_keys, *(lic.sql_price_key(e) for e in SQL_EDITIONS)]
    keys += ([] if lic.spla else [SA_KEY]) + RUNNING_KEYS
    table = sheet.table("tblPrices", [Col("Price key"), Col("Item"), Col("Per"),
                                      Col("Unit price", book.price, input=True), Col("Price from"),
                                      Col("Source", width=60, wrap=True)], len(keys) + 1,
                        caption="Unit prices and the term: editable inputs; every cost below and on Summary "
                                "follows them")
    rows = [[k, lic.prices[k].item, lic.prices[k].per,
             Styled(lic.prices[k].value, PERCENT) if k == SA_KEY else lic.prices[k].value,
             "requirements (licensing.prices)" if lic.prices[k].overridden else "catalog default",
             lic.prices[k].source] for k in keys]
    key, item, per, origin, source = _term(book)
    book.add(table, rows + [[key, item, per, Styled(t.years, INT), origin, source]])
    values = {k: lic.prices[k].value for k in keys} | {key: t.years}
    return {k: Formula(table.lookup("Unit price", "Price key", f'"{k}"'), v) for k, v in values.items()}


def _rent(book: Book, price: dict[str, Formula]) -> str:
    """What multiplies a licence price to its term cost: SPLA rent is per month."""
    return f"*12*{price['term_years'].text}" if book.lic.spla else ""


def _host_table(book: Book, sheet: Sheet, price: dict[str, Formula]) -> None:
    lic, hosts, req = book.lic, book.tables["tblHosts"], book.req
    models = {m.name: m for m in req.hardware.host_models}
    of_host = {h.name: models[h.model] for h in book.design.hosts}
    windows, center = lic.host_price_keys
    if lic.metric == "per-processor":
        rule, unit = lic.rules["host_licences_per_processor"].value, "2-processor licence"
        caption = (f"Windows Server and System Center Datacenter, every host: one licence per "
                   f"{rule['processors_per_licence']} processors")
    else:
        rule, unit = lic.rules["host_licences_per_core"].value, "2-core pack"
        caption = (f"Windows Server and System Center Datacenter, every host: all cores, at least "
                   f"{rule['min_cores_per_processor']} per processor and {rule['min_cores_per_server']} per server, "
                   f"in {rule['cores_per_pack']}-core packs")
    if lic.spla:
        unit, caption = f"{unit} per month", f"{caption}, rented per month (SPLA) over the term"
    table = sheet.table("tblHostLicences", [
        Col("Host"), Col("Cluster"), Col("Sockets", INT), Col("Cores", INT), Col("Licences per product", INT),
        Col("Licence unit"), Col("Windows Server unit price", book.price), Col("Windows Server cost", book.money),
        Col("System Center unit price", book.price), Col("System Center cost", book.money)], len(lic.hosts),
        caption=caption)
    c = table.here
    units, rent = c("Licences per product"), _rent(book, price)
    rows = []
    for h in lic.hosts:
        cost = host_cost(of_host[h.host], req)
        rows.append([h.host, h.cluster, Formula(hosts.lookup("Sockets", "Host", c("Host")), h.sockets),
                     Formula(hosts.lookup("Cores", "Host", c("Host")), h.cores),
                     Formula(host_units_formula(lic.metric, c("Sockets"), c("Cores"), lic.rules), h.units), unit,
                     price[windows], Formula(f"{units}*{c('Windows Server unit price')}{rent}", cost["windows_server"]),
                     price[center], Formula(f"{units}*{c('System Center unit price')}{rent}", cost["system_center"])])
    book.add(table, rows)


def _running_table(book: Book, sheet: Sheet, price: dict[str, Formula]) -> None:
    """tblRunning: each host's power draw and rack units (inputs) and what they cost over the term."""
    models = {m.name: m for m in book.req.hardware.host_models}
    table = sheet.table("tblRunning", [Col("Host"), Col("Model"), Col("Power W", INT, input=True),
                                       Col("Power cost", book.money), Col("Rack units", INT, input=True),
                                       Col("Rack space cost", book.money)], len(book.design.hosts),
                        caption=f"Power and rack space per host over the term ({HOURS_PER_YEAR:,} hours a year; "
                                "0 where the host model gives none)")
    c, years = table.here, price["term_years"].text
    rows = []
    for host in book.design.hosts:
        model, cost = models[host.model], host_cost(models[host.model], book.req)
        rows.append([host.name, host.model, model.power_watts,
                     Formula(f"{c('Power W')}/1000*{HOURS_PER_YEAR}*{years}*{price['power_kwh'].text}",
                             cost["power"]),
                     model.rack_units,
                     Formula(f"{c('Rack units')}*{price['rack_unit_month'].text}*12*{years}", cost["rack_space"])])
    book.add(table, rows)


def _sql_table(book: Book, sheet: Sheet, price: dict[str, Formula]) -> None:
    lic, hosts, vms, req = book.lic, book.tables["tblHosts"], book.tables["tblVMs"], book.req
    if not lic.sql:
        sheet.note("The design has no SQL Server VM to license.")
        return
    enterprise, standard = (price[lic.sql_price_key(e)] for e in SQL_EDITIONS)
    if lic.sql_mode == "per-vm":
        rule = lic.rules["sql_per_vm"].value
        caption = (f"SQL Server, per VM: every vCPU, at least {rule['min_cores_per_vm']} cores per VM, in "
                   f"{rule['cores_per_pack']}-core packs (Enterprise for availability groups; edit an edition to "
                   "re-price)")
        cols = [Col("SQL VM"), Col("Instance"), Col("Cluster"), Col("Edition", input=True), Col("vCPU", INT)]
    else:
        rule = lic.rules["sql_per_host"].value
        caption = (f"SQL Server, per host: every core of each host of the clusters running SQL VMs, at least "
                   f"{rule['min_cores_per_processor']} per processor, {rule['edition']} edition")
        cols = [Col("Host"), Col("Instances"), Col("Cluster"), Col("Edition", input=True), Col("Sockets", INT),
                Col("Cores", INT)]
    if lic.spla:
        caption += "; rented per month (SPLA) over the term"
    else:
        caption += ("; Software Assurance (yes where the licence follows its VM between hosts, and on every "
                    "per-host licence) costs its percentage of the licence each year of the term")
    cols += [Col("2-core packs", INT), Col("Unit price", book.price), Col("Cost", book.money)]
    cols += [] if lic.spla else [Col("Software Assurance", input=True), Col("Software Assurance cost", book.money)]
    table = sheet.table("tblSqlLicences", cols, len(lic.sql), caption=caption)
    c, t, rent = table.here, terms(req), _rent(book, price)
    models = {m.name: m for m in req.hardware.host_models}
    of_host = {h.name: h.model for h in book.design.hosts}
    moves = sql_moves(book.design)
    rows = []
    for s in lic.sql:
        if lic.sql_mode == "per-vm":
            row = [s.name, s.instance, s.cluster, s.edition,
                   Formula(vms.lookup("vCPU", "VM", c("SQL VM")), s.cores),
                   Formula(sql_vm_packs_formula(c("vCPU"), lic.rules), s.packs)]
            assured, cost = moves[s.cluster], sql_vm_cost(s.cores, s.edition, moves[s.cluster], t)
        else:
            row = [s.name, s.instance, s.cluster, s.edition, Formula(hosts.lookup("Sockets", "Host", c("Host")),
                                                                     s.sockets),
                   Formula(hosts.lookup("Cores", "Host", c("Host")), s.cores),
                   Formula(sql_host_packs_formula(c("Sockets"), c("Cores"), lic.rules), s.packs)]
            assured, cost = True, host_cost(models[of_host[s.name]], req, sql_host=True)
        unit = enterprise.value if s.edition == "Enterprise" else standard.value
        row += [Formula(f'IF({c("Edition")}="Enterprise",{enterprise.text},{standard.text})', unit),
                Formula(f"{c('2-core packs')}*{c('Unit price')}{rent}", cost["sql_server"])]
        if not lic.spla:
            row += ["yes" if assured else "no",
                    Formula(f'IF({c("Software Assurance")}="yes",{c("Cost")}*{price[SA_KEY].text}/100'
                            f'*{price["term_years"].text},0)', cost["software_assurance"])]
        rows.append(row)
    book.add(table, rows)


def summary_sheet(book: Book) -> Sheet:
    design, t = book.design, book.tables
    hosts, vms = t["tblHosts"], t["tblVMs"]
    sheet = Sheet("Summary", freeze="A3")
    host_ix, vm_ix = _Index(design.hosts), _Index(design.vms)
    sheet.heading(f"Bill of materials: {design.name}")
    facts = [["Design", design.name], ["System Center", design.system_center],
             ["Windows Server", book.lic.windows_version], ["WAP deployment", design.wap_deployment]]
    facts += [[f"Stamp {s.name}", f"VMM {', '.join(s.vmm_vms)}; {s.tenants:,} tenants"] for s in design.stamps]
    facts += [["SQL Server licensing", book.lic.sql_mode], ["Currency", book.currency],
              ["Solver", f"{design.solver.status}, gap {design.solver.gap:.1%}"],
              ["Total cost (the solver's objective)", design.cost_line()]]
    book.add(sheet.table("tblDesign", [Col("Item"), Col("Value")], len(facts), caption="Design"), facts)
    totals = sheet.table("tblTotals", [Col("Total"), Col("Value"), Col("Formula over")], TOTALS,
                         caption="Totals (live formulas over the other sheets)")
    clusters = sheet.table("tblClusters", [
        Col("Cluster"), Col("Stamp"), Col("Purpose"), Col("Host failures tolerated", INT), Col("Rack loss"),
        Col("Hosts", INT), Col("VMs", INT), Col("vCPU demanded", INT), Col("vCPU available", INT),
        Col("vCPU utilisation", PCT), Col("Memory demanded GB", GB), Col("Memory available GB", GB),
        Col("Memory utilisation", PCT), Col("Storage demanded GB", GB), Col("Storage available GB", GB),
        Col("Hardware cost", book.money)], len(design.clusters), caption="Clusters")
    book.add(clusters, [_cluster_row(book, clusters, c, host_ix, vm_ix) for c in design.clusters])
    models = book.req.hardware.host_models
    table = sheet.table("tblModels", [Col("Host model"), Col("Sockets", INT), Col("Cores per socket", INT),
                                      Col("Memory GB", GB), Col("Hosts", INT), Col("Hardware cost", book.money)],
                        len(models), caption="Hosts per model")
    model = table.here("Host model")
    book.add(table, [[m.name, m.sockets, m.cores_per_socket, m.memory_gb,
                      Formula(f"COUNTIF({hosts.column('Model')},{model})", host_ix.count("model", m.name)),
                      Formula(f"SUMIF({hosts.column('Model')},{model},{hosts.column('Unit price')})",
                              host_ix.sum("model", m.name, "price"))] for m in models])
    roles = list(dict.fromkeys(vm.role for vm in design.vms))
    table = sheet.table("tblRoles", [Col("Role"), Col("VMs", INT), Col("vCPU", INT), Col("Memory GB", GB),
                                     Col("Storage GB", GB)], len(roles), caption="VMs per role")
    role = table.here("Role")
    book.add(table, [[name, Formula(f"COUNTIF({vms.column('Role')},{role})", vm_ix.count("role", name)),
                      *[Formula(f"SUMIF({vms.column('Role')},{role},{vms.column(col)})",
                                vm_ix.sum("role", name, attr))
                        for col, attr in (("vCPU", "vcpu"), ("Memory GB", "memory_gb"),
                                          ("Storage GB", "storage_gb"))]] for name in roles])
    book.add(totals, _totals(book, clusters))
    sheet.chart(Chart("Utilisation per cluster", clusters, "Cluster", ("vCPU utilisation", "Memory utilisation"),
                      PCT))
    return sheet


class _Index:
    """COUNTIF and SUMIF in Python over `items`, each grouped by an attribute once (was a scan per cell)."""

    def __init__(self, items: list) -> None:
        self.items, self.groups = items, {}

    def _group(self, attr: str, key: str) -> list:
        groups = self.groups.get(attr)
        if groups is None:
            groups = self.groups[attr] = defaultdict(list)
            for item in self.items:
                groups[getattr(item, attr)].append(item)
        return groups.get(key, [])

    def count(self, attr: str, key: str) -> int:
        """The items whose `attr` is `key`."""
        return len(self._group(attr, key))

    def sum(self, attr: str, key: str, amount: str) -> float:
        """`amount` summed over the items whose `attr` is `key` (in their order: the same float)."""
        return sum(filter(None, map(attrgetter(amount), self._group(attr, key))))  # None counts 0


def _cluster_row(book: Book, table: Table, cluster, host_ix: _Index, vm_ix: _Index) -> list:
    hosts, vms = book.tables["tblHosts"], book.tables["tblVMs"]
    name, c = cluster.name, table.here
    on_hosts = lambda column: f"{hosts.column('Cluster')},{c('Cluster')},{hosts.column(column)}"  # noqa: E731
    on_vms = lambda column: f"{vms.column('Cluster')},{c('Cluster')},{vms.column(column)}"  # noqa: E731
    vcpu, memory = vm_ix.sum("cluster", name, "vcpu"), vm_ix.sum("cluster", name, "memory_gb")
    capacity = host_ix.sum("cluster", name, "vcpu_capacity")
    usable = host_ix.sum("cluster", name, "usable_memory_gb")
    if book.local_storage:
        storage = Formula(f"SUMIF({on_hosts('Usable storage GB')})",
                          host_ix.sum("cluster", name, "usable_storage_gb"))
    else:
        storage = cluster.shared_storage_gb or 0
    return [name, cluster.stamp, cluster.purpose, cluster.failures_tolerated,
            "yes" if cluster.fault_domain_tolerance else "no",
            Formula(f"COUNTIF({hosts.column('Cluster')},{c('Cluster')})", host_ix.count("cluster", name)),
            Formula(f"COUNTIF({vms.column('Cluster')},{c('Cluster')})", vm_ix.count("cluster", name)),
            Formula(f"SUMIF({on_vms('vCPU')})", vcpu), Formula(f"SUMIF({on_hosts('vCPU capacity')})", capacity),
            Formula(f"IF({c('vCPU available')}>0,{c('vCPU demanded')}/{c('vCPU available')},0)",
                    ratio(vcpu, capacity)),
            Formula(f"SUMIF({on_vms('Memory GB')})", memory), Formula(f"SUMIF({on_hosts('Usable memory GB')})", usable),
            Formula(f"IF({c('Memory available GB')}>0,{c('Memory demanded GB')}/{c('Memory available GB')},0)",
                    ratio(memory, usable)),
            Formula(f"SUMIF({on_vms('Storage GB')})", vm_ix.sum("cluster", name, "storage_gb")), storage,
            Formula(f"SUMIF({on_hosts('Unit price')})", host_ix.sum("cluster", name, "price"))]


def _totals(book: Book, clusters: Table) -> list[list]:
    """The totals, each over whole table columns (never over another total's cell, so that sorting
    this table keeps them right); the cost lines are design.json's `cost`."""
    design, t = book.design, book.tables
    hosts, vms, lic_hosts, running = t["tblHosts"], t["tblVMs"], t["tblHostLicences"], t["tblRunning"]
    sql, years = t.get("tblSqlLicences"), terms(book.req).years
    cost = design_cost(design, book.req)

    def over(table: Table | None, column: str, item: str) -> Formula:
        return Formula(f"SUM({table.column(column)})", cost[item]) if table else Formula("0", 0)

    hardware = over(hosts, "Unit price", "hardware")
    windows = over(lic_hosts, "Windows Server cost", "windows_server")
    center = over(lic_hosts, "System Center cost", "system_center")
    sql_server = over(sql, "Cost", "sql_server")
    assurance = over(sql if sql and not book.lic.spla else None, "Software Assurance cost", "software_assurance")
    power, rack = over(running, "Power cost", "power"), over(running, "Rack space cost", "rack_space")
    licences = Formula(f"{windows.text}+{center.text}+{sql_server.text}",
                       cost["windows_server"] + cost["system_center"] + cost["sql_server"])
    total = Formula("+".join(f.text for f in (hardware, windows, center, sql_server, assurance, power, rack)),
                    cost["total"])
    tenants = Formula(f"COUNTA({vms.column('Tenant')})", cost["tenant_vms"])
    term = t["tblPrices"].lookup("Unit price", "Price key", '"term_years"')
    local = [h.usable_storage_gb or 0 for h in design.hosts] if book.local_storage \
        else [c.shared_storage_gb or 0 for c in design.clusters]
    money = book.money
    rows = [
        ("Clusters", f"COUNTA({clusters.column('Cluster')})", len(design.clusters), INT, "Summary: Clusters"),
        ("Hosts", f"COUNTA({hosts.column('Host')})", len(design.hosts), INT, "Hosts"),
        ("VMs", f"COUNTA({vms.column('VM')})", len(design.vms), INT, "VMs"),
        ("vCPU demanded", f"SUM({vms.column('vCPU')})", sum(v.vcpu for v in design.vms), INT, "VMs: vCPU"),
        ("vCPU available", f"SUM({hosts.column('vCPU capacity')})", sum(h.vcpu_capacity for h in design.hosts),
         INT, "Hosts: vCPU capacity"),
        ("Memory demanded GB", f"SUM({vms.column('Memory GB')})", sum(v.memory_gb for v in design.vms), GB,
         "VMs: Memory GB"),
        ("Memory available GB", f"SUM({hosts.column('Usable memory GB')})",
         sum(h.usable_memory_gb for h in design.hosts), GB, "Hosts: Usable memory GB"),
        ("Storage demanded GB", f"SUM({vms.column('Storage GB')})", sum(v.storage_gb for v in design.vms), GB,
         "VMs: Storage GB"),
        ("Storage available GB", f"SUM({clusters.column('Storage available GB')})", sum(local), GB,
         "Summary: Clusters, storage available"),
        ("Hardware", hardware.text, hardware.value, money, "Hosts: Unit price"),
        ("Windows Server Datacenter", windows.text, windows.value, money, "Licences: Windows Server cost"),
        ("System Center Datacenter", center.text, center.value, money, "Licences: System Center cost"),
        ("SQL Server", sql_server.text, sql_server.value, money, "Licences: SQL Server cost"),
        ("Licences", licences.text, licences.value, money, "Licences: the three licence costs"),
        ("Software Assurance", assurance.text, assurance.value, money,
         "Licences: SQL Server Software Assurance cost (SA % x licence x term years)"),
        ("Power", power.text, power.value, money, "Licences: power cost (W x hours x kWh price x term years)"),
        ("Rack space", rack.text, rack.value, money, "Licences: rack space cost (U x price x 12 x term years)"),
        ("Total cost", total.text, total.value, money, f"every cost line above over the term ({years} years): "
                                                       "design.json cost.total"),
        ("Tenant VMs", tenants.text, tenants.value, INT, "VMs: Tenant"),
        ("Per tenant VM per month", f"IF({tenants.text}>0,({total.text})/{tenants.text}/(12*{term}),0)",
         cost["total"] / cost["tenant_vms"] / 12 / years if cost["tenant_vms"] else 0.0, book.price,
         "Total cost / tenant VMs / months of the term"),
    ]
    return [[name, Styled(Formula(text, value), fmt), how] for name, text, value, fmt, how in rows]
