"""Read an input file safely: a regular file of bounded size, never blocking on a FIFO or a device."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from planner.errors import InputError


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; InputError naming it and `what` it
    should be otherwise. It is opened non-blocking, so a FIFO never waits for a writer."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a directory, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: is not a regular file (a FIFO, socket or device); give a {what}")
        with open(fd, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputError(f"{path}: {max(info.st_size, len(data)):,} bytes is too large for a {what} "
                         f"(limit {limit:,})")
    return data
