"""The catalog: product limits, role definitions, VM sizes and defaults, each with its source.

Figures live in the YAML files beside this module; code reads them only through
`load_catalog()` (and the other loaders, through `read_yaml`), so every figure a design uses
can be listed with its source.
"""
from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml import YAML

Deployment = Literal["express", "distributed", "ha"]


class Figure(BaseModel):
    """One catalog figure with where it comes from."""

    model_config = ConfigDict(frozen=True)
    key: str
    value: Any
    source: str
    assumption: bool = False


class VmSize(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    vcpu: int = Field(gt=0)
    memory_gb: float = Field(gt=0)
    storage_gb: float = Field(ge=0)
    source: str = "user-defined in the requirements"
    assumption: bool = False


class SizeTier(BaseModel):
    max_vms: int
    vcpu: int


class RoleSize(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vcpu: int | None = None
    memory_gb: float
    storage_gb: float
    tiers: list[SizeTier] = []
    source: str
    assumption: bool = False


class RoleSpec(BaseModel):
    """How one management or edge role is deployed."""

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    title: str
    prefix: str
    scope: Literal["stamp", "global"]
    tier: Literal["management", "edge", "tenant_facing"]
    instances: dict[Deployment, int]
    size: RoleSize
    load_balanced: bool = False
    requires: Literal["console_access", "nvgre"] | None = None
    scale_by: str | None = None
    pairs_by: str | None = None
    ha_mode: str | None = None
    source: str | None = None
    databases: list[str] = []
    databases_source: str | None = None


class Catalog(BaseModel):
    """Everything the planner knows about the products, as data."""

    roles: dict[str, RoleSpec]
    sizes: dict[str, VmSize]
    limits: dict[str, dict[str, Figure]]
    defaults: dict[str, Figure]

    def limit(self, key: str, version: str) -> Figure:
        """The figure of limit `key` for System Center `version` (or its version-free value)."""
        by_version = self.limits[key]
        return by_version.get(version) or by_version["any"]


@cache
def read_yaml(name: str) -> Any:
    """The parsed content of catalog file `name` (cached: callers must not modify it)."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return YAML(typ="safe", pure=True).load(text)


@cache
def load_catalog() -> Catalog:
    """Load and check the bundled catalog (cached)."""
    roles = {name: RoleSpec(name=name, **spec) for name, spec in read_yaml("roles.yaml").items()}
    limits = {
        key: {ver: Figure(key=f"{key}[{ver}]", **fig) for ver, fig in per_version.items()}
        for key, per_version in read_yaml("limits.yaml").items()
    }
    defaults = {key: Figure(key=key, **fig) for key, fig in read_yaml("defaults.yaml").items()}
    sizes = {name: VmSize(**spec) for name, spec in read_yaml("sizes.yaml").items()}
    return Catalog(roles=roles, sizes=sizes, limits=limits, defaults=defaults)
