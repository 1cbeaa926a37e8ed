"""The design document's own sections: cover, document control, executive summary, requirements,
failover certificates, assumptions, decisions, licences, cost, scope and the build checklist.

Each section is a function of a `Context` returning HTML; `planner.render.report.SECTIONS` orders them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape

from planner.model.requirements import Document, Requirements
from planner.render.checklist import rows as checklist_rows
from planner.render.checklist.decisions import (COLUMNS, assumption_rows, decision_catalog, decision_rows,
                                                out_of_scope, plain_value)
from planner.render.costing import cost_lines, money
from planner.render.design_index import Facts, count
from planner.render.report.tables import table

UNDATED = "undated"


@dataclass(frozen=True)
class Context:
    """What every section reads: the indexed design, its requirements and the document control."""
    facts: Facts
    req: Requirements
    doc: Document

    @property
    def customer(self) -> str:
        return self.doc.customer or self.facts.design.name


def cover(ctx: Context) -> str:
    d, doc = ctx.facts.design, ctx.doc
    lines = [("Customer", ctx.customer), ("Version", doc.version), ("Date", doc.date or UNDATED),
             ("Author", doc.author or "stampplan")]
    facts = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in lines)
    return (f'<div class="cover"><p class="kicker">Design document</p><h1>{escape(d.name)}</h1>'
            f'<p class="subtitle">Management stamp of a Microsoft private cloud: System Center {escape(d.system_center)}'
            f', Windows Azure Pack {escape(d.wap_deployment)}</p><table class="control">{facts}</table></div>')


def control(ctx: Context) -> str:
    d, doc = ctx.facts.design, ctx.doc
    return table(["version", "date", "author", "customer", "design", "status"],
                 [[escape(doc.version), escape(doc.date or UNDATED), escape(doc.author or "stampplan"),
                   escape(ctx.customer), escape(f"{d.name} ({d.format})"), "for review and approval"]]) + (
        '<p class="note">Version, date, author and customer come from the requirements (<code>document</code>) or '
        'the flags of <code>stampplan report</code>, never from the clock: the same design gives the same document.</p>')


def executive(ctx: Context) -> str:
    d, facts, req = ctx.facts.design, ctx.facts, ctx.req
    av = req.availability
    survive = ", ".join(f"{p} N+{getattr(av, p).host_failures}" for p in ("management", "edge", "compute"))
    lines = cost_lines(d, req)
    hardware = sum(h.price for h in d.hosts)
    decisions = decision_rows(d)
    proposed = sum(r["Status"] == decision_catalog().status["proposed"] for r in decisions)
    open_ = sum(a.assumption for a in d.assumptions)
    paragraphs = [
        f"This document sets out the design of the management stamp for {ctx.customer}: "
        f"{count(len(d.stamps), 'VMM stamp')}, {count(len(d.clusters), 'cluster')} and {count(len(d.hosts), 'host')} "
        f"running {len(facts.managed):,} management and edge VMs and {facts.tenant_vms():,} tenant VMs of "
        f"{req.tenants.count:,} tenants.",
        f"Availability: hosts tolerated per cluster purpose {survive}"
        + (", and the loss of any one rack" if av.survive_rack_loss else "")
        + f"; each of the {len(d.failover_plans):,} failure scenarios has a restart certificate in design.json, "
        "which <code>stampplan validate</code> proves without the planner.",
        f"Cost: {money(hardware, req)} of hosts and {money(sum(a for _, a in lines) - hardware, req)} of licences, "
        f"{money(sum(a for _, a in lines), req)} in all (Cost). The placement is {escape(d.solver.status)} "
        f"(gap {d.solver.gap:.1%} to the lower bound).",
        f"For approval: {count(proposed, 'decision')} proposed by the planner (Decisions) and "
        f"{count(open_, 'planning assumption')} without a primary source to confirm (Assumptions).",
    ]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def requirements(ctx: Context) -> str:
    given = {k: v for k, v in ctx.facts.design.requirements.items() if k not in ("name", "document")}
    rows = [[f"<code>{escape(key)}</code>", escape(plain_value(value))] for key, value in _flat(given)]
    return ('<p class="note">The requirements this design was planned from, as embedded in design.json '
            '(fields left out take their defaults: docs/requirements.md).</p>' + table(["field", "value"], rows))


def _flat(value: object, prefix: str = "") -> list[tuple[str, object]]:
    """Nested mappings as dotted keys; lists stay whole."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flat(v, f"{prefix}.{k}" if prefix else str(k))]
    return [(prefix, value)]


def certificates(ctx: Context) -> str:
    facts = ctx.facts
    worst = facts.worst_failures()
    rows = []
    for c in facts.clusters:
        tolerance = f"N+{c.failures_tolerated}" + (" + rack" if c.fault_domain_tolerance else "")
        if c.name not in worst:
            rows.append([escape(c.name), tolerance, "0", "no failure tolerated", "", ""])
            continue
        plan, scenarios = worst[c.name]
        targets = Counter(plan.restarts.values())
        rows.append([escape(c.name), tolerance, f"{scenarios:,}", escape(", ".join(plan.failed)),
                     f"{len(plan.restarts):,}", f"{count(len(targets), 'host')}, at most "
                                                f"{max(targets.values(), default=0)} on one"])
    return ('<p class="note">Every failure scenario of every cluster has a certificate in design.json: where each VM '
            'of the failed hosts restarts, within the survivors\' capacity and the placement rules. '
            '<code>stampplan validate</code> checks each; <code>stampplan whatif</code> replays any. The worst '
            'scenario per cluster:</p>'
            + table(["cluster", "survives", "scenarios", "worst case: failed", "VMs restarted", "onto"], rows,
                    numeric={2, 4}))


def assumptions(ctx: Context) -> str:
    rows = [[r["ID"], f"<code>{escape(r['Figure'])}</code>", escape(r["Value"]), escape(r["Source"]),
             escape(r["Status"])] for r in assumption_rows(ctx.facts.design)]
    return table(["ID", "figure", "value", "source", "status"], rows)


def decisions(ctx: Context) -> str:
    rows = decision_rows(ctx.facts.design)
    parts = []
    for title in decision_catalog().areas.values():
        mine = [[escape(r[c]) for c in COLUMNS] for r in rows if r["Area"] == title]
        if mine:
            parts.append(f"<h3>{escape(title)}</h3>" + table([c.lower() for c in COLUMNS], mine, cls="log"))
    return "".join(parts)


def licences(ctx: Context) -> str:
    lines = [(item, amount) for item, amount in cost_lines(ctx.facts.design, ctx.req)
             if "licences" in item or item.startswith("Software Assurance")]
    return table(["product", f"cost ({ctx.req.currency})"], [[escape(i), money(a, ctx.req)] for i, a in lines],
                 numeric={1}) + ('<p class="note">Per-host and per-VM licence counts and the rules applied are in '
                                 '<code>bom.xlsx</code> (Licences).</p>')


def cost(ctx: Context) -> str:
    lines = cost_lines(ctx.facts.design, ctx.req)
    rows = [[escape(i), money(a, ctx.req)] for i, a in lines] + [["<strong>Total</strong>",
                                                                  f"<strong>{money(sum(a for _, a in lines), ctx.req)}"
                                                                  "</strong>"]]
    return table(["item", f"cost ({ctx.req.currency})"], rows, numeric={1}) + (
        '<p class="note">Prices of the requirements (host models, <code>licensing.prices</code>) or the catalog, in '
        f'{escape(ctx.req.currency)} (<code>cost.currency</code>); no conversion is made.</p>')


def scope(ctx: Context) -> str:
    return ('<p class="note">What this design does not design, so that nobody mistakes an omission for a design.</p>'
            + table(["item", "why"], [[escape(i), escape(w)] for i, w in out_of_scope(ctx.facts.design)]))


def checklist(ctx: Context) -> str:
    steps = checklist_rows(ctx.facts.design)
    rows = [[s["Order"], f"<code>{escape(s['Step ID'])}</code>", escape(s["Phase"]), escape(s["Title"]),
             escape(s["Depends On"] or "–"), ""] for s in steps]
    return (f'<p class="note">{count(len(steps), "build step")} in order, with a column to sign each off; every '
            "step's commands, verifications and pitfalls are in <code>checklist.md</code> and "
            "<code>checklist.csv</code>.</p>"
            + table(["#", "step", "phase", "task", "depends on", "done (initials, date)"], rows, numeric={0},
                    cls="steps"))
