"""report.html: the design document, one self-contained page (inline SVG and CSS, no scripts, nothing
fetched) that reads on screen and prints (or `stampplan report --pdf` renders) as a document: cover,
document control, then one numbered section per concern (SECTIONS), the build checklist as an appendix.

Written even without Graphviz: the diagrams are then replaced by a line saying how to install it.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from pydantic import ValidationError

from planner.errors import InputError, MissingProgram
from planner.model.design import Design
from planner.model.memo import held
from planner.model.requirements import Document
from planner.render import diagram
from planner.render.checklist.view import requirements_of
from planner.render.design_index import index
from planner.render.report import document as doc
from planner.render.report.css import CSS
from planner.render.report.growth import section as growth_section
from planner.render.report.security import section as security_section
from planner.render.report.tables import clusters, failover, hosts, services, summary, vms

VIEW_TITLES = {"physical": "Physical view: racks, clusters, hosts and VMs",
               "logical": "Logical view: management roles and how they talk",
               "network": "Network view: networks and what attaches to them"}


def _diagrams(ctx: doc.Context) -> str:
    """The three views as inline SVG (each the drawing its diagram page uses: diagram.figure_source), each on a
    landscape page of its own in print, or a note when Graphviz is missing."""
    design = ctx.facts.design
    try:
        svgs = diagram.figures(design)
    except MissingProgram:
        return ('<p class="note">Diagrams need Graphviz, which was not installed where this report was made: '
                'install it with <code>apt-get install graphviz</code> and plan again.</p>')
    parts = ['<p class="note">Each diagram is shown at full size; tick <em>fit to width</em> for an overview. '
             'In print each is fitted to a landscape page. The same drawings are in <code>diagrams/</code> as SVG, '
             'PNG, PDF and DOT.</p>']
    for view, svg in svgs.items():
        parts.append(f'<figure id="view-{view}"><figcaption>{escape(VIEW_TITLES[view])}'
                     f'<label><input type="checkbox" class="fit"> fit to width</label></figcaption>'
                     f'<div class="diagram">{inline_svg(svg.decode(), view)}</div></figure>')
    return "".join(parts)


Section = tuple[str, Callable[[doc.Context], str]]
SECTIONS: list[Section] = [  # (title, HTML of its body, "" to leave it out): one per concern, in order
    ("Executive summary", doc.executive),
    ("Requirements", doc.requirements),
    ("Design summary", lambda ctx: summary(ctx.facts)),
    ("Diagrams", _diagrams),
    ("Clusters", lambda ctx: clusters(ctx.facts)),
    ("Hosts", lambda ctx: hosts(ctx.facts)),
    ("SQL and load balancers", lambda ctx: services(ctx.facts)),
    ("Virtual machines", lambda ctx: vms(ctx.facts)),
    ("Failover certificates", doc.certificates),
    ("Failover plans", lambda ctx: failover(ctx.facts)),
    ("Certificates and firewall", lambda ctx: security_section(ctx.facts)),
    ("Decisions", doc.decisions),
    ("Assumptions", doc.assumptions),
    ("Licences", doc.licences),
    ("Cost", doc.cost),
    ("Growth", growth_section),  # only with a growth section
    ("Out of scope", doc.scope),
]
APPENDICES: list[Section] = [("Build checklist", doc.checklist)]


def artifacts(design: Design) -> dict[str, bytes]:
    """report.html."""
    return {"report.html": page(design).encode()}


def page(design: Design, document: Document | None = None) -> str:
    """The whole document; `document` (version, date, ...) replaces the requirements' own."""
    with held(design):
        return _page(design, document)


def _page(design: Design, document: Document | None) -> str:
    req = requirements_of(design)
    ctx = doc.Context(index(design), req, document or req.document or Document())
    shown = [(title, html) for title, body in SECTIONS if (html := body(ctx))]
    numbered = [(f"{n}", title, html) for n, (title, html) in enumerate(shown, 1)]
    numbered += [(f"Appendix {chr(ord('A') + n)}", title, body(ctx)) for n, (title, body) in enumerate(APPENDICES)]
    contents = "".join(f'<li><a href="#{_anchor(title)}">{escape(number)} {escape(title)}</a></li>'
                       for number, title, _ in numbered)
    body = "".join(f'<section id="{_anchor(title)}"><h2>{escape(number)} {escape(title)}</h2>{html}</section>'
                   for number, title, html in numbered)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="generator" content="stampplan">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{escape(design.name)}: stamp design</title>\n<style>{CSS}</style>\n</head>\n<body>\n'
            f'<header>{doc.cover(ctx)}</header>\n<main><section id="document-control"><h2>Document control</h2>'
            f'{doc.control(ctx)}<h3>Contents</h3><ol class="contents">{contents}</ol></section>{body}</main>\n'
            f'<footer>Drawn by stampplan from design.json ({escape(design.format)}).</footer>\n</body>\n</html>\n')


def document_control(design: Design, version: str | None = None, date: str | None = None) -> Document:
    """The requirements' document control with `version` and `date` (the CLI flags) put in; InputError
    naming the flag when one is not valid."""
    given = (requirements_of(design).document or Document()).model_dump()
    for flag, field, value in (("--doc-version", "version", version), ("--doc-date", "date", date)):
        if value is not None:
            try:
                Document(**{field: value})
            except ValidationError as error:
                raise InputError(f"{flag} {value!r}: {error.errors()[0]['msg']}") from None
            given[field] = value
    return Document(**given)


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG file made fit for inlining: no prolog, no namespace URLs, ids unique to its view."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    svg = re.sub(r'\bid="([^"]*)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
