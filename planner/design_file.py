"""Read a design.json: bounded in size and depth, a regular file only, checked against the Design model."""
from __future__ import annotations

import json
from pathlib import Path

from planner.errors import InputError
from planner.files import read_regular_file

MAX_DESIGN_BYTES = 100_000_000  # design.json files larger than this are refused (a 30 000-VM design is 6 MB)
MAX_DESIGN_DEPTH = 32           # nor nested deeper than this (design.json nests 6 deep)


def read_json(path: Path) -> dict:
    """Load a JSON object from a regular file within the limits above, or raise InputError naming the file
    and the problem (a FIFO or device is refused before anything is read from it)."""
    raw = read_regular_file(path, MAX_DESIGN_BYTES, "design.json")
    too_deep = False
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: cannot read: not UTF-8 ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from None
    except RecursionError:
        data = too_deep = True
    if too_deep or _too_deep(data):
        raise InputError(f"{path}: nested too deeply (a design nests at most {MAX_DESIGN_DEPTH} levels)")
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def _too_deep(data) -> bool:
    """Whether lists and objects nest deeper than MAX_DESIGN_DEPTH (level by level, without recursion)."""
    level, depth = [data], 0
    while level:
        level = [child for node in level if isinstance(node, (dict, list))
                 for child in (node.values() if isinstance(node, dict) else node) if isinstance(child, (dict, list))]
        depth += 1
        if depth > MAX_DESIGN_DEPTH:
            return True
    return False


def load_design(path: Path):
    """A Design from a design.json file, or InputError naming the first problems."""
    from pydantic import ValidationError

    from planner.model.design import Design

    try:
        return Design.model_validate(read_json(path))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
                             for e in error.errors(include_url=False)[:5])
        raise InputError(f"{path}: not a stampplan design ({error.error_count()} problem(s)): {problems}") from None
