"""Issue 12: user text never becomes terminal markup or escape sequences, crafted design.json files end
in a clear exit code (never a traceback or a hang), and data never becomes a live spreadsheet formula."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    for path in ("/dev/zero", fifo, tmp_path):
        proc = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "validate", str(path)],
                              capture_output=True, text=True, timeout=20, cwd=ROOT)
        assert proc.returncode == 2 and "not a regular file" in proc.stderr, (path, proc.stderr)


def test_design_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    import planner.cli

    monkeypatch.setattr(planner.cli, "MAX_DESIGN_BYTES", 1000)
    result = run("validate", POC)
    assert result.exit_code == 2 and "too large" in result.output and "limit 1,000" in result.output
