"""Exceptions that end a command, each with its exit code (the README's table)."""
from __future__ import annotations


class StampplanError(Exception):
    """Base class: `exit_code` is what the CLI exits with; the message is shown as is."""

    exit_code = 2


class InputError(StampplanError):
    """The command cannot run as asked: bad input, bad arguments, a missing program."""

    exit_code = 2


class MissingProgram(InputError):
    """An external program (e.g. Graphviz `dot`) is not installed; the message says how to install it."""


class CheckFailed(StampplanError):
    """The design or check fails: a violation, drift, a failure scenario not survived."""

    exit_code = 1


class Infeasible(StampplanError):
    """The requirements cannot be met; `clashes` names the requirement fields involved."""

    exit_code = 3

    def __init__(self, message: str, clashes: list[tuple[str, object, str]] | None = None):
        super().__init__(message)
        self.clashes = clashes or []  # (field path, value, what would relax it)


class TimeLimitReached(StampplanError):
    """The time limit passed before any design was found."""

    exit_code = 4


class Interrupted(StampplanError):
    """Ctrl-C (130) or SIGTERM (143) arrived; the message says what was left on disk."""

    def __init__(self, message: str, signal: int = 2):
        super().__init__(message)
        self.exit_code = 128 + signal


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so that every clean-up runs; exit 143."""
