"""Read a requirements file: safe YAML, errors naming the field path and the line.

Every step is bounded before anything is built from the text: the file size, then one pass over
the parser's events (no tags, at most MAX_NODES nodes with aliases expanded, MAX_DEPTH levels,
scalars of at most MAX_SCALAR_CHARS), then at most MAX_PROBLEMS problems reported, each value
shortened without rendering it whole.
"""
from __future__ import annotations

import re
import reprlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from planner.errors import InputError
from planner.files import read_regular_file
from planner.model.requirements import Requirements

if TYPE_CHECKING:
    from ruamel.yaml.events import NodeEvent

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 10_000        # scalars, lists and mappings, every alias counted as the nodes it stands for
MAX_DEPTH = 50            # lists and mappings nested in each other
MAX_SCALAR_CHARS = 1_000  # one value (Python refuses integers of more than 4 300 digits anyway)
MAX_PROBLEMS = 20         # problems listed; the rest are counted


def load_requirements(path: str | Path) -> Requirements:
    """Parse and check a requirements file; raise InputError with every problem found."""
    return parse_requirements(_read(Path(path)), str(path))


def load_mapping(path: str | Path, what: str) -> dict:
    """A YAML mapping from a file, with the requirements file's bounds (used for sweep files)."""
    return parse_mapping(_read(Path(path), what), str(path), what)


def _read(path: Path, what: str = "requirements file") -> str:
    """The text of a regular file of at most MAX_FILE_BYTES; never blocks on a FIFO or a device."""
    try:
        return read_regular_file(path, MAX_FILE_BYTES, what).decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: cannot read: not UTF-8 ({err.reason} at byte {err.start})") from None


def parse_requirements(text: str, origin: str = "<requirements>") -> Requirements:
    """Parse requirements from YAML text (JSON is YAML too)."""
    return requirements_from(parse_mapping(text, origin), origin, text)


def requirements_from(data: dict, origin: str, text: str | None = None) -> Requirements:
    """Check a mapping of requirement fields; the problems name the line when the YAML `text` is given."""
    try:
        return Requirements.model_validate(data)
    except ValidationError as err:
        from ruamel.yaml import YAML

        tree = YAML(typ="rt", pure=True).load(text) if text is not None else None
        raise InputError(format_validation_error(err, origin, tree)) from None


def parse_mapping(text: str, origin: str, what: str = "requirement fields") -> dict:
    """Bounded, tag-free YAML text that holds a mapping at the top level."""
    from ruamel.yaml import YAML  # here: the render process imports this module for format_validation_error only
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        _check_events(text, origin)
        data = YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{origin}{line}: not valid YAML: {err.problem or err.context}") from None
    except YAMLError as err:
        raise InputError(f"{origin}: not valid YAML: {err}") from None
    except RecursionError:
        raise InputError(f"{origin}: not valid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(f"{origin}: expected a mapping of {what} at the top level")
    return data


def _check_events(text: str, origin: str) -> None:
    """Refuse explicit tags, long values, and documents too large or too deep once aliases are
    expanded, from the parser's events alone (nothing is built, so an alias bomb costs nothing)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent, ScalarEvent

    expanded: dict[str, int] = {}  # anchor -> the nodes it stands for
    sizes: list[int] = []           # nodes so far of each list or mapping still open
    anchors: list[str | None] = []  # and its anchor
    total = 0
    for event in YAML(typ="safe", pure=True).parse(text):
        where = f"{origin}:{event.start_mark.line + 1}"
        if isinstance(event, CollectionEndEvent):
            nodes, anchor = sizes.pop(), anchors.pop()
            if anchor:
                expanded[anchor] = nodes
            if sizes:
                sizes[-1] += nodes
            continue
        if isinstance(event, AliasEvent):
            if event.anchor not in expanded:
                raise InputError(f"{where}: the alias *{event.anchor} refers to a list or mapping that contains it")
            nodes = expanded[event.anchor]
        elif isinstance(event, NodeEvent):
            _check_node(event, where)
            nodes = 1
        else:
            continue
        total += nodes
        if total > MAX_NODES:
            raise InputError(f"{where}: more than {MAX_NODES:,} values (lists, mappings and scalars, each alias "
                             f"counted as what it repeats): too large for a requirements file")
        if isinstance(event, CollectionStartEvent):
            sizes.append(nodes)
            anchors.append(event.anchor)
            if len(sizes) > MAX_DEPTH:
                raise InputError(f"{where}: lists and mappings nested more than {MAX_DEPTH} deep")
        else:
            if isinstance(event, ScalarEvent) and event.anchor:
                expanded[event.anchor] = 1
            if sizes:
                sizes[-1] += nodes


def _check_node(event: NodeEvent, where: str) -> None:
    from ruamel.yaml.events import ScalarEvent

    if event.tag is not None:
        raise InputError(f"{where}: not valid YAML: the tag {event.tag} is refused (a requirements file holds "
                         f"plain values, without tags such as !!binary or !!python/object)")
    if isinstance(event, ScalarEvent) and len(event.value) > MAX_SCALAR_CHARS:
        raise InputError(f"{where}: a value of {len(event.value):,} characters is too long "
                         f"(limit {MAX_SCALAR_CHARS:,})")


def format_validation_error(err: ValidationError, origin: str, tree: Any = None) -> str:
    """One line per problem: `file:line: field.path: why (got value)`; the first MAX_PROBLEMS, then a count."""
    lines = [f"{origin}: {err.error_count()} problem(s) in the requirements:"]
    for problem in err.errors(include_url=False)[:MAX_PROBLEMS]:
        loc = [p for p in problem["loc"] if p not in ("function-after", "function-before")]
        message = problem["msg"].removeprefix("Value error, ")
        if not loc and re.match(r"^[a-z_.-]+: ", message):  # a cross-field check names its own field
            field, message = message.split(": ", 1)
            loc = field.split(".")
        path = _dotted(loc) or "(top level)"
        line = _line_of(tree, loc)
        where = f"{origin}:{line}" if line else origin
        got = "" if problem["type"] in ("missing", "value_error") else f" (got {_short(problem.get('input'))})"
        lines.append(f"  {where}: {path}: {message}{got}")
    if err.error_count() > MAX_PROBLEMS:
        lines.append(f"  ... and {err.error_count() - MAX_PROBLEMS} more")
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


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring, _SHORT.maxother = 2, 3, 3, 50, 50


def _short(value: Any) -> str:
    """At most 60 characters of `value`'s repr, without rendering a large value whole."""
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
