"""Diagrams of a design: physical, logical and network views as DOT, SVG, PNG and PDF.

`artifacts(design)` gives every view in the light theme under `diagrams/`; `draw` renders one
view on demand (the `stampplan diagram` command). Needs Graphviz `dot` (MissingProgram otherwise).
"""
from __future__ import annotations

from importlib import import_module

from planner.errors import InputError
from planner.model.design import Design
from planner.render.design_index import index
from planner.render.diagram.dot import (FORMATS, READABLE, SLIDE_DPI, dot_program, fit_slide, render, render_each,
                                        slide_scale)
from planner.render.theme import PAGE, SLIDE, SLIDE_COMPACT, THEMES

VIEWS = ("physical", "logical", "network")  # each a module planner.render.diagram.<view> with build(facts, theme, scale)


def source(design: Design, view: str, theme: str = "light", slide: bool = False) -> str:
    """The DOT source of one view (for a slide, padded to 16:9: that needs `dot`)."""
    check(view=view, theme=theme)
    module = import_module(f"planner.render.diagram.{view}")
    facts = index(design)
    if not slide:
        return module.build(facts, THEMES[theme], PAGE).source
    graph = module.build(facts, THEMES[theme], SLIDE)
    if slide_scale(graph) * SLIDE.small < READABLE:
        graph = module.build(facts, THEMES[theme], SLIDE_COMPACT)
    return fit_slide(graph)


def draw(design: Design, view: str, fmt: str, theme: str = "light", slide: bool = False) -> bytes:
    """One view in one format (DOT needs no Graphviz; the others raise MissingProgram without it)."""
    check(view=view, fmt=fmt, theme=theme)
    text = source(design, view, theme, slide)
    return render(text, (fmt,), SLIDE_DPI if slide and fmt == "png" else None)[fmt]


def artifacts(design: Design) -> dict[str, bytes]:
    """diagrams/<view>.{dot,svg,png,pdf} for every view, light theme."""
    dot_program()
    drawn = render_each([source(design, view) for view in VIEWS], FORMATS)
    return {f"diagrams/{view}.{fmt}": data for view, formats in zip(VIEWS, drawn) for fmt, data in formats.items()}


def check(view: str | None = None, fmt: str | None = None, theme: str | None = None) -> None:
    """InputError naming the choices when a view, format or theme is unknown."""
    for kind, value, choices in (("view", view, VIEWS), ("format", fmt, FORMATS), ("theme", theme, tuple(THEMES))):
        if value is not None and value not in choices:
            raise InputError(f"unknown {kind} {value!r}: choose one of {', '.join(choices)}")
