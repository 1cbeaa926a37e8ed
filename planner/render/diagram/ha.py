"""The high availability a diagram marks on each management VM: its HA group (a guest cluster, a gateway pair,
a load-balanced farm, an anti-affinity group) and its part in it (primary/secondary, active/passive).

A guest cluster's first node (by name) is drawn as its initial owner: the SQL Server AG primary or FCI active
node, the active VMM server, the active gateway of a pair; the cluster may move the role at any time.
"""
from __future__ import annotations

from dataclasses import dataclass

from planner.render.design_index import Facts, natural
from planner.render.theme import HA_OUTLINES


@dataclass(frozen=True)
class Mark:
    """A VM's place in an HA group: the group's outline colour and the tag drawn under the VM's name."""

    group: str
    outline: str
    tag: str


def marks(facts: Facts) -> dict[str, Mark]:
    """Management VM name -> its HA mark (VMs in no HA group are absent); one outline colour per group."""
    return facts.memo(marks, lambda: _marks(facts))


def _marks(facts: Facts) -> dict[str, Mark]:
    design = facts.design
    tags: dict[str, tuple[str, str]] = {}  # VM -> (group, tag); the first claim wins
    for sql in design.sql_instances:
        kind = ("AG", "primary", "secondary") if sql.ha == "availability-group" else ("FCI", "active", "passive")
        if sql.ha != "standalone" and len(sql.nodes) > 1:
            _claim(tags, f"sql:{sql.stamp}", sorted(sql.nodes, key=natural), kind)
    for stamp in design.stamps:
        if len(stamp.vmm_vms) > 1:
            _claim(tags, f"vmm:{stamp.name}", sorted(stamp.vmm_vms, key=natural), ("VMM", "active", "passive"))
    members: dict[str, list[str]] = {}
    for vm in facts.managed:
        if vm.anti_affinity_group:
            members.setdefault(vm.anti_affinity_group, []).append(vm.name)
    balanced = {m for lb in design.load_balancers for m in lb.members}
    for group, names in sorted(members.items(), key=lambda kv: natural(kv[0])):
        if len(names) < 2:
            continue
        pair = group.rpartition("-pair")[2]
        if pair.isdigit():
            _claim(tags, group, names, (f"pair {int(pair)}", "active", "passive"))
        else:
            _claim(tags, group, names, ("farm" if set(names) <= balanced else "HA", "", ""))
    groups = sorted({g for g, _ in tags.values()}, key=natural)
    outline = {g: HA_OUTLINES[i % len(HA_OUTLINES)] for i, g in enumerate(groups)}
    return {vm: Mark(g, outline[g], tag) for vm, (g, tag) in tags.items()}


def part(mark: Mark | None) -> str:
    """The part a guest-cluster node plays ('primary', 'passive', ...), '' for none."""
    word = mark.tag.rpartition(" ")[2] if mark else ""
    return word if word in ("primary", "secondary", "active", "passive") else ""


def _claim(tags: dict, group: str, names: list[str], kind: tuple[str, str, str]) -> None:
    """Tag `names` (in order) as one group: the first `kind[1]`, the others `kind[2]`; without roles, '<prefix> i/n'."""
    prefix, first, other = kind
    for i, name in enumerate(names):
        role = (first if i == 0 else other) if first else f"{i + 1}/{len(names)}"
        tags.setdefault(name, (group, f"{prefix} {role}"))
