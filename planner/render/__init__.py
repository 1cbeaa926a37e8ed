"""Artifacts drawn from a design (diagrams, workbook, checklist...).

Each renderer module listed in RENDERERS exposes `artifacts(design: Design) -> dict[str, bytes]`
(file name inside the output folder -> content, deterministic bytes). `stampplan plan` writes
them all beside design.json.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module

from planner.errors import MissingProgram
from planner.model.design import Design
from planner.model.memo import held

RENDERERS: tuple[str, ...] = ("planner.render.workbook", "planner.render.checklist",
                              "planner.render.diagram", "planner.render.report")
BACKGROUND = frozenset({"planner.render.diagram"})  # mostly waiting on Graphviz's `dot`


def render_all(design: Design, warn: Callable[[str], None]) -> dict[str, bytes]:
    """Every renderer's artifacts; a renderer whose external program is missing is skipped with a warning.

    The Graphviz renderers start first in a background thread (their time is spent in `dot`, outside
    Python) and are waited for in their turn, so results and warnings keep the order of RENDERERS."""
    files: dict[str, bytes] = {}
    with held(design), ThreadPoolExecutor(max_workers=1) as pool:  # what several renderers derive, derived once
        early = {name: pool.submit(_artifacts, name, design) for name in RENDERERS if name in BACKGROUND}
        for name in RENDERERS:
            made, missing = early[name].result() if name in early else _artifacts(name, design)
            if missing:
                warn(missing)
            files.update(made)
    return files


def _artifacts(name: str, design: Design) -> tuple[dict[str, bytes], str | None]:
    try:
        return import_module(name).artifacts(design), None
    except MissingProgram as missing:
        return {}, str(missing)
