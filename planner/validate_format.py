"""Rules "format" and "unique-names" of the solver-free validator: the format tag, the top-level lists, every
entry's fields, and each name given once. Standard library only, like validate.py, which uses it.
"""
from __future__ import annotations

import re
from collections import Counter
from operator import itemgetter

from planner.validate_stamps import is_fqdn

FORMAT = "stampplan.design/1"
# The name pattern of planner/model/requirements.py (`Name`), repeated so that this module needs only the
# standard library: a name never starts like a spreadsheet formula nor holds markup or control characters.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
LINES_OF_NAMES = re.compile(rf"{NAME.pattern}(?:\n{NAME.pattern})*")  # names joined by newlines (never in a name)


class FieldTests:
    """The field tests of one :func:`check_format`. A name that passed is not matched again: host, role and group
    names recur on every VM, and each VM's name in every failover plan that restarts it."""

    def __init__(self) -> None:
        self.passed: set[str] = set()

    def name(self, x) -> bool:
        if type(x) is str and x in self.passed:
            return True
        ok = isinstance(x, str) and NAME.fullmatch(x) is not None
        if ok and type(x) is str:
            self.passed.add(x)
        return ok

    def all_names(self, xs) -> bool:
        """Every item of `xs` (a list, set or dict's keys) is a name: the new ones matched at C speed."""
        try:
            if self.passed.issuperset(xs):
                return True
        except TypeError:  # an unhashable item: not a name
            return False
        xs = list(xs)
        if set(map(type, xs)) <= {str}:  # matched as one text, one name a line
            text = "\n".join(xs)
            ok = text.count("\n") == len(xs) - 1 and LINES_OF_NAMES.fullmatch(text) is not None
            if ok:
                self.passed.update(xs)
            return ok
        return all(map(self.name, xs))

    def names(self, x) -> bool:
        return isinstance(x, list) and self.all_names(x)

    def name_map(self, x) -> bool:
        """A dict from names to names."""
        if not isinstance(x, dict) or not self.all_names(x):
            return False
        try:
            return self.all_names(set(x.values()))
        except TypeError:  # an unhashable value: not a name
            return False

    def count(self, x) -> bool:
        return isinstance(x, int) and not isinstance(x, bool) and x >= 0

    def amount(self, x) -> bool:
        """A non-negative finite number (below 1e18, which also rules out NaN and infinity)."""
        return isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x < 1e18

    def all_amounts(self, xs: list) -> bool:
        """amount() of every item, at C speed: ints and floats only, none below 0 (a NaN first fails min) and their
        sum below 1e18 (each item is at most the sum; a NaN or infinity fails it)."""
        try:
            return set(map(type, xs)) <= {int, float} and (not xs or min(xs) >= 0) and sum(xs) < 1e18
        except OverflowError:  # an int too large for a float
            return False

    def flag(self, x) -> bool:
        return isinstance(x, bool)

    def scope(self, x) -> bool:
        return isinstance(x, str) and x in ("host", "fault_domain")

    def fqdn(self, x) -> bool:
        return is_fqdn(x)

    def column(self, test, xs: list) -> bool:
        """Whether every item of `xs` passes `test` (one of the above), names and amounts at C speed."""
        if test is FieldTests.name:
            return self.all_names(xs)
        if test is FieldTests.amount:
            return self.all_amounts(xs)
        return all(test(self, x) for x in xs)


T = FieldTests
REQUIRED = {  # list -> field -> test; the order is the order of checking
    "stamps": {"name": T.name, "vmm_vms": T.names},
    "clusters": {"name": T.name, "stamp": T.name, "failures_tolerated": T.count},
    "hosts": {"name": T.name, "cluster": T.name, "fault_domain": T.name, "vcpu_capacity": T.amount,
              "usable_memory_gb": T.amount},
    "anti_affinity_groups": {"name": T.name, "scope": T.scope},
    "vms": {"name": T.name, "host": T.name, "vcpu": T.amount, "memory_gb": T.amount, "storage_gb": T.amount},
    "failover_plans": {"cluster": T.name, "failed": T.names, "restarts": T.name_map},
}
OPTIONAL = {  # absent or null means "not given"
    "stamps": {"tenants": T.count, "vm_networks": T.count, "spf": T.fqdn},
    "clusters": {"fault_domain_tolerance": T.flag, "shared_storage_gb": T.amount},
    "hosts": {"usable_storage_gb": T.amount, "model": T.name},
    "vms": {"anti_affinity_group": T.name, "role": T.name},
}
OPTIONAL_LISTS = ("anti_affinity_groups", "failover_plans")


def _entry_problem(tests: FieldTests, kind: str, entry) -> str:
    """Why one list entry is malformed, or "" when it is well formed."""
    if not isinstance(entry, dict):
        return "is not an object"
    bad = [k for k, ok in REQUIRED[kind].items() if k not in entry or not ok(tests, entry[k])]
    bad += [k for k, ok in OPTIONAL.get(kind, {}).items() if entry.get(k) is not None and not ok(tests, entry[k])]
    return f"has missing or invalid {', '.join(bad)}" if bad else ""


def _all_well_formed(tests: FieldTests, kind: str, raw: list) -> bool:
    """Whether :func:`_entry_problem` finds nothing in any entry, decided field by field over the whole list
    (a few times faster on 30 000 VMs); when not, the entries are tested one by one."""
    if not set(map(type, raw)) <= {dict}:
        return False
    for k, ok in REQUIRED[kind].items():
        try:
            values = list(map(itemgetter(k), raw))
        except KeyError:  # a field missing
            return False
        if not tests.column(ok, values):
            return False
    return all(tests.column(ok, [v for e in raw if (v := e.get(k)) is not None])
               for k, ok in OPTIONAL.get(kind, {}).items())


def check_format(design) -> tuple[dict[str, list[dict]], list[tuple[str, str, str]]]:
    """Rule "format": the format tag, the top-level lists and every entry's fields. Returns the well-formed entries
    of each list (malformed ones are dropped) and the findings as (rule, subject, message)."""
    entries: dict[str, list[dict]] = {kind: [] for kind in REQUIRED}
    if not isinstance(design, dict):
        return entries, [("format", "design", "the design is not a JSON object")]
    findings, tests = [], FieldTests()
    if design.get("format") != FORMAT:
        findings.append(("format", "design", f"format is {str(design.get('format'))[:60]!r}, expected {FORMAT!r}"))
    for kind in REQUIRED:
        raw = design.get(kind)
        if raw is None and kind in OPTIONAL_LISTS:
            raw = []
        if not isinstance(raw, list):
            findings.append(("format", kind, f"'{kind}' is missing or not a list"))
            continue
        if _all_well_formed(tests, kind, raw):
            entries[kind] = list(raw)
            continue
        for i, entry in enumerate(raw):
            problem = _entry_problem(tests, kind, entry)
            if not problem:
                entries[kind].append(entry)
                continue
            name = entry.get("name") if isinstance(entry, dict) else None
            findings.append(("format", name if tests.name(name) else f"{kind}[{i}]", f"{kind}[{i}] {problem}"))
    return entries, findings


def check_unique_names(entries) -> list[tuple[str, str, str]]:
    """Rule "unique-names": stamps, clusters, hosts, VMs (and groups) are named once each."""
    return [("unique-names", name, f"{n} entries of {kind} are named {name}")
            for kind in ("stamps", "clusters", "hosts", "vms", "anti_affinity_groups")
            for name, n in Counter(e["name"] for e in entries[kind]).items() if n > 1]
