"""The workbook survives editing: sort every table, insert blank rows inside the Hosts and VMs
tables, let LibreOffice recalculate, and every total still matches the design."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.formula.translate import Translator

from planner.render.workbook import workbook
from test_workbook import design, expected_totals, table, variant

SORTED = {"VMs": "tblVMs", "Hosts": "tblHosts", "Licences": ("tblPrices", "tblSqlLicences", "tblHostLicences"),
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


def recalculate(tmp_path: Path, books: dict[str, bytes]) -> dict[str, Path]:
    """Each workbook as LibreOffice recalculates it (skips when LibreOffice is absent)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    for name, data in books.items():
        (tmp_path / f"{name}.xlsx").write_bytes(data)
    out = tmp_path / "recalculated"
    result = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                             "--calc", "--convert-to", "xlsx", "--outdir", str(out),
                             *[str(tmp_path / f"{n}.xlsx") for n in books]],
                            capture_output=True, text=True, timeout=180)
    paths = {name: out / f"{name}.xlsx" for name in books}
    assert all(p.is_file() for p in paths.values()), result.stdout + result.stderr
    return paths


def test_sorted_and_inserted_rows_keep_every_total(tmp_path):
    designs = {"medium": design("medium"),
               "variant": variant("small", "2016", {"sql_server": "per-host"}, local=True)}
    paths = recalculate(tmp_path, {name: edited(workbook(d)) for name, d in designs.items()})
    for name, d in designs.items():
        wb = load_workbook(paths[name], data_only=True)
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
