"""Artifacts drawn from a design (diagrams, workbook, checklist...).

Each renderer module listed in RENDERERS exposes `artifacts(design: Design) -> dict[str, bytes]`
(file name inside the output folder -> content, deterministic bytes). `stampplan plan` writes
them all beside design.json.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from planner.errors import MissingProgram
from planner.forked import Forked
from planner.model.design import Design
from planner.model.memo import held

RENDERERS: tuple[str, ...] = ("planner.render.workbook", "planner.render.checklist",
                              "planner.render.diagram", "planner.render.report")
APART = ("planner.render.diagram", "planner.render.report")  # drawn beside the others (their Python, `dot` and
# pypdf); the report after the diagrams, whose layouts of its three figures it reuses (planner.render.diagram.dot)

Made = tuple[dict[str, bytes], str | None]  # a renderer's files, and the warning when its external program is missing


def render_all(design: Design, warn: Callable[[str], None], apart: Forked | None = None) -> dict[str, bytes]:
    """Every renderer's artifacts; a renderer whose external program is missing is skipped with a warning.

    The APART renderers run meanwhile in a forked process (planner.forked; its Python on another core: `apart`, one
    forked beforehand that renders them, else one forked now), else in a thread; results, warnings and errors keep
    the order of RENDERERS. What several renderers derive from the design is derived once per process
    (planner.model.memo)."""
    here = [name for name in RENDERERS if name not in APART]
    with held(design), apart or Forked(lambda _inbox: render_part(design, APART)) as apart:  # derived once
        if apart.pid is None:
            from concurrent.futures import ThreadPoolExecutor  # only here: the plan's parent does without (0.01 s)
            with ThreadPoolExecutor(max_workers=1) as pool:
                beside = pool.submit(render_part, design, APART)
                made = {**render_part(design, here), **beside.result()}
        else:
            made = render_part(design, here)
            done, reply = apart.result()
            made.update(reply if done else render_part(design, APART))  # the child is gone: render here
    files: dict[str, bytes] = {}
    for name in RENDERERS:
        out, missing = made[name]
        if missing:
            warn(missing)
        files.update(out)
    return files


def render_part(design: Design, names) -> dict[str, Made]:
    """The artifacts of the renderers `names`, each with its missing program's warning (or None)."""
    made = {}
    for name in names:
        try:
            made[name] = import_module(name).artifacts(design), None
        except MissingProgram as missing:
            made[name] = {}, str(missing)
    return made
