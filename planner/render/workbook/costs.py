"""Licences and Summary sheets: editable prices, licence counts as formulas, live totals."""
from __future__ import annotations

from planner.render.workbook.inventory import Book
from planner.licensing import host_units_formula, sql_host_packs_formula, sql_vm_packs_formula
from planner.render.workbook.xlsx import GB, INT, MONEY, PCT, PRICE, Col, Sheet, Styled, Table

SQL_KEYS = ("sql_enterprise_2core", "sql_standard_2core")


def licences_sheet(book: Book) -> Sheet:
    lic, hosts = book.lic, book.tables["tblHosts"]
    sheet = Sheet("Licences", freeze="A3")
    keys = [*lic.host_price_keys, *SQL_KEYS]
    prices = sheet.table("tblPrices", [Col("Price key"), Col("Item"), Col("Per"), Col("Unit price", PRICE, input=True),
                                       Col("Price from")], len(keys),
                         caption="Unit prices: editable inputs; every cost below and on Summary follows them "
                                 "(sources: Assumptions)")
    book.add(prices, [[k, lic.prices[k].item, lic.prices[k].per, lic.prices[k].value,
                       "requirements (licensing.prices)" if lic.prices[k].overridden else "catalog default"]
                      for k in keys])
    ref = {k: prices.cell("Unit price", i, absolute=True, local=True) for i, k in enumerate(keys)}
    _sql_table(book, sheet, ref)
    row_of = {h.name: i for i, h in enumerate(book.design.hosts)}
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
        Col("Licence unit"), Col("Windows Server unit price", PRICE), Col("Windows Server cost", MONEY),
        Col("System Center unit price", PRICE), Col("System Center cost", MONEY)], len(lic.hosts), caption=caption)
    rows = []
    for i, h in enumerate(lic.hosts):
        c = lambda header: table.cell(header, i, local=True)  # noqa: E731 - a local shorthand
        source = row_of[h.host]
        rows.append([h.host, h.cluster, f"={hosts.cell('Sockets', source)}", f"={hosts.cell('Cores', source)}",
                     host_units_formula(lic.metric, c("Sockets"), c("Cores"), lic.rules), unit,
                     f"={ref[windows]}", f"={c('Licences per product')}*{c('Windows Server unit price')}",
                     f"={ref[center]}", f"={c('Licences per product')}*{c('System Center unit price')}"])
    book.add(table, rows)
    return sheet


def _sql_table(book: Book, sheet: Sheet, price: dict[str, str]) -> None:
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
        row_of = {vm.name: i for i, vm in enumerate(book.design.vms)}
    else:
        rule = lic.rules["sql_per_host"].value
        caption = (f"SQL Server, per host: every core of each host of the clusters running SQL VMs, at least "
                   f"{rule['min_cores_per_processor']} per processor, {rule['edition']} edition")
        cols = [Col("Host"), Col("Instances"), Col("Cluster"), Col("Edition", input=True), Col("Sockets", INT),
                Col("Cores", INT)]
        row_of = {h.name: i for i, h in enumerate(book.design.hosts)}
    cols += [Col("2-core packs", INT), Col("Unit price", PRICE), Col("Cost", MONEY)]
    table = sheet.table("tblSqlLicences", cols, len(lic.sql), caption=caption)
    rows = []
    for i, s in enumerate(lic.sql):
        c = lambda header: table.cell(header, i, local=True)  # noqa: E731 - a local shorthand
        if lic.sql_mode == "per-vm":
            row = [s.name, s.instance, s.cluster, s.edition, f"={vms.cell('vCPU', row_of[s.name])}",
                   sql_vm_packs_formula(c("vCPU"), lic.rules)]
        else:
            row = [s.name, s.instance, s.cluster, s.edition, f"={hosts.cell('Sockets', row_of[s.name])}",
                   f"={hosts.cell('Cores', row_of[s.name])}",
                   sql_host_packs_formula(c("Sockets"), c("Cores"), lic.rules)]
        rows.append(row + [f'=IF({c("Edition")}="Enterprise",{enterprise},{standard})',
                           f"={c('2-core packs')}*{c('Unit price')}"])
    book.add(table, rows)


def summary_sheet(book: Book) -> Sheet:
    design, t = book.design, book.tables
    hosts, vms = t["tblHosts"], t["tblVMs"]
    sheet = Sheet("Summary", freeze="A3")
    sheet.heading(f"Bill of materials: {design.name}")
    facts = [["Design", design.name], ["System Center", design.system_center],
             ["Windows Server", book.lic.windows_version], ["WAP deployment", design.wap_deployment]]
    facts += [[f"Stamp {s.name}", f"VMM {', '.join(s.vmm_vms)}; {s.tenants:,} tenants"] for s in design.stamps]
    facts += [["SQL Server licensing", book.lic.sql_mode], ["Solver", f"{design.solver.status}, gap "
                                                                     f"{design.solver.gap:.1%}"]]
    book.add(sheet.table("tblDesign", [Col("Item"), Col("Value")], len(facts), caption="Design"), facts)
    totals = sheet.table("tblTotals", [Col("Total"), Col("Value"), Col("Formula over")], 15,
                         caption="Totals (live formulas over the other sheets)")
    clusters = sheet.table("tblClusters", [
        Col("Cluster"), Col("Stamp"), Col("Purpose"), Col("Host failures tolerated", INT), Col("Rack loss"),
        Col("Hosts", INT), Col("VMs", INT), Col("vCPU demanded", INT), Col("vCPU available", INT),
        Col("vCPU utilisation", PCT), Col("Memory demanded GB", GB), Col("Memory available GB", GB),
        Col("Memory utilisation", PCT), Col("Storage demanded GB", GB), Col("Storage available GB", GB),
        Col("Hardware cost", MONEY)], len(design.clusters), caption="Clusters")
    book.add(clusters, [_cluster_row(book, clusters, i, c) for i, c in enumerate(design.clusters)])
    models = book.req.hardware.host_models
    table = sheet.table("tblModels", [Col("Host model"), Col("Sockets", INT), Col("Cores per socket", INT),
                                      Col("Memory GB", GB), Col("Hosts", INT), Col("Hardware cost", MONEY)],
                        len(models), caption="Hosts per model")
    book.add(table, [[m.name, m.sockets, m.cores_per_socket, m.memory_gb,
                      f"=COUNTIF({hosts.range('Model')},{table.cell('Host model', i, local=True)})",
                      f"=SUMIF({hosts.range('Model')},{table.cell('Host model', i, local=True)},"
                      f"{hosts.range('Unit price')})"] for i, m in enumerate(models)])
    roles = list(dict.fromkeys(vm.role for vm in design.vms))
    table = sheet.table("tblRoles", [Col("Role"), Col("VMs", INT), Col("vCPU", INT), Col("Memory GB", GB),
                                     Col("Storage GB", GB)], len(roles), caption="VMs per role")
    book.add(table, [[role, f"=COUNTIF({vms.range('Role')},{table.cell('Role', i, local=True)})",
                      *[f"=SUMIF({vms.range('Role')},{table.cell('Role', i, local=True)},{vms.range(col)})"
                        for col in ("vCPU", "Memory GB", "Storage GB")]] for i, role in enumerate(roles)])
    book.add(totals, _totals(book, totals, clusters))
    return sheet


def _cluster_row(book: Book, table: Table, i: int, cluster) -> list:
    hosts, vms = book.tables["tblHosts"], book.tables["tblVMs"]
    name = table.cell("Cluster", i, local=True)
    c = lambda header: table.cell(header, i, local=True)  # noqa: E731 - a local shorthand
    if book.local_storage:
        storage = f"=SUMIF({hosts.range('Cluster')},{name},{hosts.range('Usable storage GB')})"
    else:
        storage = cluster.shared_storage_gb or 0
    return [cluster.name, cluster.stamp, cluster.purpose, cluster.failures_tolerated,
            "yes" if cluster.fault_domain_tolerance else "no",
            f"=COUNTIF({hosts.range('Cluster')},{name})", f"=COUNTIF({vms.range('Cluster')},{name})",
            f"=SUMIF({vms.range('Cluster')},{name},{vms.range('vCPU')})",
            f"=SUMIF({hosts.range('Cluster')},{name},{hosts.range('vCPU capacity')})",
            f"=IF({c('vCPU available')}>0,{c('vCPU demanded')}/{c('vCPU available')},0)",
            f"=SUMIF({vms.range('Cluster')},{name},{vms.range('Memory GB')})",
            f"=SUMIF({hosts.range('Cluster')},{name},{hosts.range('Usable memory GB')})",
            f"=IF({c('Memory available GB')}>0,{c('Memory demanded GB')}/{c('Memory available GB')},0)",
            f"=SUMIF({vms.range('Cluster')},{name},{vms.range('Storage GB')})", storage,
            f"=SUMIF({hosts.range('Cluster')},{name},{hosts.range('Unit price')})"]


def _totals(book: Book, totals: Table, clusters: Table) -> list[list]:
    t = book.tables
    hosts, vms, lic_hosts = t["tblHosts"], t["tblVMs"], t["tblHostLicences"]
    sql = t.get("tblSqlLicences")
    value = lambda i: totals.cell("Value", i, local=True)  # noqa: E731 - a local shorthand
    rows = [
        ("Clusters", f"=COUNTA({clusters.range('Cluster')})", INT, "Summary: Clusters"),
        ("Hosts", f"=COUNTA({hosts.range('Host')})", INT, "Hosts"),
        ("VMs", f"=COUNTA({vms.range('VM')})", INT, "VMs"),
        ("vCPU demanded", f"=SUM({vms.range('vCPU')})", INT, "VMs: vCPU"),
        ("vCPU available", f"=SUM({hosts.range('vCPU capacity')})", INT, "Hosts: vCPU capacity"),
        ("Memory demanded GB", f"=SUM({vms.range('Memory GB')})", GB, "VMs: Memory GB"),
        ("Memory available GB", f"=SUM({hosts.range('Usable memory GB')})", GB, "Hosts: Usable memory GB"),
        ("Storage demanded GB", f"=SUM({vms.range('Storage GB')})", GB, "VMs: Storage GB"),
        ("Storage available GB", f"=SUM({clusters.range('Storage available GB')})", GB,
         "Summary: Clusters, storage available"),
        ("Hardware", f"=SUM({hosts.range('Unit price')})", MONEY, "Hosts: Unit price"),
        ("Windows Server Datacenter", f"=SUM({lic_hosts.range('Windows Server cost')})", MONEY,
         "Licences: Windows Server cost"),
        ("System Center Datacenter", f"=SUM({lic_hosts.range('System Center cost')})", MONEY,
         "Licences: System Center cost"),
        ("SQL Server", f"=SUM({sql.range('Cost')})" if sql else 0, MONEY, "Licences: SQL Server cost"),
        ("Licences", f"={value(10)}+{value(11)}+{value(12)}", MONEY, "the three licence totals"),
        ("Hardware and licences", f"={value(9)}+{value(13)}", MONEY, "Hardware + Licences"),
    ]
    return [[name, Styled(formula, fmt), how] for name, formula, fmt, how in rows]

