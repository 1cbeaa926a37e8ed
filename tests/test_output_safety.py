"""Issue 12: user text never becomes terminal markup or escape sequences, crafted design.json files end
in a clear exit code (never a traceback or a hang), and data never becomes a live spreadsheet formula."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

from conftest import ROOT

POC = ROOT / "outputs" / "poc" / "design.json"


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def poc() -> dict:
    return json.loads(POC.read_text())


# ---------------------------------------------------------- finding 1: markup and escapes ----

def test_markup_in_a_path_is_printed_literally(tmp_path):
    result = run("validate", tmp_path / "a[/x]" / "design.json")
    assert result.exit_code == 2 and "a[/x]" in result.output and "no such file" in result.output


def test_markup_in_a_failed_host_is_printed_literally():
    result = run("whatif", POC, "--fail", "H[/x],[bold]B")
    assert result.exit_code == 2 and "H[/x]" in result.output


def test_escape_sequences_are_stripped_from_messages():
    result = run("whatif", POC, "--fail", "H\x1b[31mRED\x1b]0;title\x07\x9b2J\r\x00")
    assert result.exit_code == 2 and "HRED" in result.output
    assert not any(c in result.output for c in "\x1b\x07\x9b\r\x00")


def test_internal_error_text_is_printed_literally(monkeypatch):
    import planner.whatif

    def boom(*_):
        raise KeyError("k[/x]\x1b[2J")

    monkeypatch.setattr(planner.whatif, "what_if", boom)
    result = run("whatif", POC)
    assert result.exit_code == 1 and "internal error" in result.output and "k[/x]" in result.output
    assert "\x1b" not in result.output


def test_tables_print_names_literally(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("[red]d[/x]").mkdir(parents=True)
    data = poc()
    Path("[red]d[/x]/old.json").write_text(json.dumps(data))
    data["hosts"].pop()
    Path("new.json").write_text(json.dumps(data))
    result = run("diff", "[red]d[/x]/old.json", "new.json")
    assert result.exit_code == 1 and "[red]d[/x]/old.json" in result.output


# ------------------------------------------------- finding 2: what a design.json reader accepts ----

def test_deeply_nested_design_exits_2(tmp_path):
    for depth in (3000, 200):
        path = tmp_path / f"deep{depth}.json"
        path.write_text('{"a": ' + "[" * depth + "]" * depth + "}")
        for command in ("validate", "whatif", "bom"):
            result = run(command, path)
            assert result.exit_code == 2 and "nested too deeply" in result.output, (command, result.output)


def test_device_and_fifo_are_refused_at_once(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path, says in (("/dev/zero", "not a regular file"), (fifo, "not a regular file"), (tmp_path, "a directory")):
        proc = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "validate", str(path)],
                              capture_output=True, text=True, timeout=20, cwd=ROOT)
        assert proc.returncode == 2 and says in proc.stderr, (path, proc.stderr)


def test_design_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    import planner.design_file

    monkeypatch.setattr(planner.design_file, "MAX_DESIGN_BYTES", 1000)
    result = run("validate", POC)
    assert result.exit_code == 2 and "too large" in result.output and "limit 1,000" in result.output


# ------------------------------------------------------ finding 3: validate's time and output ----

def crafted(hosts: int, k: int, vcpu: float = 90) -> dict:
    """One N+k cluster, no failover plans, one VM per host: every scenario is searched and fails."""
    return {"format": "stampplan.design/1", "stamps": [{"name": "S", "vmm_vms": []}],
            "clusters": [{"name": "C", "stamp": "S", "failures_tolerated": k, "shared_storage_gb": 1}],
            "hosts": [{"name": f"H{i:02d}", "cluster": "C", "fault_domain": "r1", "vcpu_capacity": 100,
                       "usable_memory_gb": 100} for i in range(hosts)],
            "vms": [{"name": f"V{i:02d}", "host": f"H{i:02d}", "vcpu": vcpu, "memory_gb": 10, "storage_gb": 0}
                    for i in range(hosts)]}


def test_validate_output_is_bounded(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(crafted(12, 2)))  # 66 scenarios, each a violation
    result = run("validate", path)
    assert result.exit_code == 1 and result.output.count("violation failover") == 20
    assert "... and 46 more violation(s)" in result.output and "NOT SOUND: 66 failure scenarios" in result.output


def test_validate_search_is_bounded(tmp_path, monkeypatch):
    import planner.validate

    monkeypatch.setattr(planner.validate, "MAX_SEARCHED", 100)
    verdict = planner.validate.validate_design(crafted(30, 4))  # 27 405 scenarios
    assert verdict.scenarios == 100 and len(verdict.violations) == 100
    assert "27,305 failure scenario(s) without a failover plan were not examined" in verdict.undecided[0].message


def test_validate_search_nodes_are_bounded(monkeypatch):
    import planner.validate

    monkeypatch.setattr(planner.validate, "SEARCH_NODES", 1000)
    design = crafted(11, 1)
    design["vms"] = [{"name": f"V{i:02d}", "host": "H00", "vcpu": 9 + i / 100, "memory_gb": 1, "storage_gb": 0}
                     for i in range(11)]  # H00's 11 VMs do not fit the other 10 hosts, one each: a long search
    for i, h in enumerate(design["hosts"][1:]):
        h["vcpu_capacity"] = 10 + i / 1000
    design["hosts"][0]["vcpu_capacity"] = 200
    verdict = planner.validate.validate_design(design)
    assert not verdict.violations and len(verdict.undecided) == 2
    assert "gave up after 1000 search nodes" in verdict.undecided[0].message
    assert "10 failure scenario(s) without a failover plan were not examined" in verdict.undecided[1].message


def test_undecided_design_exits_1_saying_so(tmp_path, monkeypatch):
    import planner.validate

    monkeypatch.setattr(planner.validate, "MAX_SEARCHED", 0)
    path = tmp_path / "d.json"
    path.write_text(json.dumps(crafted(5, 1, vcpu=10)))
    result = run("validate", path)
    assert result.exit_code == 1 and "UNDECIDED: 0 failure scenarios" in result.output
    assert "could not prove every failure scenario" in result.output.replace("\n", " ")


# ------------------------------------------------------------------- finding 4: running dot ----

def fake_dot(tmp_path, monkeypatch, body: str) -> Path:
    """Put a `dot` on PATH that runs `body` (a shell script); returns the folder it reports into."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "dot").write_text(f"#!/bin/sh\n{body}\n")
    (folder / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    from planner.render.diagram import dot

    monkeypatch.setattr(dot, "_RECENT", {})  # no drawing kept from an earlier test
    return folder


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")  # a zombie is dead
    except FileNotFoundError:
        return True


def wait_gone(pid: int) -> bool:
    for _ in range(50):
        if gone(pid):
            return True
        time.sleep(0.05)
    return False


HANG = 'sleep 60 & echo $! > "$(dirname "$0")/child"; wait'


def test_a_hung_dot_is_killed_with_its_children_at_the_timeout(tmp_path, monkeypatch):
    from planner.errors import InputError
    from planner.render.diagram import dot as diagram_dot

    folder = fake_dot(tmp_path, monkeypatch, HANG)
    monkeypatch.setattr(diagram_dot, "DOT_TIMEOUT", 0.5)
    start = time.monotonic()
    with pytest.raises(InputError, match="took longer than 0.5 s"):
        diagram_dot._run("digraph { a }", ("svg",), None)
    assert time.monotonic() - start < 5 and wait_gone(int((folder / "child").read_text()))


def test_ctrl_c_kills_a_hung_dot(tmp_path, monkeypatch):
    from planner.render.diagram import dot as diagram_dot

    folder = fake_dot(tmp_path, monkeypatch, HANG)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        diagram_dot._run("digraph { a }", ("svg",), None)
    assert wait_gone(int((folder / "child").read_text()))


def test_no_room_for_dot_files_exits_2(tmp_path, monkeypatch):
    import tempfile

    from planner.render.diagram import dot

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    monkeypatch.setattr(dot, "_RECENT", {})  # no drawing kept from an earlier test
    result = run("diagram", POC, "--out", tmp_path / "p.svg")
    assert result.exit_code == 2 and "missing" in result.output and "No such file" in result.output


def test_a_failing_dot_exits_2(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, 'echo "Error: out of disk" >&2; exit 1')
    result = run("diagram", POC, "--out", tmp_path / "p.svg")
    assert result.exit_code == 2 and "out of disk" in result.output


# ------------------------------------------------------- finding 5: formulas from data ----

EVIL = {"COMP01-H01": "=HYPERLINK(x)", "T0001-VM01": "=cmd|' /C calc'!A0", "SQLINST01": "+SUM(1)",
        "MGMT01": "@MGMT", "STAMP01": "-2+3"}
LEADS = ("=", "+", "-", "@", "\t", "\r")


def crafted_poc(tmp_path) -> Path:
    """The POC design with names a spreadsheet would run as formulas (consistent everywhere)."""
    text = POC.read_text()
    for old, new in EVIL.items():
        text = text.replace(f'"{old}"', json.dumps(new))
    data = json.loads(text)
    data["assumptions"][0]["source"] = "\t=1+1"
    path = tmp_path / "design.json"
    path.write_text(json.dumps(data))
    return path


def test_bom_never_writes_data_as_a_formula(tmp_path):
    import openpyxl

    assert run("bom", crafted_poc(tmp_path), "--out", tmp_path / "bom.xlsx").exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "bom.xlsx")
    reference = openpyxl.load_workbook(ROOT / "outputs" / "poc" / "bom.xlsx")

    def formulas(wb):
        return [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]

    assert len(formulas(book)) == len(formulas(reference))
    assert not [f for f in formulas(book) if "HYPERLINK" in f or "cmd" in f or "SUM(1)" in f]
    text = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=cmd|' /C calc'!A0" in text and "'+SUM(1)" in text
    assert not [t for t in text if t.startswith(LEADS) and c_is_data(t)]


def c_is_data(text: str) -> bool:
    return any(name in text for name in EVIL.values()) or "=1+1" in text


def test_checklist_csv_cells_never_start_like_a_formula(tmp_path):
    import csv

    assert run("checklist", crafted_poc(tmp_path), "--out", tmp_path).exit_code == 0
    with open(tmp_path / "checklist.csv", newline="", encoding="utf-8") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert not [c for c in cells if c.startswith(LEADS)]
    assert any(c.startswith("'") for c in cells)


def test_validate_refuses_names_the_requirements_would_refuse(tmp_path):
    result = run("validate", crafted_poc(tmp_path))
    assert result.exit_code == 1 and "NOT SOUND" in result.output
    assert "hosts[1] has missing or invalid name" in result.output
    assert "vms[5] has missing or invalid name" in result.output
