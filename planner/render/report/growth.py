"""The report's Growth section: hosts per year in a design sized for the final year (design.json `growth`)."""
from __future__ import annotations

from html import escape

from planner.render.costing import money
from planner.render.report.document import Context
from planner.render.report.tables import table


def section(ctx: Context) -> str:
    """The schedule as a table, or "" (no section) when the requirements have no growth."""
    growth = ctx.facts.design.growth
    if growth is None:
        return ""
    names = [c.cluster for c in growth.schedule[0].clusters]
    rows = [[str(y.year) if y.year else "0 (day one)", f"{y.tenants:,}", f"{y.tenant_vms:,}", f"{y.hosts:,}",
             f"+{y.added_hosts:,}", money(y.added_cost, ctx.req), *(f"{c.hosts:,}" for c in y.clusters)]
            for y in growth.schedule]
    head = ["year", "tenants", "tenant VMs", "hosts", "added", f"hosts bought ({ctx.req.currency})",
            *(f"{n} hosts" for n in names)]
    return (f'<p>Tenant load grows {growth.annual_rate:.0%} a year ({escape(growth.applies_to)}) over '
            f'{growth.years} year(s); the design holds the final year with compute hosts at most '
            f'{growth.utilisation_ceiling:.0%} full (vCPU and memory). {escape(growth.line())}.</p>'
            + table(head, rows, numeric=set(range(1, len(head))))
            + '<p class="note">Management and edge hosts are sized for the final year and bought on day one; each '
              'compute cluster keeps its host model and N+k and grows to the hosts each year needs. The term cost '
              'prices every host of the final design as if bought on day one.</p>')
