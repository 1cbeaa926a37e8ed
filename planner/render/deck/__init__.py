"""The slide deck (deck.pptx, `stampplan deck`): a presenter's 16:9 slides of a design, light or dark.

`deck(design, slides, theme)` builds the chosen sections in the given order (SECTIONS: title,
requirements, overview (one slide per stamp), physical, logical, network, failover, cost,
decisions, risks); the same design gives the same bytes. The diagram slides need Graphviz `dot`.
"""
from __future__ import annotations

from planner.errors import InputError
from planner.model.design import Design
from planner.render.deck.sections import SECTIONS
from planner.render.deck.slides import Deck
from planner.render.theme import THEMES

__all__ = ["SECTIONS", "deck", "parse_slides"]


def deck(design: Design, slides: tuple[str, ...] = tuple(SECTIONS), theme: str = "light") -> bytes:
    """deck.pptx of `design` with `slides` (section names, in order) in `theme`."""
    if theme not in THEMES:
        raise InputError(f"unknown theme {theme!r}: choose one of {', '.join(THEMES)}")
    parse_slides(",".join(slides))
    built = Deck(THEMES[theme], f"{design.name}: management stamp design")
    for name in slides:
        SECTIONS[name](built, design)
    return built.save()


def parse_slides(text: str | None) -> tuple[str, ...]:
    """`--slides` (comma-separated section names) as a tuple; every section when empty or None."""
    names = tuple(n.strip() for n in (text or "").split(",") if n.strip())
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise InputError(f"--slides: unknown slide(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    return names or tuple(SECTIONS)
