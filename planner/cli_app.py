"""The command-line app: the typer app, its consoles, and `command`, which turns every outcome of a
command into one of the README's exit codes."""
from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from planner.errors import Infeasible, InputError, StampplanError, Terminated
from planner.terminal import SafeConsole, styled

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Design and prove the management stamp of a Microsoft private cloud.")
out = SafeConsole(width=None if sys.stdout.isatty() else 120)  # user text is never markup: see planner.terminal
err = SafeConsole(stderr=True, soft_wrap=True)


FORCE = typer.Option("--force", help="Replace an existing file even if stampplan did not write it")


def _version(show: bool) -> None:
    if show:
        from importlib.metadata import version

        out.print(f"stampplan {version('stampplan')}")
        raise typer.Exit(0)


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                   help="Print the version and exit")] = False) -> None:
    """Design and prove the management stamp of a Microsoft private cloud."""


def command(func: Callable) -> Callable:
    """Register a command whose every outcome becomes one of the README's exit codes."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        signal.signal(signal.SIGTERM, _terminate)  # from here on SIGTERM stops the command as Ctrl-C does
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except StampplanError as error:
            _report(error)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt as stop:
            what = "terminated" if isinstance(stop, Terminated) else "interrupted"
            err.print(f"{what} before anything was written: any previous output is left as it was")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(143 if isinstance(stop, Terminated) else 130)  # a stopped CP-SAT search can abort in
            # interpreter teardown; leave at once
        except Exception as error:  # noqa: BLE001 - never show a traceback
            err.print(styled("internal error:", "red", f"{type(error).__name__}: {error} (please report it)"))
            raise typer.Exit(1) from None

    return app.command()(run)


def write_report(path: Path, data: bytes) -> None:
    """Write a report file (JUnit XML), or InputError saying why it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error.strerror or error}") from None


@contextlib.contextmanager
def inconsistent_design(path: Path):
    """Turn a renderer tripping over an inconsistent design into a clear InputError."""
    try:
        yield
    except (KeyError, IndexError, StopIteration, ValueError) as error:
        raise InputError(f"{path}: the design is inconsistent ({type(error).__name__}: {error}); "
                         f"`stampplan validate` names the problem") from None


def _report(error: StampplanError) -> None:
    if isinstance(error, Infeasible):
        err.print(styled("cannot be met:", "red", error))
        if error.clashes:
            err.print("The requirements that clash, and what would relax each:")
            for field, value, relax in error.clashes:
                err.print(f"  {field} = {json.dumps(value, default=str)}: {relax}")
    else:
        err.print(styled("error:", "red", error))


def _terminate(_signum, _frame) -> None:
    raise Terminated()


