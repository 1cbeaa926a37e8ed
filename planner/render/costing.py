"""The design's cost as lines (hosts per model, then licences per product) and their total, in the
requirements' currency: the deck's cost slide and the report's Cost section."""
from __future__ import annotations

from collections import Counter

from planner.licensing import licensing
from planner.model.design import Design
from planner.model.requirements import Requirements

LICENCES = {"windows_server": "Windows Server Datacenter licences",
            "system_center": "System Center Datacenter licences", "sql_server": "SQL Server licences"}


def cost_lines(design: Design, req: Requirements) -> list[tuple[str, float]]:
    """(item, amount) per host model and per licensed product."""
    models = Counter(h.model for h in design.hosts)
    price = {h.model: h.price for h in design.hosts}
    totals = licensing(design, req).totals()
    return ([(f"Hosts: {n} × {m}", n * price[m]) for m, n in sorted(models.items())]
            + [(LICENCES[key], amount) for key, amount in totals.items()])


def money(amount: float, req: Requirements) -> str:
    """An amount with the requirements' currency, e.g. 42,000 EUR."""
    return f"{amount:,.0f} {req.currency}"
