"""Read a requirements file: safe YAML, errors naming the field path and the line."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from planner.errors import InputError
from planner.model.requirements import Requirements

MAX_FILE_BYTES = 1_000_000


def load_requirements(path: str | Path) -> Requirements:
    """Parse and check a requirements file; raise InputError with every problem found."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such requirements file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"{path}: {path.stat().st_size:,} bytes is too large for a requirements file "
                         f"(limit {MAX_FILE_BYTES:,})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {err}") from None
    return parse_requirements(text, str(path))


def parse_requirements(text: str, origin: str = "<requirements>") -> Requirements:
    """Parse requirements from YAML text (JSON is YAML too)."""
    try:
        data = YAML(typ="safe", pure=True).load(text)
        tree = YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{origin}{line}: not valid YAML: {err.problem or err.context}") from None
    except YAMLError as err:
        raise InputError(f"{origin}: not valid YAML: {err}") from None
    except RecursionError:
        raise InputError(f"{origin}: not valid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(f"{origin}: expected a mapping of requirement fields at the top level")
    try:
        return Requirements.model_validate(data)
    except ValidationError as err:
        raise InputError(format_validation_error(err, origin, tree)) from None


def format_validation_error(err: ValidationError, origin: str, tree: Any = None) -> str:
    """One line per problem: `file:line: field.path: why (got value)`."""
    lines = [f"{origin}: {err.error_count()} problem(s) in the requirements:"]
    for problem in err.errors(include_url=False):
        loc = [p for p in problem["loc"] if p not in ("function-after", "function-before")]
        message = problem["msg"].removeprefix("Value error, ")
        if not loc and re.match(r"^[a-z_.]+: ", message):  # a cross-field check names its own field
            field, message = message.split(": ", 1)
            loc = field.split(".")
        path = _dotted(loc) or "(top level)"
        line = _line_of(tree, loc)
        where = f"{origin}:{line}" if line else origin
        got = "" if problem["type"] in ("missing", "value_error") else f" (got {_short(problem.get('input'))})"
        lines.append(f"  {where}: {path}: {message}{got}")
    return "\n".join(lines)


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(tree: Any, loc: list[Any]) -> int | None:
    """The 1-based line of the deepest part of `loc` found in the round-trip tree."""
    line, node = None, tree
    for part in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(part, int) and isinstance(node, list):
                line = lc.item(part)[0] + 1 if lc else line
            elif isinstance(node, dict) and part in node:
                line = lc.key(part)[0] + 1 if lc else line
            else:
                break
            node = node[part]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
