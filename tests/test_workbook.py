"""The Excel bill of materials: every sheet matches design.json, the totals are live formulas
(evaluated in Python here; recalculated by LibreOffice in test_workbook_editing.py) with their values
cached, licence arithmetic follows the catalog rules, and the same design always gives the same bytes."""
from __future__ import annotations

import io
import json
import os
import re
import time
import zipfile
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from planner.cli import app
from planner.cost import design_cost
from planner.errors import InputError
from planner.ipplan import ip_plan
from planner.model.design import Design
from planner.render import RENDERERS
from planner.licensing import catalog, host_units, licensing, sql_host_packs, sql_vm_packs
from planner.render.workbook import ORDER, artifacts, requirements_of, workbook

from conftest import ROOT
from helpers import requirements
from cpu_budget import cpu_budget

SHEETS = ["Summary", "Hosts", "VMs", "SQL", "Licences", "IP plan", "Certificates", "Firewall", "Failover",
          "Failover map", "Assumptions"]


@cache
def _text(name: str) -> str:
    return (ROOT / "outputs" / name / "design.json").read_text(encoding="utf-8")


def design(name: str) -> Design:
    return Design.model_validate(json.loads(_text(name)))


def variant(name: str, version: str | None = None, licensing_: dict | None = None, local: bool = False,
            running: bool = False) -> Design:
    """A reference design with another System Center version, licensing options or host-local storage;
    `running`: host models with power and rack units, over a 5-year term."""
    data = json.loads(_text(name))
    if running:
        data["requirements"]["cost"] = {"term_years": 5}
        for i, model in enumerate(data["requirements"]["hardware"]["host_models"]):
            model.update(power_watts=450 + 50 * i, rack_units=1 + i)
    if version:
        data["system_center"] = data["requirements"]["system_center"] = version
    if licensing_:
        data["requirements"]["licensing"] = licensing_
    if local:
        data["requirements"]["hardware"]["shared_storage"]["type"] = "local"
        for i, host in enumerate(data["hosts"]):
            host["usable_storage_gb"] = 4000.0 + 100 * i
        for cluster in data["clusters"]:
            cluster.pop("shared_storage_gb", None)
    return Design.model_validate(data)


def read(data: bytes, **options):
    return load_workbook(io.BytesIO(data), **options)


def table(wb, sheet: str, name: str) -> list[dict]:
    ws = wb[sheet]
    header, *rows = [[c.value for c in row] for row in ws[ws.tables[name].ref]]
    return [dict(zip(header, row)) for row in rows]


def expected_totals(d: Design) -> dict[str, float]:
    """The Summary totals, computed from design.json (its requirements, hosts and VMs) without the workbook."""
    cost = design_cost(d, requirements_of(d))
    local = any(h.usable_storage_gb is not None for h in d.hosts)
    licences = cost["windows_server"] + cost["system_center"] + cost["sql_server"]
    return {
        "Clusters": len(d.clusters), "Hosts": len(d.hosts), "VMs": len(d.vms),
        "vCPU demanded": sum(v.vcpu for v in d.vms), "vCPU available": sum(h.vcpu_capacity for h in d.hosts),
        "Memory demanded GB": sum(v.memory_gb for v in d.vms),
        "Memory available GB": sum(h.usable_memory_gb for h in d.hosts),
        "Storage demanded GB": sum(v.storage_gb for v in d.vms),
        "Storage available GB": sum(h.usable_storage_gb or 0 for h in d.hosts) if local
        else sum(c.shared_storage_gb or 0 for c in d.clusters),
        "Hardware": cost["hardware"],
        "Windows Server Datacenter": cost["windows_server"], "System Center Datacenter": cost["system_center"],
        "SQL Server": cost["sql_server"], "Licences": licences,
        "Software Assurance": cost["software_assurance"], "Power": cost["power"], "Rack space": cost["rack_space"],
        "Total cost": cost["total"], "Tenant VMs": cost["tenant_vms"],
        "Per tenant VM per month": cost["total"] / cost["tenant_vms"] / 12 / cost["term_years"],
    }


# --- structure and content ------------------------------------------------------------------

def test_registered_and_named():
    assert "planner.render.workbook" in RENDERERS
    assert list(artifacts(design("poc"))) == ["bom.xlsx", "failover.csv"]
    assert [t for t in ORDER if t != "Growth"] == SHEETS  # Growth: only with a growth section (test_growth.py)


def test_sheets_are_styled_tables():
    wb = read(workbook(design("small")))
    assert wb.sheetnames == SHEETS
    names = {t for ws in wb for t in ws.tables}
    assert {"tblTotals", "tblClusters", "tblModels", "tblRoles", "tblHosts", "tblVMs", "tblSqlNodes",
            "tblSqlDatabases", "tblPrices", "tblSqlLicences", "tblHostLicences", "tblIpPlan", "tblFailover",
            "tblFailoverMap", "tblAssumptions"} <= names
    for ws in wb:
        assert ws.freeze_panes, ws.title
        for tbl in ws.tables.values():
            first = ws[tbl.ref][0][0]
            assert first.font.b and first.fill.fgColor.rgb.endswith("1F4E78"), (ws.title, tbl.name)
            assert tbl.autoFilter is not None
        assert all(dim.width for dim in ws.column_dimensions.values())
    hosts = wb["Hosts"]
    assert hosts["N2"].number_format == '#,##0 "USD"' and hosts["R2"].number_format == "0.0%"
    assert hosts["N2"].fill.fgColor.rgb.endswith("FFF2CC")  # an editable input


def test_every_sheet_matches_the_design():
    d = design("medium")
    wb = read(workbook(d))
    hosts = table(wb, "Hosts", "tblHosts")
    assert [(h["Host"], h["Cluster"], h["Rack"], h["Model"], h["Unit price"], h["Usable memory GB"]) for h in hosts] \
        == [(h.name, h.cluster, h.fault_domain, h.model, h.price, h.usable_memory_gb) for h in d.hosts]
    models = {m.name: m for m in requirements_of(d).hardware.host_models}
    assert all(h["Sockets"] == models[h["Model"]].sockets for h in hosts)
    vms = table(wb, "VMs", "tblVMs")
    assert [(v["VM"], v["Role"], v["Host"], v["Cluster"], v["vCPU"], v["Memory GB"], v["Storage GB"],
             v["Anti-affinity group"]) for v in vms] \
        == [(v.name, v.role, v.host, v.cluster, v.vcpu, v.memory_gb, v.storage_gb, v.anti_affinity_group)
            for v in d.vms]
    assert all(v["OS"] for v in vms)
    nodes = table(wb, "SQL", "tblSqlNodes")
    assert [(n["Instance"], n["Node"]) for n in nodes] == [(s.name, n) for s in d.sql_instances for n in s.nodes]
    dbs = table(wb, "SQL", "tblSqlDatabases")
    assert [(x["Instance"], x["Database"], x["Used by role"]) for x in dbs] \
        == [(s.name, db.name, db.role) for s in d.sql_instances for db in s.databases]
    ips = table(wb, "IP plan", "tblIpPlan")
    assert [(a["Network"], a["Address"], a["Owner"]) for a in ips] == [(a.network, a.address, a.owner)
                                                                      for a in ip_plan(d)]
    assert len({a["Address"] for a in ips}) == len(ips)
    scenarios = table(wb, "Failover", "tblFailover")
    assert [(r["Scenario"], r["Cluster"], r["VMs restarted"]) for r in scenarios] \
        == [(i, p.cluster, len(p.restarts)) for i, p in enumerate(d.failover_plans, start=1)]
    assert all(0 <= s["Highest vCPU use after"] <= 1 and 0 <= s["Highest memory use after"] <= 1 for s in scenarios)
    figures = {a["Figure"] for a in table(wb, "Assumptions", "tblAssumptions")}
    assert {a.key for a in d.assumptions} | {"sql_per_vm", "price.windows_datacenter_2proc"} <= figures


def _after(d: Design, plan) -> dict[str, tuple[int, float]]:
    """Each surviving host of `plan`'s cluster -> (vCPU, memory GB) after its restarts, recomputed here."""
    vms = {v.name: v for v in d.vms}
    on = {h.name: [v for v in d.vms if v.host == h.name] for h in d.hosts}
    after = {h.name: [sum(v.vcpu for v in on[h.name]), sum(v.memory_gb for v in on[h.name])]
             for h in d.hosts if h.cluster == plan.cluster and h.name not in plan.failed}
    for vm, to in plan.restarts.items():
        after[to][0] += vms[vm].vcpu
        after[to][1] += vms[vm].memory_gb
    return after


def test_failover_scenarios_recomputed_from_the_plans():
    d = design("small")
    wb = read(workbook(d))
    vms = {v.name: v for v in d.vms}
    cap = {h.name: h.vcpu_capacity for h in d.hosts}
    for row, plan in zip(table(wb, "Failover", "tblFailover"), d.failover_plans, strict=True):
        after = _after(d, plan)
        busiest = max(after, key=lambda h: after[h][0] / cap[h])
        assert row["Failed hosts"] == ", ".join(plan.failed)
        assert row["vCPU restarted"] == sum(vms[v].vcpu for v in plan.restarts)
        assert row["Hosts receiving"] == len(set(plan.restarts.values()))
        assert (row["Busiest host (vCPU)"], row["Highest vCPU use after"]) \
            == (busiest, round(after[busiest][0] / cap[busiest], 4))


def test_failover_map_sums_the_moves_per_cluster():
    d = design("medium")
    wb = read(workbook(d))
    hosts = {h.name: h for h in d.hosts}
    vms = {v.name: v for v in d.vms}
    moves: dict[tuple, list] = {}
    for plan in d.failover_plans:
        for vm, to in plan.restarts.items():
            moves.setdefault((plan.cluster, vms[vm].host, to), []).append(vm)
    rows = table(wb, "Failover map", "tblFailoverMap")
    assert {(r["Cluster"], r["From host"], r["Restarts on"]): r["VM restarts"] for r in rows} \
        == {key: len(vm_names) for key, vm_names in moves.items()}
    for r in rows:
        vm_names = moves[(r["Cluster"], r["From host"], r["Restarts on"])]
        assert r["VMs"] == len(set(vm_names))
        assert hosts[r["From host"]].cluster == hosts[r["Restarts on"]].cluster == r["Cluster"]
        assert 0 < r["Highest vCPU use after"] <= 1
    assert len(rows) == len(moves) < sum(len(p.restarts) for p in d.failover_plans)


def test_failover_csv_lists_every_restart():
    d = design("medium")
    text = artifacts(d)["failover.csv"].decode()
    lines = text.split("\r\n")
    assert lines[0].startswith("Scenario,Cluster,Failed hosts,VM,Role,From host,Restarts on,vCPU,Memory GB")
    body = [line.split(",") for line in lines[1:] if line]
    assert [(int(r[0]), r[3], r[6]) for r in body] \
        == [(i, vm, to) for i, p in enumerate(d.failover_plans, start=1) for vm, to in p.restarts.items()]
    plan = d.failover_plans[0]
    after = _after(d, plan)
    cap = {h.name: h.vcpu_capacity for h in d.hosts}
    first = body[0]
    assert float(first[-2]) == round(after[first[6]][0] / cap[first[6]], 4)


def test_failover_csv_defuses_formula_leading_text():
    data = json.loads(_text("medium"))
    plan = data["failover_plans"][0]
    vm = next(iter(plan["restarts"]))
    renamed = json.loads(json.dumps(data).replace(f'"{vm}"', f'"=cmd|{vm}"'))
    text = artifacts(Design.model_validate(renamed))["failover.csv"].decode()
    assert f",'=cmd|{vm}," in text and ",=cmd" not in text


def test_design_without_failover_plans_says_so_and_carves_its_networks():
    wb = read(workbook(design("poc")))
    assert "no failover plan" in wb["Failover"]["A1"].value
    assert not wb["Failover"].tables
    subnets = {r["Network"]: r["Subnet"] for r in table(wb, "IP plan", "tblIpPlan")}
    assert subnets and all(cidr.startswith("10.") for cidr in subnets.values())  # carved from the supernet


def test_too_small_subnet_is_a_clear_error():
    data = json.loads(_text("medium"))
    data["requirements"]["networks"]["management"]["cidr"] = "10.10.0.0/28"
    with pytest.raises(InputError, match=r"networks.management: 10.10.0.0/28 has 13 assignable addresses"):
        workbook(Design.model_validate(data))


# --- licensing ------------------------------------------------------------------------------

def test_host_licence_rules():
    rules, _ = catalog()
    assert [host_units("per-processor", s, s * 8, rules) for s in (1, 2, 3, 4)] == [1, 1, 2, 2]
    per_core = {(1, 4): 8, (1, 10): 8, (2, 5): 8, (2, 8): 8, (2, 9): 9, (2, 16): 16, (4, 10): 20, (4, 2): 16,
                (1, 17): 9, (2, 24): 24}
    assert {(s, c): host_units("per-core", s, s * c, rules) for s, c in per_core} == per_core


def test_sql_licence_rules():
    rules, _ = catalog()
    assert [sql_vm_packs(v, rules) for v in (1, 2, 4, 5, 6, 8, 16)] == [2, 2, 2, 3, 3, 4, 8]
    assert [sql_host_packs(s, c, rules) for s, c in ((1, 2), (2, 4), (2, 16), (2, 9))] == [2, 4, 8, 5]


def test_licence_totals_follow_version_mode_and_prices():
    d = design("medium")  # 2012 R2, two-socket hosts, a failover-cluster instance (Standard) of two 8-vCPU nodes
    models = {m.name: m for m in requirements_of(d).hardware.host_models}
    assert {models[h.model].sockets for h in d.hosts} == {2}
    nodes = [v for v in d.vms if v.role == "sql"]
    assert len(nodes) == 2 and {v.vcpu for v in nodes} == {8}
    cost = design_cost(d, requirements_of(d))
    assert (cost["windows_server"], cost["system_center"], cost["sql_server"]) == (len(d.hosts) * 6155,
                                                                                   len(d.hosts) * 3607, 2 * 4 * 3717)
    d16 = variant("medium", "2016", {"sql_server": "per-host", "prices": {"windows_datacenter_2core": 800}})
    lic = licensing(d16, requirements_of(d16))
    cores = [models[h.model].sockets * models[h.model].cores_per_socket for h in d16.hosts]
    assert min(cores) >= 16 and design_cost(d16, requirements_of(d16))["windows_server"] == sum(c // 2 for c in cores) * 800
    mgmt = [h for h in d16.hosts if h.cluster == nodes[0].cluster]
    assert [s.name for s in lic.sql] == [h.name for h in mgmt] and {s.edition for s in lic.sql} == {"Enterprise"}
    assert lic.prices["windows_datacenter_2core"].overridden and not lic.prices["sql_enterprise_2core"].overridden


def test_licensing_requirements_section():
    assert "licensing" not in requirements().model_dump(mode="json")  # design.json unchanged when left out
    req = requirements(licensing={"prices": {"sql_standard_2core": 100}})
    assert req.licensing.sql_server == "per-vm" and req.licensing.prices == {"sql_standard_2core": 100.0}
    with pytest.raises(ValueError, match="windows_datacenter_2core"):
        requirements(licensing={"prices": {"windows_2core": 1}})
    with pytest.raises(ValueError):
        requirements(licensing={"sql_server": "per-socket"})
    with pytest.raises(ValueError):
        requirements(licensing={"prices": {"sql_standard_2core": -1}})
    prices = set(catalog()[1])
    assert prices == set(type(req.licensing).model_fields["prices"].annotation.__args__[0].__args__)


# --- formulas -------------------------------------------------------------------------------

_STRUCTURED = re.compile(r"(tbl\w+)\[(?:\[#This Row\],\[([^\]]+)\]|([^\[\]]+))\]")


def _as_a1(data: bytes) -> bytes:
    """The workbook with its structured references (tblHosts[Cores], tblHosts[[#This Row],[Cores]])
    written as A1 references, which the `formulas` package reads."""
    wb = read(data)
    tables = {}
    for ws in wb:
        for tbl in ws.tables.values():
            header, *rows = ws[tbl.ref]
            tables[tbl.name] = (ws.title, {c.value: c.column_letter for c in header}, rows[0][0].row, rows[-1][0].row)

    def a1(match: re.Match, row: int) -> str:
        sheet, columns, first, last = tables[match[1]]
        letter = columns[match[2] or match[3]]
        return f"'{sheet}'!${letter}{row}" if match[2] else f"'{sheet}'!${letter}${first}:${letter}${last}"

    for ws in wb:
        for line in ws.iter_rows():
            for cell in line:
                if cell.data_type == "f":
                    cell.value = _STRUCTURED.sub(lambda m: a1(m, cell.row), cell.value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _evaluator(tmp_path: Path, data: bytes):
    """A function of edited input cells giving the Summary totals, computed by the `formulas`
    package from the workbook's own formulas."""
    import formulas  # the test extra: always evaluated, never skipped
    path = tmp_path / "bom.xlsx"
    path.write_bytes(_as_a1(data))
    wb = read(data)
    totals = wb["Summary"].tables["tblTotals"].ref
    first, last = int(totals.split(":")[0][1:]) + 1, int(totals.split(":")[1][1:])
    refs = {f"'[bom.xlsx]SUMMARY'!B{r}": wb["Summary"][f"A{r}"].value for r in range(first, last + 1)}
    model = formulas.ExcelModel().loads(str(path)).finish()

    def evaluate(inputs: dict | None = None) -> dict[str, float]:
        solution = model.calculate(inputs=inputs or {}, outputs=list(refs))
        return {label: float(solution[ref].value[0][0]) for ref, label in refs.items()}

    return evaluate


def test_formulas_evaluate_to_the_design_totals_and_follow_edited_prices(tmp_path):
    d = design("poc")
    data = workbook(d)
    evaluate = _evaluator(tmp_path, data)
    want = expected_totals(d)
    got = evaluate()
    assert got == pytest.approx(want)
    wb = read(data)
    hosts, prices = wb["Hosts"].tables["tblHosts"], wb["Licences"].tables["tblPrices"]
    price_col = [c.value for c in wb["Hosts"][hosts.ref][0]].index("Unit price")
    host_cell = wb["Hosts"].cell(row=2, column=price_col + 1).coordinate
    price_row = int(prices.ref.split(":")[0][1:]) + 1  # windows_datacenter_2proc
    assert wb["Licences"][f"A{price_row}"].value == "windows_datacenter_2proc"
    edited = evaluate({f"'[bom.xlsx]HOSTS'!{host_cell}": d.hosts[0].price + 5000,
                                        f"'[bom.xlsx]LICENCES'!D{price_row}": 7000})
    windows = len(d.hosts) * 7000  # one 2-processor licence per host here
    assert edited["Hardware"] == want["Hardware"] + 5000
    assert edited["Windows Server Datacenter"] == windows
    assert edited["Licences"] == want["Licences"] - want["Windows Server Datacenter"] + windows
    assert edited["Total cost"] == want["Total cost"] + 5000 - want["Windows Server Datacenter"] + windows


def test_cached_values_are_what_the_formulas_compute(tmp_path):
    """Previewers that never calculate show each formula's cached value: it is what the formula gives."""
    import formulas
    data = workbook(variant("poc", "2019", {"sql_server": "per-host"}, local=True))
    path = tmp_path / "bom.xlsx"
    path.write_bytes(_as_a1(data))
    cached = read(data, data_only=True)
    cells = {f"'[bom.xlsx]{ws.title.upper()}'!{c.coordinate}": cached[ws.title][c.coordinate].value
             for ws in read(data) for row in ws.iter_rows() for c in row if c.data_type == "f"}
    assert len(cells) >= 90 and None not in cells.values()
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate(outputs=list(cells))
    assert {ref: float(solution[ref].value[0][0]) for ref in cells} == pytest.approx(cells)


def test_amounts_carry_the_requirements_currency():
    data = json.loads(_text("poc"))
    data["requirements"]["cost"] = {"currency": "EUR"}
    wb = read(workbook(Design.model_validate(data)))
    assert {r["Item"]: r["Value"] for r in table(wb, "Summary", "tblDesign")}["Currency"] == "EUR"
    assert wb["Hosts"]["N2"].number_format == '#,##0 "EUR"'
    totals = wb["Summary"].tables["tblTotals"].ref
    last = int(totals.split(":")[1][1:])
    assert wb["Summary"][f"A{last - 2}"].value == "Total cost" and wb["Summary"][f"B{last - 2}"].number_format \
        == '#,##0 "EUR"'
    assert wb["Summary"][f"B{last}"].number_format == '#,##0.00 "EUR"'  # per tenant VM per month
    assert "cost" not in requirements().model_dump(mode="json")  # design.json unchanged when left out
    with pytest.raises(ValueError, match="currency"):
        requirements(cost={"currency": "euro"})


def test_utilisation_chart_per_cluster():
    d = design("medium")
    ws = read(workbook(d))["Summary"]
    (chart,) = ws._charts
    header = _header(ws, "tblClusters")
    refs = [(s.tx.strRef.f, s.cat.strRef.f, s.val.numRef.f) for s in chart.series]
    assert [tuple(r.replace("$", "") for r in ref) for ref in refs] == [
        (f"'Summary'!{col}{header}", f"'Summary'!A{header + 1}:A{header + len(d.clusters)}",
         f"'Summary'!{col}{header + 1}:{col}{header + len(d.clusters)}") for col in ("J", "M")]
    assert ws[f"J{header}"].value == "vCPU utilisation" and ws[f"M{header}"].value == "Memory utilisation"


def _header(ws, name: str) -> int:
    return int(ws.tables[name].ref.split(":")[0][1:])


def test_formulas_per_core_per_host_sql_local_storage(tmp_path):
    d = variant("poc", "2019", {"sql_server": "per-host", "prices": {"sql_enterprise_2core": 10000}}, local=True)
    got = _evaluator(tmp_path, workbook(d))()
    want = expected_totals(d)
    assert got == pytest.approx(want)
    sql_cluster = next(v.cluster for v in d.vms if v.role == "sql")
    models = {m.name: m for m in requirements_of(d).hardware.host_models}
    cores = [models[h.model].sockets * models[h.model].cores_per_socket for h in d.hosts if h.cluster == sql_cluster]
    assert want["SQL Server"] == sum(-(-max(c, 4) // 2) for c in cores) * 10000  # every core of the SQL cluster


# --- determinism, speed, CLI ----------------------------------------------------------------

def test_same_design_same_bytes():
    first, second = workbook(design("small")), workbook(design("small"))
    assert first == second
    assert first != workbook(design("poc"))
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2014-10-15T00:00:00Z" in core


def test_multi_stamp_builds_fast_and_small():
    d = design("multi-stamp")
    start = time.process_time()
    data = workbook(d)
    assert time.process_time() - start < cpu_budget(15)
    assert len(data) < 6_000_000
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet3.xml").decode()
    assert sheet.count("<row ") == len(d.vms) + 1
    assert f'<dimension ref="A1:K{len(d.vms) + 1}"/>' in sheet


runner = CliRunner()


def test_cli_writes_here_or_where_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "design.json"
    path.write_text(_text("small"))
    result = runner.invoke(app, ["bom", str(path)])  # into the current folder (tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fabrikam-small-bom.xlsx").read_bytes() == workbook(design("small"))
    d = design("small")
    assert f"{len(d.hosts)} hosts" in result.output and f"total cost {d.cost['total']:,.0f}" in result.output
    result = runner.invoke(app, ["bom", str(path), "--out", str(tmp_path / "q.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "q.xlsx").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.json", "fabrikam-small-bom.xlsx", "q.xlsx"]


@pytest.mark.parametrize("content, message", [("{", "not valid JSON"), ('{"name": 1}', "not a stampplan design"),
                                              ("[]", "expected a JSON object")])
def test_cli_rejects_what_is_not_a_design(tmp_path, content, message):
    path = tmp_path / "design.json"
    path.write_text(content)
    result = runner.invoke(app, ["bom", str(path)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["bom", str(tmp_path / "missing.json")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_cli_unwritable_target(tmp_path):
    path = tmp_path / "design.json"
    path.write_text(_text("poc"))
    (tmp_path / "taken").mkdir()
    result = runner.invoke(app, ["bom", str(path), "--out", str(tmp_path / "taken")])
    assert result.exit_code == 2 and "not a regular file" in result.output
    assert "Traceback" not in result.output and sorted(os.listdir(tmp_path)) == ["design.json", "taken"]


@pytest.mark.parametrize("name", ["poc", "small", "medium"])
def test_workbook_from_design_json_is_the_committed_one(name):
    """`stampplan bom design.json` writes the bytes `plan` wrote: numbers do not depend on whether the design
    was planned in memory or read back from design.json."""
    assert workbook(design(name)) == (ROOT / "outputs" / name / "bom.xlsx").read_bytes()


def test_utilisation_chart_caches_its_values_for_previewers():
    """Previewers draw a chart from its cache: the cluster names, the series titles and every bar's value."""
    data = workbook(design("medium"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (name,) = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        xml = archive.read(name).decode()
    rows = table(read(data, data_only=True), "Summary", "tblClusters")
    caches = re.findall(r"<(?:c:)?(num|str)Cache>(.*?)</(?:c:)?\1Cache>", xml, re.S)
    values = [[float(v) if kind == "num" else v for v in re.findall(r"<(?:c:)?v>(.*?)</(?:c:)?v>", body)]
              for kind, body in caches]
    names = [r["Cluster"] for r in rows]
    assert values == [["vCPU utilisation"], names, pytest.approx([r["vCPU utilisation"] for r in rows]),
                      ["Memory utilisation"], names, pytest.approx([r["Memory utilisation"] for r in rows])]
