"""Licences and Summary sheets: editable prices, licence counts as formulas, live totals."""
from __future__ import annotations

from planner.render.workbook.inventory import Book, ratio
from planner.licensing import host_units_formula, sql_host_packs_formula, sql_vm_packs_formula
from planner.render.workbook.xlsx import GB, INT, PCT, Chart, Col, Formula, Sheet, Styled, Table

SQL_KEYS = ("sql_enterprise_2core", "sql_standard_2core")


def licences_sheet(book: Book) -> Sheet:
    lic, hosts = book.lic, book.tables["tblHosts"]
    sheet = Sheet("Licences", freeze="A3")
    keys = [*lic.host_price_keys, *SQL_KEYS]
    prices = sheet.table("tblPrices", [Col("Price key"), Col("Item"), Col("Per"),
                                       Col("Unit price", book.price, input=True), Col("Price from")], len(keys),
                         caption="Unit prices: editable inputs; every cost below and on Summary follows them "
                                 "(sources: Assumptions)")
    book.add(prices, [[k, lic.prices[k].item, lic.prices[k].per, lic.prices[k].value,
                       "requirements (licensing.prices)" if lic.prices[k].overridden else "catalog default"]
                      for k in keys])
    price = {k: Formula(prices.lookup("Unit price", "Price key", f'"{k}"'), lic.prices[k].value) for k in keys}
    _sql_table(book, sheet, price)
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
    table = sheet.table("tblHostLicences", [
        Col("Host"), Col("Cluster"), Col("Sockets", INT), Col("Cores", INT), Col("Licences per product", INT),
        Col("Licence unit"), Col("Windows Server unit price", book.price), Col("Windows Server cost", book.money),
        Col("System Center unit price", book.price), Col("System Center cost", book.money)], len(lic.hosts),
        caption=caption)
    c = table.here
    units = c("Licences per product")
    book.add(table, [[h.host, h.cluster, Formula(hosts.lookup("Sockets", "Host", c("Host")), h.sockets),
                      Formula(hosts.lookup("Cores", "Host", c("Host")), h.cores),
                      Formula(host_units_formula(lic.metric, c("Sockets"), c("Cores"), lic.rules), h.units), unit,
                      price[windows], Formula(f"{units}*{c('Windows Server unit price')}",
                                              h.units * price[windows].value),
                      price[center], Formula(f"{units}*{c('System Center unit price')}", h.units * price[center].value)]
                     for h in lic.hosts])
    return sheet


def _sql_table(book: Book, sheet: Sheet, price: dict[str, Formula]) -> None:
    lic, hosts, vms = book.lic, book.tables["tblHosts"], book.tables["tblVMs"]
    if not lic.sql:
        sheet.note("The design has no SQL Server VM to license.")
        return
    enterprise, standard = (price[k] for k in SQL_KEYS)
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
    cols += [Col("2-core packs", INT), Col("Unit price", book.price), Col("Cost", book.money)]
    table = sheet.table("tblSqlLicences", cols, len(lic.sql), caption=caption)
    c = table.here
    rows = []
    for s in lic.sql:
        if lic.sql_mode == "per-vm":
            row = [s.name, s.instance, s.cluster, s.edition,
                   Formula(vms.lookup("vCPU", "VM", c("SQL VM")), s.cores),
                   Formula(sql_vm_packs_formula(c("vCPU"), lic.rules), s.packs)]
        else:
            row = [s.name, s.instance, s.cluster, s.edition, Formula(hosts.lookup("Sockets", "Host", c("Host")),
                                                                     s.sockets),
                   Formula(hosts.lookup("Cores", "Host", c("Host")), s.cores),
                   Formula(sql_host_packs_formula(c("Sockets"), c("Cores"), lic.rules), s.packs)]
        unit = enterprise.value if s.edition == "Enterprise" else standard.value
        rows.append(row + [Formula(f'IF({c("Edition")}="Enterprise",{enterprise.text},{standard.text})', unit),
                           Formula(f"{c('2-core packs')}*{c('Unit price')}", s.packs * unit)])
    book.add(table, rows)


def summary_sheet(book: Book) -> Sheet:
    design, t = book.design, book.tables
    hosts, vms = t["tblHosts"], t["tblVMs"]
    sheet = Sheet("Summary", freeze="A3")
    sheet.heading(f"Bill of materials: {design.name}")
    facts = [["Design", design.name], ["System Center", design.system_center],
             ["Windows Server", book.lic.windows_version], ["WAP deployment", design.wap_deployment]]
    facts += [[f"Stamp {s.name}", f"VMM {', '.join(s.vmm_vms)}; {s.tenants:,} tenants"] for s in design.stamps]
    facts += [["SQL Server licensing", book.lic.sql_mode], ["Currency", book.currency],
              ["Solver", f"{design.solver.status}, gap {design.solver.gap:.1%}"],
              ["Total cost (the solver's objective)", design.cost_line()]]
    book.add(sheet.table("tblDesign", [Col("Item"), Col("Value")], len(facts), caption="Design"), facts)
    totals = sheet.table("tblTotals", [Col("Total"), Col("Value"), Col("Formula over")], 15,
                         caption="Totals (live formulas over the other sheets)")
    clusters = sheet.table("tblClusters", [
        Col("Cluster"), Col("Stamp"), Col("Purpose"), Col("Host failures tolerated", INT), Col("Rack loss"),
        Col("Hosts", INT), Col("VMs", INT), Col("vCPU demanded", INT), Col("vCPU available", INT),
        Col("vCPU utilisation", PCT), Col("Memory demanded GB", GB), Col("Memory available GB", GB),
        Col("Memory utilisation", PCT), Col("Storage demanded GB", GB), Col("Storage available GB", GB),
        Col("Hardware cost", book.money)], len(design.clusters), caption="Clusters")
    book.add(clusters, [_cluster_row(book, clusters, c) for c in design.clusters])
    models = book.req.hardware.host_models
    table = sheet.table("tblModels", [Col("Host model"), Col("Sockets", INT), Col("Cores per socket", INT),
                                      Col("Memory GB", GB), Col("Hosts", INT), Col("Hardware cost", book.money)],
                        len(models), caption="Hosts per model")
    model = table.here("Host model")
    book.add(table, [[m.name, m.sockets, m.cores_per_socket, m.memory_gb,
                      Formula(f"COUNTIF({hosts.column('Model')},{model})", _count(design.hosts, "model", m.name)),
                      Formula(f"SUMIF({hosts.column('Model')},{model},{hosts.column('Unit price')})",
                              _sum(design.hosts, "model", m.name, "price"))] for m in models])
    roles = list(dict.fromkeys(vm.role for vm in design.vms))
    table = sheet.table("tblRoles", [Col("Role"), Col("VMs", INT), Col("vCPU", INT), Col("Memory GB", GB),
                                     Col("Storage GB", GB)], len(roles), caption="VMs per role")
    role = table.here("Role")
    book.add(table, [[name, Formula(f"COUNTIF({vms.column('Role')},{role})", _count(design.vms, "role", name)),
                      *[Formula(f"SUMIF({vms.column('Role')},{role},{vms.column(col)})",
                                _sum(design.vms, "role", name, attr))
                        for col, attr in (("vCPU", "vcpu"), ("Memory GB", "memory_gb"),
                                          ("Storage GB", "storage_gb"))]] for name in roles])
    book.add(totals, _totals(book, clusters))
    sheet.chart(Chart("Utilisation per cluster", clusters, "Cluster", ("vCPU utilisation", "Memory utilisation"),
                      PCT))
    return sheet


def _count(items: list, attr: str, key: str) -> int:
    """COUNTIF in Python: the items whose `attr` is `key`."""
    return sum(getattr(item, attr) == key for item in items)


def _sum(items: list, attr: str, key: str, amount: str) -> float:
    """SUMIF in Python: `amount` summed over the items whose `attr` is `key`."""
    return sum(getattr(item, amount) or 0 for item in items if getattr(item, attr) == key)


def _cluster_row(book: Book, table: Table, cluster) -> list:
    design, hosts, vms = book.design, book.tables["tblHosts"], book.tables["tblVMs"]
    name, c = cluster.name, table.here
    on_hosts = lambda column: f"{hosts.column('Cluster')},{c('Cluster')},{hosts.column(column)}"  # noqa: E731
    on_vms = lambda column: f"{vms.column('Cluster')},{c('Cluster')},{vms.column(column)}"  # noqa: E731
    vcpu, memory = _sum(design.vms, "cluster", name, "vcpu"), _sum(design.vms, "cluster", name, "memory_gb")
    capacity = _sum(design.hosts, "cluster", name, "vcpu_capacity")
    usable = _sum(design.hosts, "cluster", name, "usable_memory_gb")
    if book.local_storage:
        storage = Formula(f"SUMIF({on_hosts('Usable storage GB')})",
                          _sum(design.hosts, "cluster", name, "usable_storage_gb"))
    else:
        storage = cluster.shared_storage_gb or 0
    return [name, cluster.stamp, cluster.purpose, cluster.failures_tolerated,
            "yes" if cluster.fault_domain_tolerance else "no",
            Formula(f"COUNTIF({hosts.column('Cluster')},{c('Cluster')})", _count(design.hosts, "cluster", name)),
            Formula(f"COUNTIF({vms.column('Cluster')},{c('Cluster')})", _count(design.vms, "cluster", name)),
            Formula(f"SUMIF({on_vms('vCPU')})", vcpu), Formula(f"SUMIF({on_hosts('vCPU capacity')})", capacity),
            Formula(f"IF({c('vCPU available')}>0,{c('vCPU demanded')}/{c('vCPU available')},0)",
                    ratio(vcpu, capacity)),
            Formula(f"SUMIF({on_vms('Memory GB')})", memory), Formula(f"SUMIF({on_hosts('Usable memory GB')})", usable),
            Formula(f"IF({c('Memory available GB')}>0,{c('Memory demanded GB')}/{c('Memory available GB')},0)",
                    ratio(memory, usable)),
            Formula(f"SUMIF({on_vms('Storage GB')})", _sum(design.vms, "cluster", name, "storage_gb")), storage,
            Formula(f"SUMIF({on_hosts('Unit price')})", _sum(design.hosts, "cluster", name, "price"))]


def _totals(book: Book, clusters: Table) -> list[list]:
    """The totals, each over whole table columns (never over another total's cell, so that sorting
    this table keeps them right)."""
    design, t = book.design, book.tables
    hosts, vms, lic_hosts = t["tblHosts"], t["tblVMs"], t["tblHostLicences"]
    sql = t.get("tblSqlLicences")
    cost = book.lic.totals()
    hardware = Formula(f"SUM({hosts.column('Unit price')})", sum(h.price for h in design.hosts))
    windows = Formula(f"SUM({lic_hosts.column('Windows Server cost')})", cost["windows_server"])
    center = Formula(f"SUM({lic_hosts.column('System Center cost')})", cost["system_center"])
    sql_server = Formula(f"SUM({sql.column('Cost')})", cost["sql_server"]) if sql else Formula("0", 0)
    licences = Formula(f"{windows.text}+{center.text}+{sql_server.text}", sum(cost.values()))
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
        ("Hardware and licences", f"{hardware.text}+{licences.text}", hardware.value + licences.value, money,
         "Hosts: Unit price + Licences: the three licence costs"),
    ]
    return [[name, Styled(Formula(text, value), fmt), how] for name, text, value, fmt, how in rows]
