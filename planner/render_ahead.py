"""Render in a process forked before the solve (issue 18): while the parent imports the solver and plans,
the child imports the renderers (openpyxl, graphviz, pypdf...: a third of a small plan); it then renders the
design the parent sends while the parent proves it. The design goes as its design.json text, which the parent
writes anyway: validating that text in the child costs less than pickling the design in the parent (on the
critical path) and unpickling it (multi-stamp: 0.3 CPU s against 0.5 + 0.45). Same bytes as `render_all` in the
parent, which is where the rendering runs when no child could be forked (planner.forked) or the child is gone.

`plan` forks it before its command line is parsed (`ahead_of`): the child imports pydantic and the renderers while
the parent parses and plans (the parent imports pydantic too, 0.2 CPU s: the child is ready 0.15 s sooner on a small
plan). It imports the APART renderers first and stops importing once the design has come: the diagrams' process is
forked at once and the rest is imported where it is needed."""
from __future__ import annotations

import contextlib
import gc
import pickle
import select
import sys
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import TYPE_CHECKING, BinaryIO

from planner.forked import Forked

if TYPE_CHECKING:
    from planner.model.design import Design

_EARLY: list[RenderAhead] = []  # the child `ahead_of` forked for the command being parsed


class RenderAhead:
    """A context manager: a forked child importing the renderers now; `send` a design, `files` its artifacts."""

    def __init__(self) -> None:
        self._design: Design | None = None
        self._child = Forked(_render_sent)

    @classmethod
    def adopt(cls) -> RenderAhead:
        """The child `ahead_of` forked for this command, else a new one."""
        return _EARLY.pop() if _EARLY else cls()

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
            from planner.render import render_all

            return render_all(self._design, warn)
        files, warnings = reply
        for message in warnings:
            warn(message)
        return files

    def close(self) -> None:
        """End the child (at once, if it is still working) and reap it."""
        self._child.close()


@contextlib.contextmanager
def ahead_of(args: list[str]) -> Iterator[None]:
    """Fork the render child for a `plan` command line (`args`) before it is parsed, for `adopt`; ended on
    leaving when no command adopted it (bad options, --help)."""
    if args[:1] == ["plan"]:
        _EARLY.append(RenderAhead())
    try:
        yield
    finally:
        while _EARLY:
            _EARLY.pop().close()


def _render_sent(inbox: BinaryIO) -> tuple[dict[str, bytes], list[str]]:
    """In the child: import the renderers until the design has come, then render it: (files, warnings)."""
    sys.modules.setdefault("numpy", None)  # openpyxl imports it (0.15 s) only to take numpy numbers into cells
    from planner.render import render_all

    preload(inbox)
    from planner.model.design import Design
    from planner.settings import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)  # as the parent plans (settings.fewer_collections), for the child's life
    design = Design.model_validate_json(pickle.load(inbox))
    warnings: list[str] = []
    return render_all(design, warnings.append), warnings


def preload(inbox: BinaryIO) -> list[str]:
    """Import the modules of planner.render.PRELOAD, in order, until something has come to `inbox`: those imported."""
    from planner.render import PRELOAD

    done = []
    for name in PRELOAD:
        if _arrived(inbox):
            break
        import_module(name)
        done.append(name)
    return done


def _arrived(inbox: BinaryIO) -> bool:
    """Whether the parent has sent something to read (False for a stream that is not a pipe)."""
    try:
        return bool(select.select([inbox], [], [], 0)[0])
    except (OSError, ValueError):  # no file descriptor (io.UnsupportedOperation is both)
        return False
