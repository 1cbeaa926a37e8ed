"""The comparison of a sweep's variants: one row each, the Pareto-optimal ones marked, as CSV,
Markdown and a workbook sheet."""
from __future__ import annotations

from dataclasses import dataclass

from planner.model.design import Design
from planner.render.cells import csv_text, defuse

PURPOSES = ("management", "compute", "edge")  # the order of the per-purpose resilience figures
NOT_LICENCES = ("hardware", "power", "rack_space")  # the other items of design.json's cost


@dataclass
class Row:
    """What a consultant compares between variants (figures empty when the variant has no design)."""

    variant: str
    folder: str
    differs: str
    status: str
    message: str = ""
    hosts: int | None = None
    hardware: float | None = None
    licences: float | None = None
    total: float | None = None
    per_vm_month: float | None = None
    binding: str = ""
    survives: str = ""
    resilience: tuple | None = None   # host failures survived per purpose (management, compute, edge), rack loss
    headroom: float | None = None     # compute vCPU left with the tolerated hosts down
    gap: float | None = None
    pareto: str = ""

    @property
    def solved(self) -> bool:
        return self.total is not None


def row(variant, outcome, base: dict) -> Row:
    """The comparison row of a variant from its outcome."""
    r = Row(variant.name, variant.slug, variant.differs(base), outcome.status, outcome.message)
    if outcome.design is None:
        return r
    design = Design.model_validate_json(outcome.design)
    cost = design.cost  # the term cost the solver minimised (planner/cost.py)
    items = {k: v for k, v in cost.items() if k not in ("total", "term_years", "tenant_vms", "per_tenant_vm_month",
                                                          "hosts")}
    r.hosts = len(design.hosts)
    r.hardware = cost["hardware"]
    r.licences = sum(v for k, v in items.items() if k not in NOT_LICENCES)
    r.total = cost["total"]
    r.per_vm_month = cost["per_tenant_vm_month"]
    reports = {c.cluster: c for c in design.solver.clusters}
    compute = [c for c in design.clusters if c.purpose == "compute"] or design.clusters
    r.binding = ", ".join(sorted({reports[c.name].binding for c in compute}))
    ks = [min((c.failures_tolerated for c in design.clusters if c.purpose == p), default=0) for p in PURPOSES]
    rack = all(c.fault_domain_tolerance for c in design.clusters)
    r.survives = " / ".join(f"N+{k}" for k in ks) + (" + rack" if rack else "")
    r.resilience = (*ks, int(rack))
    r.headroom = _headroom(design, compute)
    r.gap = design.solver.gap
    return r


def _headroom(design: Design, clusters: list) -> float:
    """Share of the clusters' vCPU capacity left unused when each loses its k largest hosts."""
    capacity = used = 0.0
    for c in clusters:
        hosts = sorted((h.vcpu_capacity for h in design.hosts if h.cluster == c.name), reverse=True)
        capacity += sum(hosts[c.failures_tolerated:])
        used += sum(vm.vcpu for vm in design.vms if vm.cluster == c.name)
    return max(0.0, 1 - used / capacity) if capacity else 0.0


def mark_pareto(rows: list[Row]) -> None:
    """Mark the variants no other beats on cost and resilience, or on cost and headroom."""
    solved = [r for r in rows if r.solved]
    for r in solved:
        fronts = [name for name, key in (("resilience", "resilience"), ("headroom", "headroom"))
                  if not any(_dominates(o, r, key) for o in solved)]
        r.pareto = " & ".join(fronts)


def _dominates(a: Row, b: Row, key: str) -> bool:
    """`a` is no dearer and no worse on `key` (every purpose's failures for resilience), and better on one."""
    mine, theirs = (r.resilience if key == "resilience" else (r.headroom,) for r in (a, b))
    no_worse = a.total <= b.total and all(x >= y for x, y in zip(mine, theirs))
    return no_worse and (a.total < b.total or mine != theirs)


COLUMNS = [("variant", "variant"), ("differs from the base", "differs"), ("status", "status"),
           ("hosts", "hosts"), ("hardware", "hardware"), ("licences", "licences"), ("total", "total"),
           ("per tenant VM per month", "per_vm_month"), ("binding resource", "binding"),
           ("survives (management / compute / edge)", "survives"), ("compute headroom", "headroom"), ("gap", "gap"), ("Pareto-optimal", "pareto"),
           ("why not", "message")]


def cells(r: Row) -> list:
    """The row's values in COLUMNS order (None where there is no figure)."""
    return [getattr(r, attr) for _, attr in COLUMNS]


def shown(value, attr: str) -> str:
    """A value as text: money without decimals, shares as percentages."""
    if value is None:
        return ""
    if attr in ("headroom", "gap"):
        return f"{value:.1%}"
    if attr == "per_vm_month":
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return str(value)


def to_csv(rows: list[Row]) -> bytes:
    """The comparison as CSV (plain numbers; text that a spreadsheet would run is defused)."""
    values = [["" if v is None else round(v, 4) if isinstance(v, float) else str(v) for v in cells(r)] for r in rows]
    return csv_text([header for header, _ in COLUMNS], values).encode()


def to_markdown(rows: list[Row], title: str) -> bytes:
    """The comparison as a Markdown table."""
    lines = [f"# {title}", "", "| " + " | ".join(h for h, _ in COLUMNS) + " |",
             "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(shown(getattr(r, a), a).replace("|", "\\|") for _, a in COLUMNS) + " |")
    lines += ["", "Costs are each design's total over its term (cost.term_years): hardware, licences with "
                  "Software Assurance or SPLA rent, power and rack space where priced; per tenant VM per month "
                  "divides that total by the tenant VMs and the term's months. Pareto-optimal: no other variant is "
                  "both cheaper and at least as resilient (or with as much compute headroom).", ""]
    return "\n".join(lines).encode()


def to_workbook(rows: list[Row], title: str, currency: str) -> bytes:
    """The comparison as a workbook with one table (sortable, filterable)."""
    from planner.render.workbook.xlsx import PCT, Col, Sheet, money, write_workbook

    formats = {"hosts": "#,##0", "hardware": money(currency), "licences": money(currency),
               "total": money(currency), "per_vm_month": money(currency, cents=True), "headroom": PCT, "gap": PCT}
    sheet = Sheet("Comparison")
    sheet.heading(title)
    table = sheet.table("Variants", [Col(h, formats.get(a), wrap=a in ("differs", "message"),
                                         width=40 if a in ("differs", "message") else None)
                                     for h, a in COLUMNS], len(rows))
    table.rows = [[defuse(v) if isinstance(v, str) else v for v in cells(r)] for r in rows]
    sheet.freeze = f"A{table.first}"
    return write_workbook([sheet], title)
