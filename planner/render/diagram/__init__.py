"""Diagrams of a design: physical, logical and network views as DOT, SVG, PNG and PDF.

`artifacts(design)` gives every view in the light theme under `diagrams/`; `draw` renders one
view on demand (the `stampplan diagram` command), or a failure scenario. Needs Graphviz `dot`
(MissingProgram otherwise). No page drawing is larger than A3 landscape: one whose smallest text would read
under MIN_PAGE_TEXT once fitted is drawn with hosts counted (logical, network: the physical pages draw them), else
split: the physical view into an overview page (`physical.*`) and a page per cluster (`physical-<cluster>.*`, in
design_index.cluster_order: STAMP01's first; in a stamp management, edge, then compute clusters, each by name),
the logical and network views of several stamps into an overview (drawn as the compact slide) and a page per stamp.
"""
from __future__ import annotations

import re
from importlib import import_module

import graphviz

from planner.errors import InputError
from planner.model.design import Design
from planner.render.design_index import Facts, index, natural
from planner.render.diagram import overview, physical
from planner.render.diagram.book import book
from planner.render.diagram.dot import (A3_POINTS, FORMATS, PAGE_PAD, READABLE, SLIDE_DPI, dot_program,
                                        fit_slide, layouts, page_text, render, render_each, slide_scale)
from planner.render.diagram.failover import Failure
from planner.render.theme import PAGE, PAGE_COUNTED, SLIDE, SLIDE_COMPACT, THEMES, Scale

BOOK = "diagrams.pdf"  # every page of every view, in order, for a presenter or a printer
VIEWS = ("physical", "logical", "network")  # each a module planner.render.diagram.<view> with build(facts, theme, scale)
MIN_PAGE_TEXT = 6.5  # points: a page drawing's smallest text once fitted to A3 (8.7 px at 96 dpi); a drawing
# that would read smaller is drawn in the view's next PAGE_SCALES, else split (medium's physical page fitted at 0.75:
# its 8 pt HA tags at 6.0 pt; service-provider's logical and network pages at 0.64 and 0.61: 9 pt at 5.8 and 5.5 pt)
PAGE_SCALES: dict[str, tuple[Scale, ...]] = {"physical": (PAGE,), "logical": (PAGE, PAGE_COUNTED),
                                             "network": (PAGE, PAGE_COUNTED)}


def source(design: Design, view: str, theme: str = "light", slide: bool = False, page: str | None = None,
           failure: Failure | None = None) -> str:
    """The DOT source of one view: whole (`page` None; for a slide, padded to 16:9: that needs `dot`), one of
    its `pages` (fitted to A3), or the physical view of a `failure` (fitted to A3)."""
    check(view=view, theme=theme)
    facts = index(design)
    if failure is not None:
        return _fit_page(physical.build(facts, THEMES[theme], PAGE, failure=failure))
    if page is not None:
        if page == "":  # a paged view's first page is an overview: the physical one, or the compact slide's
            paged = len(pages(design, view)) > 1
            if view == "physical" and paged:
                graph = overview.build(facts, THEMES[theme], PAGE)
            elif paged:
                graph = drawing(view, facts, theme, SLIDE_COMPACT)
                graph.attr(pad=str(PAGE_PAD))  # the slide's is 0
            else:
                graph = drawing(view, facts, theme, one_page_scale(design, view))
        elif view == "physical" and page in {c.name for c in facts.clusters}:
            graph = physical.build(facts, THEMES[theme], PAGE, clusters=[page])
        elif view != "physical" and page in {s.name for s in design.stamps}:
            part = _stamp_part(design, page)
            graph = drawing(view, index(part), theme, one_page_scale(part, view))
        else:
            raise InputError(f"no page {page!r} of the {view} view: choose one of "
                             f"{', '.join(p or 'overview' for p in pages(design, view))}")
        return _fit_page(graph)
    if not slide:
        return drawing(view, facts, theme, PAGE).source
    graph = drawing(view, facts, theme, SLIDE)
    if slide_scale(graph) * SLIDE.small < READABLE:
        graph = drawing(view, facts, theme, SLIDE_COMPACT)
    return fit_slide(graph)


def pages(design: Design, view: str) -> list[str]:
    """The pages of a view: [""] when it reads on one A3 page (page_scale); else "" (an overview) and a page per
    cluster (physical: in cluster_order) or per stamp (logical, network; a design of one stamp stays one page)."""
    if page_scale(design, view) is not None:
        return [""]
    if view == "physical":
        return ["", *(c.name for c in index(design).clusters)]
    stamps = sorted((s.name for s in design.stamps), key=natural)
    return ["", *stamps] if len(stamps) > 1 else [""]


def page_scale(design: Design, view: str) -> Scale | None:
    """The first of the view's PAGE_SCALES whose drawing of `design`, fitted to A3 landscape, keeps its smallest
    text at MIN_PAGE_TEXT or more (None: no such scale, the view is split into pages)."""
    facts = index(design)
    return facts.memo((page_scale, view), lambda: next(
        (scale for scale in PAGE_SCALES[view] if page_text(drawing(view, facts, "light", scale)) >= MIN_PAGE_TEXT),
        None))


def one_page_scale(design: Design, view: str) -> Scale:
    """The scale of the view drawn as one page: page_scale, else the view's most compact of PAGE_SCALES."""
    return page_scale(design, view) or PAGE_SCALES[view][-1]


def figure_source(design: Design, view: str) -> str:
    """The DOT source of a view as one figure (report.html), not fitted to A3: the drawing its page uses (hosts
    counted when the page logic chose that), at one_page_scale."""
    check(view=view)
    return drawing(view, index(design), "light", one_page_scale(design, view)).source


def drawing(view: str, facts: Facts, theme: str, scale: Scale) -> graphviz.Digraph:
    """The view of `facts` in `theme` at `scale`, built once per index (the page logic, the pages and the report
    read the same drawings); a copy, which the caller may change."""
    build = import_module(f"planner.render.diagram.{view}").build
    return facts.memo((drawing, view, theme, scale), lambda: build(facts, THEMES[theme], scale)).copy()


def figures(design: Design) -> dict[str, bytes]:
    """Each view's SVG as one figure (figure_source), the views laid out at once (one `dot` each)."""
    layouts([source(design, view) for view in VIEWS])  # their extents and SVGs: the figures are these drawings
    return {view: render(figure_source(design, view), ("svg",))["svg"] for view in VIEWS}


def _stamp_part(design: Design, stamp: str) -> Design:
    """The part of a design in one stamp (its clusters, hosts, VMs, SQL and load balancers), named after it (one
    object per design and stamp: the logical and network pages of a stamp read the same index)."""
    return index(design).memo((_stamp_part, stamp), lambda: _cut_stamp(design, stamp))


def _cut_stamp(design: Design, stamp: str) -> Design:
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
    """diagrams/<page>.{dot,svg,png,pdf} for every page of every view, light theme, and diagrams.pdf: those pages
    in that order, one A3 landscape sheet each."""
    names, drawn = _every_page(design, FORMATS)
    files = {f"diagrams/{page_name(view, page)}.{fmt}": data
             for (view, page), formats in zip(names, drawn) for fmt, data in formats.items()}
    return {**files, BOOK: book([formats["pdf"] for formats in drawn])}


def diagram_book(design: Design, theme: str = "light") -> bytes:
    """diagrams.pdf alone (`stampplan diagram --book`): every page of every view in `theme`, as `plan` writes it."""
    check(theme=theme)
    return book([formats["pdf"] for formats in _every_page(design, ("pdf",), theme)[1]])


def _every_page(design: Design, formats: tuple[str, ...], theme: str = "light"):
    """(view, page) of every page of every view, in order, and each page drawn in `formats`."""
    dot_program()
    layouts([source(design, view) for view in VIEWS])  # at once: `pages` reads their extents, the report their SVGs
    names = [(view, page) for view in VIEWS for page in pages(design, view)]
    return names, render_each([source(design, view, theme, page=page) for view, page in names], formats)


def check(view: str | None = None, fmt: str | None = None, theme: str | None = None) -> None:
    """InputError naming the choices when a view, format or theme is unknown."""
    for kind, value, choices in (("view", view, VIEWS), ("format", fmt, FORMATS), ("theme", theme, tuple(THEMES))):
        if value is not None and value not in choices:
            raise InputError(f"unknown {kind} {value!r}: choose one of {', '.join(choices)}")
