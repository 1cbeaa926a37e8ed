"""The build checklist (Markdown task list, CSV for Jira / Azure DevOps) and the decision log.

`artifacts(design)` gives checklist.md, checklist.csv and decisions.md; `rows(design)` (checklist)
and `decision_rows(design)` (decision log) give the same content as dicts for the workbook.
"""
from __future__ import annotations

from planner.model.design import Design
from planner.model.memo import held, per_design
from planner.render.cells import csv_text, defused
from planner.render.checklist.decisions import decision_rows, decisions_markdown
from planner.render.checklist.graph import load_build_catalog
from planner.render.checklist.steps import Step, build_steps
from planner.render.checklist.view import fill, join, management_vms

__all__ = ["artifacts", "rows", "decision_rows", "COLUMNS"]

COLUMNS = ("Step ID", "Order", "Summary", "Title", "Issue Type", "Work Item Type", "Phase", "Labels", "Tags",
           "Depends On", "Description", "Verification", "Expected Result", "Pitfalls")


def artifacts(design: Design) -> dict[str, bytes]:
    """checklist.md, checklist.csv and decisions.md for this design (deterministic bytes)."""
    design = defused(design)
    with held(design):
        steps = steps_of(design)
        return {
            "checklist.md": markdown(design, steps).encode(),
            "checklist.csv": _csv(_rows(steps)).encode(),
            "decisions.md": decisions_markdown(design).encode(),
        }


def rows(design: Design) -> list[dict[str, str]]:
    """One dict per checklist step, keyed by COLUMNS (the CSV's rows)."""
    return _rows(steps_of(design))


@per_design
def steps_of(design: Design) -> list[Step]:
    """The design's build steps (computed once for the checklist and the report while the design is rendered)."""
    return build_steps(design)


def _phase_titles() -> dict[str, str]:
    return {p.id: p.title for p in load_build_catalog().phases}


def _rows(steps: list[Step]) -> list[dict[str, str]]:
    phases = _phase_titles()
    out = []
    for n, s in enumerate(steps, 1):
        key = s.scope.key
        labels = ["stampplan", f"phase-{s.phase}", s.task] + ([key] if key else [])
        description = s.do + [f"Object: {o}" for o in s.objects]
        out.append({
            "Step ID": s.id, "Order": str(n), "Summary": s.title, "Title": s.title,
            "Issue Type": "Task", "Work Item Type": "Task", "Phase": phases[s.phase],
            "Labels": " ".join(labels), "Tags": "; ".join(labels),
            "Depends On": ", ".join(s.depends_on),
            "Description": "\n".join(description),
            "Verification": "\n".join(f"[{c.module}] on {c.on}: {c.command}" for c in s.verify),
            "Expected Result": "\n".join(c.expect for c in s.verify),
            "Pitfalls": "\n".join(f"{p.title}: {p.text} (source: {p.source})" for p in s.pitfalls),
        })
    return out


def _csv(records: list[dict[str, str]]) -> str:
    return csv_text(COLUMNS, ([r[c] for c in COLUMNS] for r in records))  # no cell starts like a formula


def markdown(design: Design, steps: list[Step]) -> str:
    """The checklist as a GitHub task list, one section per phase."""
    labels = load_build_catalog().labels
    phases = _phase_titles()
    mgmt = management_vms(design)
    summary = fill(labels["checklist_summary"], {
        "version": design.system_center, "wap": design.wap_deployment, "stamps": str(len(design.stamps)),
        "clusters": str(len(design.clusters)), "hosts": str(len(design.hosts)), "mgmt_vms": str(len(mgmt)),
        "tenant_vms": f"{len(design.vms) - len(mgmt):,}", "steps": str(len(steps))})
    lines = [f"# {fill(labels['checklist_title'], {'design': design.name})}", "", summary, "",
             labels["checklist_intro"]]
    current, first_seen = None, {}
    for n, s in enumerate(steps, 1):
        if s.phase != current:
            current = s.phase
            lines += ["", f"## {phases[s.phase]}", ""]
        lines.append(f"- [ ] **{n}. `{s.id}`** {s.title}")
        lines.append(f"  - Depends on: {join(f'`{d}`' for d in s.depends_on) if s.depends_on else '(nothing)'}")
        lines += [f"  - Do: {line}" for line in s.do]
        lines += [f"  - Object: {o}" for o in s.objects]
        for c in s.verify:
            lines.append(f"  - Verify on {c.on} ({c.module}): `{c.command}`")
            lines.append(f"    - Good result: {c.expect}")
        for p in s.pitfalls:
            if p.id in first_seen:
                lines.append(f"  - **Pitfall: {p.title}** (see step {first_seen[p.id]}).")
            else:
                first_seen[p.id] = n
                lines.append(f"  - **Pitfall: {p.title}.** {p.text} _Source: {p.source}_")
    return "\n".join(lines) + "\n"
