"""Write an output folder as a whole: build it beside the old one, then swap them atomically,
so a kill at any moment leaves the previous folder or the new one, never a mix."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

from planner.errors import InputError

_RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths in one step


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def write_folder(target: Path, files: dict[str, bytes]) -> None:
    """Replace `target` with a folder holding exactly `files` (relative names -> bytes)."""
    target = Path(target)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    except OSError as err:
        raise InputError(f"{target}: cannot create the output folder: {err.strerror}") from None
    try:
        root = staging.resolve()
        for name, data in sorted(files.items()):
            path = (staging / name).resolve()
            if root not in path.parents:
                raise InputError(f"{name}: refusing to write outside the output folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.chmod(path, 0o644)
            if path.parent != root:
                os.chmod(path.parent, 0o755)
        os.chmod(staging, 0o755)
        if target.is_dir() and _exchange(staging, target):
            shutil.rmtree(staging, ignore_errors=True)  # now holds the previous folder
            return
        if target.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.rmdir(previous)
            os.rename(target, previous)
            os.rename(staging, target)
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.rename(staging, target)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"{target}: cannot write the output folder: {err.strerror}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write each file into `folder` atomically (temporary file, then rename), leaving other files alone."""
    folder = Path(folder)
    for name, data in sorted(files.items()):
        target = folder / name
        tmp = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as tmp:
                tmp.write(data)
            os.chmod(tmp.name, 0o644)
            os.replace(tmp.name, target)
        except OSError as err:
            if tmp is not None:
                Path(tmp.name).unlink(missing_ok=True)
            raise InputError(f"{target}: cannot write: {err.strerror or err}") from None
