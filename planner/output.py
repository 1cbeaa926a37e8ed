"""Write outputs without ever destroying what stampplan did not write.

A plan's folder is built beside the old one and swapped in atomically, so a kill at any moment
leaves the previous folder or the new one, never a mix; it replaces only an empty folder or one
that stampplan wrote (its design.json and artifact names, nothing else). A single artifact
replaces only a file that carries stampplan's mark, or any file with `force`.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
from shutil import rmtree
import signal
import stat
import tempfile
from dataclasses import dataclass
import zipfile
from pathlib import Path

from planner.errors import InputError, Interrupted

_RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths in one step
ARTIFACT = re.compile(r"design\.json|report\.html|bom\.xlsx|failover\.csv|checklist\.(md|csv)|decisions\.md"
                      r"|diagrams\.pdf|diagrams/[a-z]+(-[a-z0-9-]+)?\.(dot|svg|png|pdf)")  # every name a plan folder holds
SWEEP_ARTIFACT = re.compile(r"sweep\.json|comparison\.(csv|md|xlsx)|pareto\.(svg|png)|options\.pptx"
                            r"|variants/[a-z0-9][a-z0-9-]*/design\.json")  # every name a sweep folder holds


@dataclass(frozen=True)
class FolderKind:
    """A folder stampplan writes: the marker file that names it stampplan's, and every name it holds."""

    marker: str
    head: re.Pattern  # how the marker file starts
    names: re.Pattern


PLAN = FolderKind("design.json", re.compile(rb'\s*\{\s*"format"\s*:\s*"stampplan\.design/'), ARTIFACT)
SWEEP = FolderKind("sweep.json", re.compile(rb'\s*\{\s*"format"\s*:\s*"stampplan\.sweep/'), SWEEP_ARTIFACT)
MAX_DEPTH = 3  # folder levels looked into (variants/<name>/design.json)
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MARK = b"stampplan"  # in the first bytes of every text artifact (DOT graph name, SVG title, headers)


def default_folder(requirements: Path, outputs: Path = Path("outputs")) -> Path:
    """outputs/<requirements file stem>, or InputError when the stem is not a plain name."""
    stem = requirements.stem
    if not SAFE_NAME.fullmatch(stem) or set(stem) == {"."}:
        raise InputError(f"{requirements}: cannot name an output folder after {stem!r} "
                         f"(letters, digits, '.', '_', '-'; not only dots): give --out")
    return outputs / stem


def beside_name(design_name: str, what: str) -> str:
    """`<design name>-<what>`, the default name of a single artifact (in the current folder)."""
    safe = SAFE_NAME.fullmatch(design_name) and set(design_name) != {"."}
    return f"{design_name if safe else 'design'}-{what}"


def refuse_foreign_folder(target: Path) -> None:
    """InputError unless `target` is absent, an empty folder, or a folder that stampplan wrote."""
    where = Path(target).absolute()
    if os.path.islink(where):
        raise InputError(f"{target}: is a symbolic link; give the folder it points to as --out")
    if not where.exists():
        return
    if not where.is_dir():
        raise InputError(f"{target}: exists and is not a folder; stampplan leaves it alone: choose another --out")
    cwd = Path.cwd().resolve()
    if where.resolve() in (cwd, *cwd.parents, Path.home().resolve()):
        raise InputError(f"{target}: is the current folder, one of its parents or the home folder; "
                         f"choose a folder of its own as --out")
    foreign = min((_foreign_entries(where, kind) for kind in (PLAN, SWEEP)), key=len)
    if foreign:
        raise InputError(f"{target}: holds {', '.join(foreign)}, which stampplan did not write; it replaces only "
                         f"an empty folder or its own output: move those away or choose another --out")


def _foreign_entries(folder: Path, kind: FolderKind, limit: int = 3) -> list[str]:
    """Up to `limit` entries of `folder` that are not artifacts of a stampplan folder of `kind`."""
    found: list[str] = []
    names = _walk(folder, "")
    if names and not _is_marker(folder / kind.marker, kind):
        return [f"{names[0]} (no stampplan {kind.marker})"] if names[0] != kind.marker else \
            [f"a {kind.marker} that is not stampplan's"]
    for name in names:
        if not kind.names.fullmatch(name):
            found.append(name)
            if len(found) == limit:
                break
    return found


def _walk(folder: Path, prefix: str, budget: list[int] | None = None) -> list[str]:
    """Relative names under `folder` (a symlink, special file or deep tree is named, not followed)."""
    budget = budget if budget is not None else [10_000]
    names = []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            budget[0] -= 1
            name = prefix + entry.name
            if budget[0] < 0:
                return names + [f"{name} (and more)"]
            if entry.is_dir(follow_symlinks=False) and name.count("/") < MAX_DEPTH - 1:
                inside = _walk(Path(entry.path), name + "/", budget)
                names += inside or [name + "/"]  # an empty folder is named too: stampplan writes none
            elif entry.is_file(follow_symlinks=False):
                names.append(name)
            else:
                names.append(name + ("/" if entry.is_dir(follow_symlinks=False) else " (not a regular file)"))
    return names


def _is_marker(path: Path, kind: FolderKind) -> bool:
    try:
        with open(path, "rb") as f:
            return stat.S_ISREG(os.fstat(f.fileno()).st_mode) and bool(kind.head.match(f.read(256)))
    except OSError:
        return False


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


@contextlib.contextmanager
def _uninterruptible(target: Path):
    """Hold SIGINT and SIGTERM while the folders swap; afterwards report the interrupt truthfully."""
    caught: list[int] = []
    handlers = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread: nothing to defer
            handlers[sig] = signal.signal(sig, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    if caught:
        raise Interrupted(f"interrupted after the new output folder was swapped in: {target} holds the "
                          f"complete new design", signal=caught[0])


def write_folder(target: Path, files: dict[str, bytes]) -> None:
    """Replace `target` with a folder holding exactly `files` (relative names -> bytes).

    Refuses (InputError) a target that is a file, a link or a folder stampplan did not write.
    """
    target = Path(target)
    refuse_foreign_folder(target)
    parent = target.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    except OSError as err:
        raise InputError(f"{target}: cannot create the output folder: {err.strerror}") from None
    try:
        _fill(staging, files)
        with _uninterruptible(target):
            refuse_foreign_folder(target)  # again: it may have changed while the plan ran
            _swap_in(staging, target.absolute())
    except OSError as err:
        rmtree(staging, ignore_errors=True)
        raise InputError(f"{target}: cannot write the output folder: {err.strerror}") from None
    except BaseException:
        rmtree(staging, ignore_errors=True)
        raise


def _fill(staging: Path, files: dict[str, bytes]) -> None:
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


def _swap_in(staging: Path, target: Path) -> None:
    """Put `staging` at `target`; the previous folder (checked to be stampplan's) is removed."""
    if target.is_dir() and _exchange(staging, target):
        rmtree(staging, ignore_errors=True)  # now holds the previous folder
    elif target.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(previous)
        os.rename(target, previous)
        os.rename(staging, target)
        rmtree(previous, ignore_errors=True)
    else:
        os.rename(staging, target)


def owned_file(path: Path) -> bool:
    """True when `path` is a regular file that stampplan wrote (its mark in the head, or an xlsx by it)."""
    try:
        with open(path, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return False
            head = f.read(4096)
        if head.startswith(b"PK"):
            with zipfile.ZipFile(path) as book:
                return re.search(rb"<dc:creator[^>]*>stampplan</dc:creator>", book.read("docProps/core.xml")[:4096]) \
                    is not None
        return _MARK in head
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def write_files(folder: Path, files: dict[str, bytes], force: bool = False) -> None:
    """Write each file into `folder` atomically (temporary file, then rename), leaving other files alone.

    An existing file is replaced only when stampplan wrote it (`owned_file`) or with `force`;
    never a folder, a link or a special file.
    """
    folder = Path(folder)
    for name in sorted(files):
        target = folder / name
        if os.path.islink(target) or (target.exists() and not target.is_file()):
            raise InputError(f"{target}: exists and is not a regular file; stampplan leaves it alone")
        if target.exists() and not force and not owned_file(target):
            raise InputError(f"{target}: exists and stampplan did not write it; choose another --out, "
                             f"or pass --force to replace it")
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
