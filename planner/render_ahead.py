"""Render in a process forked before the solve (issue 18): while the parent imports the solver and plans,
the child imports the renderers (openpyxl, graphviz...: a third of a small plan); it then renders the
design the parent sends while the parent proves it. Same bytes as `render_all` in the parent, which is
where the rendering runs when fork is missing, other threads run (forking them is unsafe) or the
child is gone. The child never writes a file, ignores Ctrl-C and dies with the parent."""
from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from importlib import import_module

from planner.model.design import Design
from planner.render import RENDERERS, render_all
from planner.settings import GC_THRESHOLDS

_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent ends


class RenderAhead:
    """A context manager: a forked child importing the renderers now; `send` a design, `files` its artifacts."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self._design: Design | None = None
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        down, up = os.pipe(), os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(down[1])
            os.close(up[0])
            _child(down[0], up[1], parent)
        os.close(down[0])
        os.close(up[1])
        self.pid, self._down, self._up = pid, os.fdopen(down[1], "wb"), os.fdopen(up[0], "rb")

    def __enter__(self) -> RenderAhead:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def send(self, design: Design) -> None:
        """Start rendering `design` in the child (the parent keeps it, should the child be gone)."""
        self._design = design
        if self.pid is None:
            return
        try:
            with self._down:
                pickle.dump(design, self._down, protocol=pickle.HIGHEST_PROTOCOL)
        except (OSError, pickle.PicklingError):  # the child is gone (or cannot take it): render here
            self.close()

    def files(self, warn: Callable[[str], None]) -> dict[str, bytes]:
        """The artifacts of the design sent, as `render_all` gives them; a renderer's error is raised here."""
        reply = None
        if self.pid is not None:
            with contextlib.suppress(Exception):  # no whole reply: the child is gone, render here
                reply = pickle.load(self._up)
            self.close()
        if reply is None:
            return render_all(self._design, warn)
        kind, payload, warnings = reply
        if kind == "error":
            raise payload
        for message in warnings:
            warn(message)
        return payload

    def close(self) -> None:
        """End the child (at once, if it is still working) and reap it."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        for stream in (self._down, self._up):
            with contextlib.suppress(OSError):
                stream.close()
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _child(down: int, up: int, parent: int) -> None:
    """Import the renderers, read the design, send back ("files", files, warnings) or ("error", error, []).
    Leaves with os._exit: no atexit handler or inherited buffer of the parent runs twice."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with(parent)
        sys.modules.setdefault("numpy", None)  # openpyxl imports it (0.15 s) only to take numpy numbers into cells
        for name in RENDERERS:
            import_module(name)
        gc.set_threshold(*GC_THRESHOLDS)  # as the parent plans (settings.fewer_collections), for the child's life
        with os.fdopen(down, "rb") as source:
            design = pickle.load(source)
        warnings: list[str] = []
        try:
            reply = ("files", render_all(design, warnings.append), warnings)
        except Exception as error:  # noqa: BLE001 - raised again in the parent
            reply = ("error", error, [])
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an error that does not pickle: its text
            data = pickle.dumps(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}"), []))
        with os.fdopen(up, "wb") as sink:
            sink.write(data)
    finally:
        os._exit(0)


def _die_with(parent: int) -> None:
    """Have the kernel end this child when the parent ends (Linux); elsewhere it ends when its pipe closes."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before prctl
        os._exit(0)
