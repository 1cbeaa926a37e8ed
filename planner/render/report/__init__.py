"""report.html: one self-contained page (inline SVG and CSS, no scripts, nothing fetched) for a customer.

Written even without Graphviz: the diagrams are then replaced by a line saying how to install it.
"""
from __future__ import annotations

import re
from html import escape

from planner.errors import MissingProgram
from planner.model.design import Design
from planner.render import diagram
from planner.render.design_index import Facts, count, index
from planner.render.diagram.dot import render
from planner.render.report.css import CSS
from planner.render.report.security import section as security_section
from planner.render.report.tables import clusters, failover, hosts, services, summary, vms

VIEW_TITLES = {"physical": "Physical view: racks, clusters, hosts and VMs",
               "logical": "Logical view: management roles and how they talk",
               "network": "Network view: networks and what attaches to them"}


def artifacts(design: Design) -> dict[str, bytes]:
    """report.html."""
    return {"report.html": page(design).encode()}


def page(design: Design) -> str:
    """The whole report."""
    facts = index(design)
    sections = [("Summary", summary(facts)), ("Diagrams", _diagrams(design)), ("Clusters", clusters(facts)),
                ("Hosts", hosts(facts)), ("SQL and load balancers", services(facts)),
                ("Virtual machines", vms(facts)), ("Failover plans", failover(facts)),
                ("Certificates and firewall", security_section(facts))]
    nav = "".join(f'<a href="#{_anchor(title)}">{escape(title)}</a>' for title, _ in sections)
    body = "".join(f'<section id="{_anchor(title)}"><h2>{escape(title)}</h2>{html}</section>'
                   for title, html in sections)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{escape(design.name)}: stamp design</title>\n<style>{CSS}</style>\n</head>\n<body>\n'
            f'<header><h1>{escape(design.name)}</h1><p>Management stamp design · {_subtitle(facts)}</p>'
            f'<nav>{nav}</nav></header>\n<main>{body}</main>\n'
            f'<footer>Drawn by stampplan from design.json ({escape(design.format)}).</footer>\n</body>\n</html>\n')


def _subtitle(facts: Facts) -> str:
    d = facts.design
    return escape(f"System Center {d.system_center} · WAP {d.wap_deployment} · {count(len(d.stamps), 'stamp')} · "
                  f"{count(len(d.hosts), 'host')} · {count(len(d.vms), 'VM')}")


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _diagrams(design: Design) -> str:
    """The three views as inline SVG, or a note when Graphviz is missing."""
    try:
        svgs = {view: render(diagram.source(design, view), ("svg",))["svg"] for view in diagram.VIEWS}
    except MissingProgram:
        return ('<p class="note">Diagrams need Graphviz, which was not installed where this report was made: '
                'install it with <code>apt-get install graphviz</code> and plan again.</p>')
    parts = ['<p class="note">Each diagram is shown at full size; tick <em>fit to width</em> for an overview. '
             'The same drawings are in <code>diagrams/</code> as SVG, PNG, PDF and DOT.</p>']
    for view, svg in svgs.items():
        parts.append(f'<figure id="view-{view}"><figcaption>{escape(VIEW_TITLES[view])}'
                     f'<label><input type="checkbox" class="fit"> fit to width</label></figcaption>'
                     f'<div class="diagram">{inline_svg(svg.decode(), view)}</div></figure>')
    return "".join(parts)


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG file made fit for inlining: no prolog, no namespace URLs, ids unique to its view."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    svg = re.sub(r'\bid="([^"]*)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
