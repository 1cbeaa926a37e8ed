"""Render in processes forked before the solve (issue 18): while the parent loads the requirements, imports the
solver and plans, a child imports the renderers (openpyxl, graphviz, pypdf...: a third of a small plan); they then
render the design the parent sends while the parent proves it.

The child imports the APART renderers (planner.render) and forks their process, which imports pypdf (diagrams.pdf)
while the child imports the others. The parent sends the design to each, the APART process first: the diagrams
start the moment the plan is done, not once the child has imported the workbook's openpyxl (0.2 s).

The design goes as pydantic's compact JSON (multi-stamp: 0.08 s), and the parent formats design.json (0.33 s)
meanwhile: validating that JSON costs less than pickling the design in the parent (on the critical path) and
unpickling it (0.27 CPU s against 0.5 + 0.45). Same bytes as `render_all` in the parent, which is where the
rendering runs when no child could be forked (planner.forked) or the child is gone; should only the APART process
be gone, the child renders its part."""
from __future__ import annotations

import contextlib
import gc
import os
import pickle
import sys
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, BinaryIO

from planner.forked import Forked

if TYPE_CHECKING:
    from planner.model.design import Design


class RenderAhead:
    """A context manager: a forked child importing the renderers now; `send` a design, `files` its artifacts."""

    def __init__(self) -> None:
        self._design: Design | None = None
        apart_in, apart_out = os.pipe()
        self._child = Forked(lambda inbox: _render_sent(inbox, apart_in, apart_out))
        os.close(apart_in)
        self._apart = os.fdopen(apart_out, "wb")  # the APART process's inbox: the parent writes, it reads

    @property
    def pid(self) -> int | None:
        return self._child.pid

    def __enter__(self) -> RenderAhead:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def send(self, design: Design) -> None:
        """Start rendering `design` in the children; the parent keeps it, should they be gone."""
        self._design = design
        data = design.model_dump_json(exclude_none=True).encode()
        if self._child.pid is not None:
            with contextlib.suppress(OSError), self._apart:  # OSError: it is gone (the child renders its part)
                pickle.dump(data, self._apart, protocol=pickle.HIGHEST_PROTOCOL)
        self._child.send(data)

    def files(self, warn: Callable[[str], None]) -> dict[str, bytes]:
        """The artifacts of the design sent, as `render_all` gives them; a renderer's error is raised here."""
        done, reply = self._child.result()
        if not done:  # no child, or it is gone: render here
            from planner.render import render_all

            return render_all(self._design, warn)
        files, warnings = reply
        for message in warnings:
            warn(message)
        return files

    def close(self) -> None:
        """End the child (at once, if it is still working; the APART process ends with it) and reap it."""
        self._child.close()
        with contextlib.suppress(OSError):
            self._apart.close()


def _render_sent(inbox: BinaryIO, apart_in: int, apart_out: int) -> tuple[dict[str, bytes], list[str]]:
    """In the child: import the APART renderers, fork their process (reading `apart_in`), import the others, then
    render the design the parent sends: (files, warnings)."""
    os.close(apart_out)
    from planner.render import APART, RENDERERS, render_all
    from planner.settings import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)  # as the parent plans (settings.fewer_collections), for the child's life
    for name in APART:
        import_module(name)
    with Forked(lambda _inbox: _render_apart(apart_in)) as apart:  # its inbox from this process stays empty
        os.close(apart_in)  # the APART process's alone: the parent's send fails at once should it be gone
        sys.modules.setdefault("numpy", None)  # openpyxl imports it (0.15 s) only to take numpy numbers into cells
        for name in RENDERERS:
            import_module(name)
        warnings: list[str] = []
        return render_all(_design(inbox), warnings.append, apart), warnings


def _render_apart(apart_in: int):
    """In the APART process: import pypdf (diagrams.pdf, 0.15 s), then render the design the parent sends."""
    from planner.render import APART, render_part

    import_module("pypdf")
    with os.fdopen(apart_in, "rb") as inbox:
        return render_part(_design(inbox), APART)


def _design(inbox: BinaryIO) -> Design:
    """The design sent: validated, and out of the garbage collector's sight for the rest of this process."""
    from planner.model.design import Design

    design = Design.model_validate_json(pickle.load(inbox))
    gc.freeze()
    return design
