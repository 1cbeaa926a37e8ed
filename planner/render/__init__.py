"""Artifacts drawn from a design (diagrams, workbook, checklist...).

Each renderer module listed in RENDERERS exposes `artifacts(design: Design) -> dict[str, bytes]`
(file name inside the output folder -> content, deterministic bytes). `stampplan plan` writes
them all beside design.json.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from planner.errors import MissingProgram
from planner.model.design import Design

RENDERERS: tuple[str, ...] = ("planner.render.workbook", "planner.render.checklist",
                              "planner.render.diagram", "planner.render.report")


def render_all(design: Design, warn: Callable[[str], None]) -> dict[str, bytes]:
    """Every renderer's artifacts; a renderer whose external program is missing is skipped with a warning."""
    files: dict[str, bytes] = {}
    for name in RENDERERS:
        try:
            files.update(import_module(name).artifacts(design))
        except MissingProgram as missing:
            warn(str(missing))
    return files
