"""A sweep file: a base requirements file plus axes (cross product) or named options, expanded into variants.

    base: medium.yaml                          # relative to the sweep file
    axes:                                      # every combination, in the order given
      availability.compute.host_failures: [1, 2]
      availability.racks: {from: 1, to: 3}     # inclusive, step 1 unless given
    # or, instead of axes:
    options:
      - {name: Option A, set: {hardware.max_hosts_per_cluster: 32}}
"""
from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from planner.errors import InputError
from planner.model.load import format_validation_error, load_mapping, load_requirements, requirements_from
from planner.model.requirements import Requirements, Strict

MAX_VARIANTS = 1_000  # a sweep larger than this is refused (exit 2) rather than left running for days
PATH = r"^[a-z_][a-z0-9_]*(\.([a-z_][a-z0-9_]*|[0-9]+))*$"  # a requirements field by its dotted path


class Range(Strict):
    """Numbers from `from` to `to` inclusive, `step` apart."""

    start: float = Field(alias="from")
    to: float
    step: float = Field(1, gt=0)

    def values(self) -> list[int | float]:
        count = int((self.to - self.start) / self.step + 1e-9) + 1
        if count < 1:
            raise ValueError(f"'from' {self.start:g} is above 'to' {self.to:g}")
        if count > MAX_VARIANTS:
            raise ValueError(f"{count:,} values: more than the {MAX_VARIANTS:,} a sweep may have")
        numbers = [self.start + i * self.step for i in range(count)]
        whole = all(float(x).is_integer() for x in (self.start, self.step))
        return [int(x) for x in numbers] if whole else [round(x, 9) for x in numbers]


class Option(Strict):
    """A named option: the fields it sets, by dotted path."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,40}$")
    set: dict[str, Any] = Field(min_length=1)


class SweepFile(Strict):
    """What a sweep file holds."""

    base: str = Field(min_length=1, description="The base requirements file, relative to the sweep file")
    axes: dict[str, list[Any] | Range] = Field(default_factory=dict)
    options: list[Option] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> SweepFile:
        if bool(self.axes) == bool(self.options):
            raise ValueError("axes: give either 'axes' (every combination) or 'options' (named variants), "
                             "not both nor neither")
        for path in [*self.axes, *(p for o in self.options for p in o.set)]:
            if not re.match(PATH, path):
                raise ValueError(f"axes: {path!r} is not a dotted field path such as availability.racks")
        for path, values in self.axes.items():
            if isinstance(values, list) and not values:
                raise ValueError(f"axes.{path}: no values")
        names = [o.name for o in self.options]
        if len(set(map(slug, names))) != len(names):
            raise ValueError("options: two options have the same name")
        return self


@dataclass
class Variant:
    """One set of requirements to plan: its name, folder name, and what it changes in the base."""

    name: str
    slug: str
    changes: dict[str, Any]
    requirements: Requirements = field(repr=False)
    data: dict = field(repr=False)  # the requirements as a mapping (what a worker receives)

    def differs(self, base: dict) -> str:
        """What this variant changes in the base, e.g. `availability.racks 2 -> 3`."""
        parts = [f"{path} {_show(lookup(base, path))} -> {_show(value)}"
                 for path, value in self.changes.items() if lookup(base, path) != value]
        return "; ".join(parts) or "(the base)"


def load_sweep(path: Path) -> tuple[dict, list[Variant]]:
    """The base requirements (as a mapping) and every variant of a sweep file, each checked as `plan` would."""
    spec = _spec(load_mapping(path, "sweep file"), str(path))
    base_path = path.parent / spec.base
    if not base_path.is_file():
        raise InputError(f"{path}: base: {base_path} is not a file")
    load_requirements(base_path)  # the base itself must be valid (problems named by line)
    base = load_mapping(base_path, "requirements file")
    return base, [_variant(base, f"{i:03d}", name, changes, str(path))
                  for i, (name, changes) in enumerate(_combinations(spec), 1)]


def _spec(data: dict, origin: str) -> SweepFile:
    try:
        spec = SweepFile.model_validate(data)
        for path, values in spec.axes.items():
            if isinstance(values, Range):
                values.values()
    except ValidationError as err:
        raise InputError(format_validation_error(err, origin).replace("in the requirements", "in the sweep file"))
    except ValueError as err:
        raise InputError(f"{origin}: {err}") from None
    count = len(spec.options) or _product_size(spec)
    if count > MAX_VARIANTS:
        raise InputError(f"{origin}: {count:,} variants: more than the {MAX_VARIANTS:,} a sweep may have "
                         f"(fewer axis values, or split the sweep)")
    return spec


def _product_size(spec: SweepFile) -> int:
    size = 1
    for values in spec.axes.values():
        size *= len(values.values() if isinstance(values, Range) else values)
    return size


def _combinations(spec: SweepFile) -> list[tuple[str, dict[str, Any]]]:
    if spec.options:
        return [(o.name, dict(o.set)) for o in spec.options]
    paths = list(spec.axes)
    labels = _short_labels(paths)
    axes = [v.values() if isinstance(v, Range) else v for v in spec.axes.values()]
    return [(" ".join(f"{labels[p]}={_show(v)}" for p, v in zip(paths, combo)), dict(zip(paths, combo)))
            for combo in itertools.product(*axes)]


def _short_labels(paths: list[str]) -> dict[str, str]:
    """The shortest dotted suffix of each path that no other path ends with."""
    labels = {}
    for path in paths:
        parts = path.split(".")
        for n in range(1, len(parts) + 1):
            label = ".".join(parts[-n:])
            if not any(other != path and (other == label or other.endswith("." + label)) for other in paths):
                break
        labels[path] = label
    return labels


def _variant(base: dict, number: str, name: str, changes: dict[str, Any], origin: str) -> Variant:
    data = copy.deepcopy(base)
    for path, value in changes.items():
        assign(data, path, copy.deepcopy(value), f"{origin}: {name}")
    requirements = requirements_from(data, f"{origin}: variant {name!r}")
    return Variant(name, f"{number}-{slug(name)}", changes, requirements, data)


def assign(data: dict, path: str, value: Any, where: str) -> None:
    """Set the field at the dotted `path` (a number indexes a list), creating mappings on the way."""
    node: Any = data
    parts = path.split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(f"{where}: {path}: {'.'.join(parts[:i]) or 'the base'} is a list of "
                                 f"{len(node)}; {part!r} is not an index into it")
            key: Any = int(part)
        elif isinstance(node, dict):
            key = part
            if not last and node.get(key) is None:
                node[key] = {}
        else:
            raise InputError(f"{where}: {path}: {'.'.join(parts[:i])} is a value, not a mapping or list")
        if last:
            node[key] = value
        else:
            node = node[key]


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted path, or None where it is not set."""
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def slug(name: str) -> str:
    """A folder name for a variant: lower case, digits and '-'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or "variant"


def _show(value: Any) -> str:
    if value is None:
        return "unset"
    return str(value) if not isinstance(value, (dict, list)) else re.sub(r"\s+", " ", repr(value))[:60]
