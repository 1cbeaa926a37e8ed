"""Parsed catalog files, cached as JSON in the user's cache folder (the pure-Python YAML parse of the
catalog costs about 0.4 s; reading the JSON costs milliseconds); `cached_file` keeps other derived files there.

An entry is named after the SHA-256 of the YAML text, so an edited file is simply parsed again; an
entry that cannot be read is parsed again and rewritten; data that JSON would not give back equal
(integer keys, dates) is never cached. The folder is $XDG_CACHE_HOME/stampplan (~/.cache/stampplan);
when it cannot be written, every run parses the YAML, as before. Nothing is written into the package.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = "1"  # part of every entry's name: bump when the cached shape changes


def parse(name: str, text: str) -> Any:
    """The safe-loaded YAML `text` of catalog file `name`, from the cache when it holds it."""
    entry = _folder() / f"{Path(name).stem}-{_digest(text)}.json"
    try:
        return json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(text)
    _store(entry, data)
    return data


def cached_file(name: str, text: str) -> Path | None:
    """A file in the cache folder holding `text`, named `name` with the text's digest (written once, atomically,
    never deleted: the same text finds the same file); None when the folder cannot be written."""
    stem, suffix = os.path.splitext(name)
    entry = _folder() / f"{stem}-{_digest(text)}{suffix}"
    try:
        if entry.read_text(encoding="utf-8") == text:
            return entry
    except (OSError, ValueError):
        pass
    return entry if _write(entry, text) else None


def _folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "stampplan"


def _digest(text: str) -> str:
    return hashlib.sha256(f"{FORMAT}\n{text}".encode()).hexdigest()[:32]


def _store(entry: Path, data: Any) -> None:
    """Write `data` to `entry` atomically when JSON gives it back equal; any failure leaves no entry."""
    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        return
    if json.loads(text) == data:
        _write(entry, text)


def _write(entry: Path, text: str) -> bool:
    """Write `text` to `entry` atomically (a reader sees the whole file or none); False when it cannot."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=entry.suffix)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, entry)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return False
    return True
