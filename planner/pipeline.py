"""Requirements in, checked artifacts out: what `plan` and `check` both run."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from planner.conformance import check_requirements
from planner.model.design import Design
from planner.model.requirements import Requirements
from planner.plan import plan
from planner.render import render_all
from planner.render_ahead import RenderAhead
from planner.settings import SolverSettings, fewer_collections
from planner.validate import Finding, Verdict, validate_design


@dataclass
class Built:
    design: Design
    files: dict[str, bytes]   # name inside the output folder -> bytes
    verdict: Verdict
    unmet: list[Finding]      # requirements the design does not answer

    @property
    def sound(self) -> bool:
        return self.verdict.sound and not self.unmet


def build(req: Requirements, settings: SolverSettings, progress: Callable[[str], None],
          warn: Callable[[str], None], render: bool = True, ahead: RenderAhead | None = None) -> Built:
    """Plan, prove the design sound and answering `req`, and render every artifact when it is (and `render`);
    with `ahead`, its child renders while the design is proved."""
    with fewer_collections():
        return _build(req, settings, progress, warn, render, ahead)


def _build(req: Requirements, settings: SolverSettings, progress: Callable[[str], None],
           warn: Callable[[str], None], render: bool, ahead: RenderAhead | None) -> Built:
    design = plan(req, settings, progress)
    if render and ahead:
        ahead.send(design)
    text = design.to_json()
    progress(f"checking the design: {len(design.hosts):,} hosts, {len(design.vms):,} VMs, "
             f"{len(design.failover_plans):,} failure scenarios" + (" (the artifacts are drawn meanwhile)"
                                                                     if render and ahead else ""))
    data = json.loads(text)
    verdict, unmet = validate_design(data), check_requirements(data, req)
    files = {"design.json": text.encode()}
    if render and verdict.sound and not unmet:
        progress("drawing the artifacts: workbook, checklist, diagrams, report")
        files.update(ahead.files(warn) if ahead else render_all(design, warn))
    return Built(design, files, verdict, unmet)
