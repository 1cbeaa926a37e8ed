"""Diagrams of a design: physical, logical and network views as DOT, SVG, PNG and PDF.

`artifacts(design)` gives every view in the light theme under `diagrams/`; `draw` renders one
view on demand (the `stampplan diagram` command), or a failure scenario. Needs Graphviz `dot`
(MissingProgram otherwise). No page drawing is larger than A3 landscape: one that would be shrunk
below MIN_PAGE_SCALE to fit is split: the physical view into an overview page (`physical.*`) and a page
per cluster (`physical-<cluster>.*`, in design_index.cluster_order: STAMP01's first; in a stamp management,
edge, then compute clusters, each by name), the logical
and network views of several stamps into an overview (drawn as the compact slide) and a page per stamp.
"""
from __future__ import annotations

import re
from importlib import import_module

from planner.errors import InputError
from planner.model.design import Design
from planner.render.design_index import index, natural
from planner.render.diagram import overview, physical
from planner.render.diagram.dot import (A3_POINTS, FORMATS, READABLE, SLIDE_DPI, dot_program, extent, fit_slide,
                                        layouts, render, render_each, slide_scale)
from planner.render.diagram.failover import Failure
from planner.render.theme import PAGE, SLIDE, SLIDE_COMPACT, THEMES

VIEWS = ("physical", "logical", "network")  # each a module planner.render.diagram.<view> with build(facts, theme, scale)
MIN_PAGE_SCALE = 0.82  # a page drawing shrunk more than this to fit A3 is split into pages: its smallest text, the
# 8 pt HA tags, stays at 6.5 pt or more (0.75 left medium's physical page at 8 pt x 0.75 = 6.0 pt)
PAGE_PAD = 0.3  # inches of padding around a page drawing (dot.new_graph), shrunk with it


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
        if page == "":  # a paged view's first page is an overview: the physical one, or the compact slide's
            paged = len(pages(design, view)) > 1
            if view == "physical" and paged:
                graph = overview.build(facts, THEMES[theme], PAGE)
            else:
                graph = module.build(facts, THEMES[theme], SLIDE_COMPACT if paged else PAGE)
                if paged:
                    graph.attr(pad="0.3")  # the slide's is 0
        elif view == "physical" and page in {c.name for c in facts.clusters}:
            graph = physical.build(facts, THEMES[theme], PAGE, clusters=[page])
        elif view != "physical" and page in {s.name for s in design.stamps}:
            graph = module.build(index(_stamp_part(design, page)), THEMES[theme], PAGE)
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
    """The pages of a view: [""] when it fits A3 landscape at MIN_PAGE_SCALE or more; else "" (an overview)
    and a page per cluster (physical: in cluster_order) or per
    stamp (logical, network; a design of one stamp stays one page)."""
    facts = index(design)
    width, height = extent(import_module(f"planner.render.diagram.{view}").build(facts, THEMES["light"], PAGE))
    pad = 2 * PAGE_PAD * 72
    if min(A3_POINTS[0] / (width * 72 + pad), A3_POINTS[1] / (height * 72 + pad)) >= MIN_PAGE_SCALE:
        return [""]
    if view == "physical":
        return ["", *(c.name for c in facts.clusters)]
    stamps = sorted((s.name for s in design.stamps), key=natural)
    return ["", *stamps] if len(stamps) > 1 else [""]


def _stamp_part(design: Design, stamp: str) -> Design:
    """The part of a design in one stamp (its clusters, hosts, VMs, SQL and load balancers), named after it."""
    clusters = {c.name for c in design.clusters if c.stamp == stamp}
    return design.model_copy(update={
        "name": f"{design.name} · {stamp}", "stamps": [s for s in design.stamps if s.name == stamp],
        "clusters": [c for c in design.clusters if c.name in clusters],
        "hosts": [h for h in design.hosts if h.cluster in clusters],
        "vms": [vm for vm in design.vms if vm.cluster in clusters],
        "sql_instances": [q for q in design.sql_instances if q.stamp == stamp],
        "load_balancers": [lb for lb in design.load_balancers if lb.stamp == stamp]})


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


def drawings(design: Design, view: str, fmt: str, theme: str = "light", slide: bool = False,
             page: str | None = None, failure: Failure | None = None) -> dict[str, bytes]:
    """What `stampplan diagram` writes: file-name suffix -> bytes; "" the view (or its overview, or the
    failure), "-<cluster>" each further page of a view too large for one page (with no `page` chosen)."""
    if failure is not None or slide:
        return {"": draw(design, view, fmt, theme, slide, failure=failure)}
    chosen = [("" if page == "overview" else page)] if page is not None else pages(design, view)
    return {page_name("", p): draw(design, view, fmt, theme, page=p) for p in chosen}


def artifacts(design: Design) -> dict[str, bytes]:
    """diagrams/<page>.{dot,svg,png,pdf} for every page of every view, light theme."""
    dot_program()
    layouts([source(design, view) for view in VIEWS])  # at once: `pages` reads their extents, the report their SVGs
    names = [(view, page) for view in VIEWS for page in pages(design, view)]
    drawn = render_each([source(design, view, page=page) for view, page in names], FORMATS)
    return {f"diagrams/{page_name(view, page)}.{fmt}": data
            for (view, page), formats in zip(names, drawn) for fmt, data in formats.items()}


def check(view: str | None = None, fmt: str | None = None, theme: str | None = None) -> None:
    """InputError naming the choices when a view, format or theme is unknown."""
    for kind, value, choices in (("view", view, VIEWS), ("format", fmt, FORMATS), ("theme", theme, tuple(THEMES))):
        if value is not None and value not in choices:
            raise InputError(f"unknown {kind} {value!r}: choose one of {', '.join(choices)}")
