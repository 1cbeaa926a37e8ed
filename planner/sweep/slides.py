"""The sweep's slides for the presenter (options.pptx): a cover, the Pareto picture and the best options."""
from __future__ import annotations

from planner.sweep.compare import Row, shown


def options_deck(rows: list[Row], title: str, currency: str, png: bytes) -> bytes:
    """Three 16:9 slides (text 18 pt or larger): what was compared, cost against resilience, and the
    Pareto-optimal options (then the cheapest others) in a table; the same rows give the same bytes."""
    from planner.render.deck.slides import ROWS, Deck
    from planner.render.theme import THEMES

    deck = Deck(THEMES["light"], title)
    solved = [r for r in rows if r.solved]
    best = min(solved, key=lambda r: r.total, default=None)
    deck.cover(title, "Options analysis", [
        f"{len(rows)} variants, {len(solved)} with a design, {sum(1 for r in rows if r.pareto)} Pareto-optimal",
        f"Cheapest: {best.variant}, {shown(best.total, 'total')} {currency} over the term" if best else
        "No variant has a design: see comparison.md"])
    deck.picture(png)
    ranked = sorted(solved, key=lambda r: (not r.pareto, r.total))[:ROWS]
    deck.table("Options compared (Pareto-optimal first)",
               ["option", "hosts", f"total ({currency})", "per VM / month", "survives", "Pareto"],
               [[r.variant, shown(r.hosts, "hosts"), shown(r.total, "total"), shown(r.per_vm_month, "per_vm_month"),
                 r.survives, "yes" if r.pareto else ""] for r in ranked],
               [3.4, 1.0, 2.0, 1.8, 2.6, 1.1],
               f"{len(solved) - len(ranked)} more in comparison.xlsx" if len(solved) > len(ranked) else
               "All variants with a design; the others are in comparison.xlsx")
    return deck.save()
