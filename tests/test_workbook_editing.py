"""The workbook survives editing: sort every table, insert blank rows inside the Hosts and VMs
tables, let LibreOffice recalculate, and every total still matches the design; and recalculated,
its total cost is design.json's for every reference profile and a hoster on SPLA."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.formula.translate import Translator

from planner.model.load import load_requirements
from planner.plan import plan
from planner.render.workbook import workbook
from conftest import PROFILES, ROOT
from test_workbook import design, expected_totals, table, variant

SORTED = {"VMs": "tblVMs", "Hosts": "tblHosts",
          "Licences": ("tblPrices", "tblSqlLicences", "tblHostLicences", "tblRunning"),
          "Summary": ("tblTotals", "tblClusters")}


def _bounds(ref: str) -> tuple[int, int]:
    first, last = ref.split(":")
    return int("".join(ch for ch in first if ch.isdigit())), int("".join(ch for ch in last if ch.isdigit()))


def reverse_rows(ws, name: str, blank: bool = False) -> None:
    """Reverse the data rows of table `name` as a spreadsheet's sort does (a formula moved with its
    row, its relative references following); with `blank`, also insert an empty row inside the
    table (the table must end the sheet)."""
    tbl = ws.tables[name]
    header, last = _bounds(tbl.ref)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1, max_row=last)]
    order = list(range(len(rows)))[::-1]
    if blank:
        order.insert(len(order) // 2, None)
        tbl.ref = tbl.autoFilter.ref = f"{tbl.ref.split(':')[0]}:{tbl.ref.split(':')[1][0]}{last + 1}"
    for offset, source in enumerate(order):
        target = header + 1 + offset
        for col in range(len(rows[0])):
            cell = ws.cell(row=target, column=col + 1)
            value = None if source is None else rows[source][col]
            if isinstance(value, str) and value.startswith("="):
                origin = ws.cell(row=header + 1 + source, column=col + 1).coordinate
                value = Translator(value, origin=origin).translate_formula(cell.coordinate)
            cell.value = value


def edited(data: bytes) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for sheet, names in SORTED.items():
        for name in (names,) if isinstance(names, str) else names:
            if name in wb[sheet].tables:
                reverse_rows(wb[sheet], name, blank=sheet in ("VMs", "Hosts"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# LibreOffice keeps an xlsx file's cached values unless told to recalculate every formula on load
ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(tmp_path: Path, books: dict[str, bytes]) -> dict[str, Path]:
    """Each workbook as LibreOffice recalculates it (skips when LibreOffice is absent)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    for name, data in books.items():
        (tmp_path / f"{name}.xlsx").write_bytes(data)
    out, profile = tmp_path / "recalculated", tmp_path / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(ALWAYS_RECALCULATE, encoding="utf-8")
    result = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                             "--calc", "--convert-to", "xlsx", "--outdir", str(out),
                             *[str(tmp_path / f"{n}.xlsx") for n in books]],
                            capture_output=True, text=True, timeout=180)
    paths = {name: out / f"{name}.xlsx" for name in books}
    assert all(p.is_file() for p in paths.values()), result.stdout + result.stderr
    return paths


EDITED = ("medium", "variant", "spla-variant")


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, tuple]:
    """name -> (design, the workbook as LibreOffice recalculates it): the reference profiles and a hoster on SPLA
    as written, and three edited (sorted, rows inserted) variants; one LibreOffice run for all."""
    designs = {name: design(name) for name in PROFILES}
    designs["hoster-spla"] = plan(load_requirements(ROOT / "bench" / "cost" / "hoster-spla.yaml"))
    edits = {"medium": design("medium"),
             "variant": variant("small", "2016", {"sql_server": "per-host"}, local=True, running=True),
             "spla-variant": variant("small", "2012 R2", {"model": "spla", "sql_server": "per-host"}, running=True)}
    books = {name: workbook(d) for name, d in designs.items()}
    books |= {f"edited-{name}": edited(workbook(d)) for name, d in edits.items()}
    paths = recalculate(tmp_path_factory.mktemp("lo"), books)
    designs |= {f"edited-{name}": d for name, d in edits.items()}
    return {name: (d, paths[name]) for name, d in designs.items()}


def summary_totals(path: Path) -> dict[str, float]:
    """The Summary sheet's totals as calculated, read without loading the other (large) sheets."""
    wb = load_workbook(path, read_only=True, data_only=True)
    rows = [row[:2] for row in wb["Summary"].iter_rows(values_only=True)]
    first = rows.index(("Total", "Value")) + 1
    return dict(rows[first:rows.index((None, None), first)])


@pytest.mark.parametrize("name", [*PROFILES, "hoster-spla"])
def test_recalculated_total_cost_is_the_designs(recalculated, name):
    d, path = recalculated[name]
    totals = summary_totals(path)
    assert totals["Total cost"] == pytest.approx(d.cost["total"], abs=0.05)
    assert totals["Per tenant VM per month"] == pytest.approx(d.cost["per_tenant_vm_month"], abs=0.005)
    assert totals == pytest.approx(expected_totals(d))


@pytest.mark.parametrize("name", EDITED)
def test_sorted_and_inserted_rows_keep_every_total(recalculated, name):
    d, path = recalculated[f"edited-{name}"]
    wb = load_workbook(path, data_only=True)
    totals = {r["Total"]: r["Value"] for r in table(wb, "Summary", "tblTotals")}
    assert totals == pytest.approx(expected_totals(d)), name
    hosts = {r["Host"]: r for r in table(wb, "Hosts", "tblHosts") if r["Host"]}
    assert {h: r["Allocated vCPU"] for h, r in hosts.items()} \
        == {h.name: sum(v.vcpu for v in d.vms if v.host == h.name) for h in d.hosts}, name
    assert {h: r["vCPU capacity"] for h, r in hosts.items()} == {h.name: h.vcpu_capacity for h in d.hosts}
    clusters = {r["Cluster"]: r for r in table(wb, "Summary", "tblClusters")}
    for c in d.clusters:
        demand = sum(v.vcpu for v in d.vms if v.cluster == c.name)
        capacity = sum(h.vcpu_capacity for h in d.hosts if h.cluster == c.name)
        assert clusters[c.name]["vCPU utilisation"] == pytest.approx(demand / capacity), (name, c.name)
        memory = sum(h.usable_memory_gb for h in d.hosts if h.cluster == c.name)
        assert clusters[c.name]["Memory utilisation"] == pytest.approx(
            sum(v.memory_gb for v in d.vms if v.cluster == c.name) / memory), (name, c.name)
