"""Growth sheet: the hosts each year needs and the hardware bought that year (design.json `growth`)."""
from __future__ import annotations

from planner.render.workbook.inventory import Book
from planner.render.workbook.xlsx import INT, Col, Sheet


def growth_sheet(book: Book) -> Sheet | None:
    """One row per year: tenants, tenant VMs, hosts, hosts added, their hardware cost, and hosts per compute
    cluster; None when the design has no growth section."""
    growth = book.design.growth
    if growth is None:
        return None
    names = [c.cluster for c in growth.schedule[0].clusters]
    rows = [[y.year, y.tenants, y.tenant_vms, y.hosts, y.added_hosts, y.added_cost,
             *(c.hosts for c in y.clusters)] for y in growth.schedule]
    sheet = Sheet("Growth", freeze="A3")
    table = sheet.table("tblGrowth", [Col("Year", INT), Col("Tenants", INT), Col("Tenant VMs", INT),
                                      Col("Hosts", INT), Col("Added hosts", INT),
                                      Col("Cost of added hosts", book.money),
                                      *(Col(f"{n} hosts", INT) for n in names)], len(rows),
                        caption=f"{growth.annual_rate:.0%} a year of {growth.applies_to} over {growth.years} "
                                f"year(s); compute at most {growth.utilisation_ceiling:.0%} of its vCPU and memory; "
                                f"hardware price of the hosts first needed each year (year 0: day one)")
    book.add(table, rows)
    return sheet
