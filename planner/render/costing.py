"""The design's cost as lines (hosts per model, then the other items of its term cost) in the requirements'
currency: the deck's cost slide and the report's Cost section. The amounts are design.json's `cost`
(planner/cost.py, what the solver minimised), so every artifact shows the same total."""
from __future__ import annotations

from collections import Counter

from planner.model.design import Design
from planner.model.requirements import Requirements

ITEMS = {"windows_server": "Windows Server Datacenter licences",  # design.json cost items after hardware
         "system_center": "System Center Datacenter licences", "sql_server": "SQL Server licences",
         "software_assurance": "Software Assurance (SQL Server licences)", "power": "Power", "rack_space": "Rack space"}


def cost_lines(design: Design, req: Requirements) -> list[tuple[str, float]]:
    """(item, amount) per host model, then each other item of the design's term cost that is not zero; they
    sum to design.cost['total']."""
    models = Counter(h.model for h in design.hosts)
    price = {h.model: h.price for h in design.hosts}
    return ([(f"Hosts: {n} × {m}", n * price[m]) for m, n in sorted(models.items())]
            + [(label, design.cost[key]) for key, label in ITEMS.items() if design.cost.get(key)])


def money(amount: float, req: Requirements) -> str:
    """An amount with the requirements' currency, e.g. 42,000 EUR."""
    return f"{amount:,.0f} {req.currency}"
