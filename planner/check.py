"""CI mode: plan every requirements file of a folder and compare with the committed outputs."""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from planner.errors import StampplanError
from planner.model.load import load_requirements
from planner.output import default_folder, write_folder
from planner.pipeline import build
from planner.render import machine
from planner.settings import SolverSettings

RENDERINGS = {".png", ".pdf"}  # renderings of compared DOT: checked for presence only


@dataclass
class ProfileResult:
    profile: str
    status: str  # ok | updated | drift | unsound | error
    hosts: int = 0
    cost: float = 0.0
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status in ("ok", "updated")


def drift(new: dict[str, bytes], folder: Path) -> list[str]:
    """What differs between freshly built artifacts and the committed folder, one line each."""
    old = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()} \
        if folder.is_dir() else {}
    out = []
    for name in sorted(set(new) | set(old), key=lambda n: (n != "design.json", n)):  # the design first
        if name not in old:
            out.append(f"{name}: not committed")
        elif name not in new:
            out.append(f"{name}: committed but no longer produced")
        elif Path(name).suffix in RENDERINGS:
            continue
        elif name.endswith(".xlsx"):
            committed = old[name].read_bytes()
            if new[name] != committed:  # equal bytes need no cell-by-cell comparison
                out += [f"{name}: {d}" for d in _workbook_drift(new[name], committed)]
        elif new[name] != old[name].read_bytes():
            out.append(f"{name}: {_first_difference(new[name], old[name].read_bytes())}")
    return out


def _first_difference(new: bytes, old: bytes) -> str:
    a, b = new.decode("utf-8", "replace").splitlines(), old.decode("utf-8", "replace").splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"differs from line {i + 1}: {y[:80]!r} -> {x[:80]!r}"
    return f"differs in length ({len(b)} -> {len(a)} lines)"


def _workbook_drift(new: bytes, old: bytes) -> list[str]:
    from openpyxl import load_workbook

    a, b = load_workbook(io.BytesIO(new)), load_workbook(io.BytesIO(old))
    if a.sheetnames != b.sheetnames:
        return [f"sheets {b.sheetnames} -> {a.sheetnames}"]
    out = []
    for name in a.sheetnames:
        rows_a = [[c.value for c in row] for row in a[name].iter_rows()]
        rows_b = [[c.value for c in row] for row in b[name].iter_rows()]
        if rows_a != rows_b:
            cell = next((f"row {i + 1}" for i, (x, y) in enumerate(zip(rows_a, rows_b)) if x != y),
                        f"{len(rows_b)} -> {len(rows_a)} rows")
            out.append(f"sheet {name} differs at {cell}")
    return out


def check_profile(path: Path, outputs: Path, settings: SolverSettings, update: bool,
                  warn: Callable[[str], None]) -> ProfileResult:
    """Plan one requirements file, prove it, and compare (or with `update`, rewrite) its outputs."""
    import time

    start, result = time.monotonic(), ProfileResult(path.stem, "ok")
    try:
        folder = default_folder(path, outputs)
        built = build(load_requirements(path), settings, lambda _: None, warn)
    except StampplanError as error:
        result.status, result.details = "error", [f"exit {error.exit_code}: {error}"]
        return result
    except Exception as error:  # noqa: BLE001 - one broken profile must not stop the others
        result.status, result.details = "error", [f"internal error: {type(error).__name__}: {error}"]
        return result
    result.hosts, result.cost = len(built.design.hosts), built.design.solver.objective
    if not built.sound:
        result.status = "unsound"
        result.details = [f"{f.rule}: {f.subject}: {f.message}" for f in
                          built.verdict.violations + built.verdict.undecided + built.unmet]
    elif update:
        try:
            write_folder(folder, built.files)
        except StampplanError as error:
            result.status, result.details = "error", [f"exit {error.exit_code}: {error}"]
            return result
        result.status = "updated"
    else:
        details = drift(built.files, folder)
        result.details = machine.explain(details) + details  # which machine dependency differs, first
        result.status = "drift" if result.details else "ok"
    result.seconds = round(time.monotonic() - start, 1)
    return result


def junit_xml(results: list[ProfileResult]) -> bytes:
    """JUnit XML, one test case per profile, for CI dashboards."""
    failures = sum(not r.passed for r in results)
    suite = ET.Element("testsuite", name="stampplan check", tests=str(len(results)), failures=str(failures))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname="stampplan.check", name=r.profile, time=str(r.seconds))
        if not r.passed:
            failure = ET.SubElement(case, "failure", message=f"{r.status}: {r.details[0] if r.details else ''}")
            failure.text = "\n".join(r.details)
    return ET.tostring(suite, encoding="utf-8", xml_declaration=True)
