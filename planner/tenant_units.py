"""Tenant units: the names of the tenant VMs, the sequence of their sizes, and the order in which a stamp's tenant
VMs and VM Role deployments are cut into compute clusters (sizing.py)."""
from __future__ import annotations

import math
from functools import lru_cache
from typing import TypeVar

from planner.model.requirements import Requirements

T = TypeVar("T")


def tenant_width(req: Requirements) -> int:
    """Digits of the tenant numbers in VM names (T0001): at least 4."""
    return max(4, len(str(req.tenants.count)))


def tenant_name(t: int, width: int) -> str:
    return f"T{t + 1:0{width}d}"


def tenant_vm_name(tenant: str, i: int) -> str:
    return f"{tenant}-VM{i + 1:02d}"


def vmrole_vm_name(role: str, deployment: int, i: int) -> str:
    return f"{role}-D{deployment + 1:03d}-{i + 1:02d}"


def tenant_vm_names(req: Requirements, width: int) -> set[str]:
    """The names of the tenant VMs `req` asks for (tenant numbers of `width` digits): a design for more tenants
    or VMs per tenant holds these same VMs and more."""
    t = req.tenants
    plain = {tenant_vm_name(tenant_name(n, width), i) for n in range(t.count) for i in range(t.vms_per_tenant)}
    return plain | {vmrole_vm_name(r.name, d, i) for r in t.vm_roles for d in range(r.deployments)
                    for i in range(r.instances)}


def interleave(plain: list[T], deployments: list[T]) -> list[T]:
    """The units of both lists in one sequence, each list keeping its order and spread evenly over it."""
    p, d = len(plain), len(deployments)
    if not p or not d:
        return plain + deployments
    keys = [((2 * i + 1) * d, 0, i) for i in range(p)] + [((2 * j + 1) * p, 1, j) for j in range(d)]
    return [(deployments if kind else plain)[i] for _, kind, i in sorted(keys)]


def size_sequence(mix: dict[str, float], total: int) -> list[str]:
    """`total` sizes following the mix exactly (largest remainder), evenly interleaved."""
    return list(_size_sequence(tuple(sorted(mix.items())), total))


@lru_cache(maxsize=8)
def _size_sequence(items: tuple[tuple[str, float], ...], total: int) -> tuple[str, ...]:
    """size_sequence, kept for the few mixes of a process (a plan sizes its tenants several times)."""
    mix = dict(items)
    names = sorted(mix)
    exact = {n: mix[n] * total / 100 for n in names}
    counts = {n: math.floor(exact[n]) for n in names}
    for n in sorted(names, key=lambda n: (-(exact[n] - counts[n]), n))[: total - sum(counts.values())]:
        counts[n] += 1
    out, given, wanted = [], [0] * len(names), [counts[n] for n in names]
    for j in range(1, total + 1):  # the size furthest behind its share of the first j; the first listed on a tie
        lag = [c * j / total - g for c, g in zip(wanted, given)]
        i = lag.index(max(lag))
        given[i] += 1
        out.append(names[i])
    return tuple(out)
