"""Write an output folder as a whole: build it beside the old one, then swap."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from planner.errors import InputError


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
        for name, data in sorted(files.items()):
            path = (staging / name).resolve()
            if staging.resolve() not in path.parents:
                raise InputError(f"{name}: refusing to write outside the output folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.chmod(path, 0o644)
        os.chmod(staging, 0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.rmdir(old)
            os.rename(target, old)
        os.rename(staging, target)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"{target}: cannot write the output folder: {err.strerror}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
