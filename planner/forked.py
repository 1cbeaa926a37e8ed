"""Work in a forked child process (issue 18): a child that does its part on another core and sends back what it
returns (or raises), pickled. Forked only where that is safe: fork exists and no other thread runs (forking a
process with threads can deadlock the child); elsewhere `Forked` starts no child and the caller works in-process.
The child ignores Ctrl-C (the parent's to report), dies with its parent, and leaves with os._exit (no atexit
handler or inherited buffer of the parent runs twice). Standard library only."""
from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent ends


def can_fork() -> bool:
    """Whether a child may be forked here: fork exists and this process runs one thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Forked:
    """A context manager: a child running `work(inbox)` now (`inbox`: what the parent `send`s), its return value
    or exception given by `result`; `pid` is None when no child could be forked. Leaving ends the child."""

    def __init__(self, work: Callable[[BinaryIO], Any]) -> None:
        self.pid: int | None = None
        if not can_fork():
            return
        down, up = os.pipe(), os.pipe()
        parent = os.getpid()
        gc.freeze()  # the child's collections leave what it inherits alone (no copy of those pages, no time)
        pid = os.fork()
        if pid == 0:
            os.close(down[1])
            os.close(up[0])
            _child(work, down[0], up[1], parent)
        gc.unfreeze()
        os.close(down[0])
        os.close(up[1])
        self.pid, self._down, self._up = pid, os.fdopen(down[1], "wb"), os.fdopen(up[0], "rb")

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def send(self, obj: Any) -> bool:
        """Pickle `obj` to the child's inbox and close it; False when there is no child or it cannot take it."""
        if self.pid is None:
            return False
        try:
            with self._down:
                pickle.dump(obj, self._down, protocol=pickle.HIGHEST_PROTOCOL)
            return True
        except (OSError, pickle.PicklingError):
            self.close()
            return False

    def result(self) -> tuple[bool, Any]:
        """(True, what `work` returned) once the child has sent it; its exception is raised here; (False, None)
        when no whole reply came (the child is gone). Ends the child."""
        if self.pid is None:
            return False, None
        try:
            kind, payload = pickle.load(self._up)
        except Exception:  # noqa: BLE001 - no whole reply: the child is gone
            return False, None
        finally:
            self.close()
        if kind == "error":
            raise payload
        return True, payload

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


def _child(work: Callable[[BinaryIO], Any], down: int, up: int, parent: int) -> None:
    """Run `work`, send back ("ok", its value) or ("error", its exception), leave with os._exit."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with(parent)
        with os.fdopen(down, "rb") as inbox:
            try:
                reply = ("ok", work(inbox))
            except Exception as error:  # noqa: BLE001 - raised again in the parent
                reply = ("error", error)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an error that does not pickle: its text
            data = pickle.dumps(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))
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
