"""Diagrams of a design: physical, logical and network views as DOT, SVG, PNG and PDF.

`artifacts(design)` gives every view in the light theme under `diagrams/`; `draw` renders one
view on demand (the `stampplan diagram` command), or a failure scenario. Needs Graphviz `dot`
(MissingProgram otherwise). No page drawing is larger than A3 landscape: a physical view too large
for one is drawn as an overview page (`physical.*`) and a page per cluster (`physical-<cluster>.*`),
STAMP01's clusters first, each stamp's in name order; the other views are scaled down to fit.
"""
from __future__ import annotations

import re
from importlib import import_module

from planner.errors import InputError
from planner.model.design import Design
from planner.render.design_index import index, natural
from planner.render.diagram import overview, physical
from planner.render.diagram.dot import (A3_POINTS, FORMATS, READABLE, SLIDE_DPI, dot_program, extent, fit_slide,
                                        render, slide_scale)
from planner.render.diagram.failover import Failure
from planner.render.theme import PAGE, SLIDE, SLIDE_COMPACT, THEMES

VIEWS = ("physical", "logical", "network")  # each a module planner.render.diagram.<view> with build(facts, theme, scale)


def source(design: Design, view: str, theme: str = "light", slide: bool = False, page: str | None = None,
           failure: Failure | None = None) -> str:
    """The DOT source of one view: whole (`page` None; for a slide, padded to 16:9: that needs `dot`), one of
    its `pages` (fitted to A3), or the physical view of a `failure` (fitted to A3)."""
    check(view=view, theme=theme)
    module = import_module(f"planner.render.diagram.{view}")
    facts = index(design)
    if failure is not None:
        return _fit_page(physical.build(facts, THEMES[theme], PAGE, failure=failure))
    if page is not None:
        if page == "":
            whole = len(pages(design, view)) == 1
            graph = module.build(facts, THEMES[theme], PAGE) if whole else overview.build(facts, THEMES[theme], PAGE)
        elif view == "physical" and page in {c.name for c in facts.clusters}:
            graph = physical.build(facts, THEMES[theme], PAGE, clusters=[page])
        else:
            raise InputError(f"no page {page!r} of the {view} view: choose one of "
                             f"{', '.join(p or 'overview' for p in pages(design, view))}")
        return _fit_page(graph)
    if not slide:
        return module.build(facts, THEMES[theme], PAGE).source
    graph = module.build(facts, THEMES[theme], SLIDE)
    if slide_scale(graph) * SLIDE.small < READABLE:
        graph = module.build(facts, THEMES[theme], SLIDE_COMPACT)
    return fit_slide(graph)


def pages(design: Design, view: str) -> list[str]:
    """The pages of a view: [""] when it fits A3 landscape; for a larger physical view "" (the overview) and
    its clusters, by stamp then name."""
    if view != "physical":
        return [""]
    facts = index(design)
    width, height = extent(physical.build(facts, THEMES["light"], PAGE))
    if width * 72 <= A3_POINTS[0] + 1 and height * 72 <= A3_POINTS[1] + 1:
        return [""]
    return ["", *(c.name for c in sorted(facts.clusters, key=lambda c: (natural(c.stamp), natural(c.name))))]


def page_name(view: str, page: str) -> str:
    """File stem of a page: `physical`, `physical-comp01`."""
    return f"{view}-{re.sub(r'[^a-z0-9]+', '-', page.lower()).strip('-')}" if page else view


def _fit_page(graph) -> str:
    """The DOT source, scaled down (never up) to fit an A3 landscape page."""
    graph.attr(size=f"{A3_POINTS[0] / 72:.2f},{A3_POINTS[1] / 72:.2f}")
    return graph.source


def draw(design: Design, view: str, fmt: str, theme: str = "light", slide: bool = False, page: str | None = None,
         failure: Failure | None = None) -> bytes:
    """One view (or page, or failure) in one format (DOT needs no Graphviz; the others raise MissingProgram
    without it)."""
    check(view=view, fmt=fmt, theme=theme)
    text = source(design, view, theme, slide, page, failure)
    return render(text, (fmt,), SLIDE_DPI if slide and fmt == "png" else None)[fmt]


def artifacts(design: Design) -> dict[str, bytes]:
    """diagrams/<page>.{dot,svg,png,pdf} for every page of every view, light theme."""
    dot_program()
    files: dict[str, bytes] = {}
    for view in VIEWS:
        for page in pages(design, view):
            for fmt, data in render(source(design, view, page=page), FORMATS).items():
                files[f"diagrams/{page_name(view, page)}.{fmt}"] = data
    return files


def check(view: str | None = None, fmt: str | None = None, theme: str | None = None) -> None:
    """InputError naming the choices when a view, format or theme is unknown."""
    for kind, value, choices in (("view", view, VIEWS), ("format", fmt, FORMATS), ("theme", theme, tuple(THEMES))):
        if value is not None and value not in choices:
            raise InputError(f"unknown {kind} {value!r}: choose one of {', '.join(choices)}")
