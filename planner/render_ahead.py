"""Render in a process forked before the solve (issue 18): while the parent imports the solver and plans,
the child imports the renderers (openpyxl, graphviz, pypdf...: a third of a small plan); it then renders the
design the parent sends while the parent proves it. The design goes as its design.json text, which the parent
writes anyway: validating that text in the child costs less than pickling the design in the parent (on the
critical path) and unpickling it (multi-stamp: 0.3 CPU s against 0.5 + 0.45). Same bytes as `render_all` in the
parent, which is where the rendering runs when no child could be forked (planner.forked) or the child is gone."""
from __future__ import annotations

import gc
import pickle
import sys
from collections.abc import Callable
from importlib import import_module
from typing import BinaryIO

from planner.forked import Forked
from planner.model.design import Design
from planner.render import PRELOAD, render_all
from planner.settings import GC_THRESHOLDS


class RenderAhead:
    """A context manager: a forked child importing the renderers now; `send` a design, `files` its artifacts."""

    def __init__(self) -> None:
        self._design: Design | None = None
        self._child = Forked(_render_sent)

    @property
    def pid(self) -> int | None:
        return self._child.pid

    def __enter__(self) -> RenderAhead:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def send(self, design: Design, text: str | None = None) -> None:
        """Start rendering `design` (its design.json `text`, when the caller has it) in the child; the parent keeps
        the design, should the child be gone."""
        self._design = design
        self._child.send((text or design.to_json()).encode())

    def files(self, warn: Callable[[str], None]) -> dict[str, bytes]:
        """The artifacts of the design sent, as `render_all` gives them; a renderer's error is raised here."""
        done, reply = self._child.result()
        if not done:  # no child, or it is gone: render here
            return render_all(self._design, warn)
        files, warnings = reply
        for message in warnings:
            warn(message)
        return files

    def close(self) -> None:
        """End the child (at once, if it is still working) and reap it."""
        self._child.close()


def _render_sent(inbox: BinaryIO) -> tuple[dict[str, bytes], list[str]]:
    """In the child: import the renderers, then render the design the parent sends: (files, warnings)."""
    sys.modules.setdefault("numpy", None)  # openpyxl imports it (0.15 s) only to take numpy numbers into cells
    for name in PRELOAD:
        import_module(name)
    gc.set_threshold(*GC_THRESHOLDS)  # as the parent plans (settings.fewer_collections), for the child's life
    design = Design.model_validate_json(pickle.load(inbox))
    warnings: list[str] = []
    return render_all(design, warnings.append), warnings
