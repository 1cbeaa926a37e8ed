"""Renderings depend only on what bin/setup installs: the theme's font whatever fontconfig prefers,
PDF bytes in any time zone, and `check` names the machine dependency that differs on drift."""
from __future__ import annotations

import shutil

import pytest

from planner.check import check_profile
from planner.render import machine
from planner.render.diagram import dot as diagram_dot
from planner.settings import SolverSettings

from conftest import ROOT

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
SOURCE = 'digraph { node [fontname="Helvetica,Arial,sans-serif"]; a [label=<<B>Bold</B> text>]; a -> b }'


def drawn(fmt: str) -> bytes:
    diagram_dot._RECENT.clear()
    return diagram_dot.render(SOURCE, (fmt,))[fmt]


@needs_dot
def test_pdf_bytes_do_not_depend_on_the_time_zone(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    utc = drawn("pdf")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert drawn("pdf") == utc and b"/CreationDate (D:20000101000000Z)" in utc


@needs_dot
def test_the_theme_font_is_drawn_whatever_fontconfig_prefers(monkeypatch, tmp_path):
    """A machine whose fontconfig maps Helvetica to another font (as fonts-urw-base35 does) draws the same."""
    reference = drawn("svg")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                    '<match target="pattern"><test name="family" qual="any"><string>Helvetica</string></test>'
                    '<edit name="family" mode="prepend_first" binding="strong"><string>DejaVu Sans</string></edit>'
                    '</match></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    assert drawn("svg") == reference


@needs_dot
def test_this_machine_renders_as_the_committed_outputs_machine():
    assert machine.differences() == []


def test_differences_name_what_differs(monkeypatch):
    monkeypatch.setattr(machine, "probe", lambda: ("9.0.0", machine.REFERENCE_FONT))
    assert machine.differences() == [f"dot 9.0.0 (committed outputs: {machine.REFERENCE_DOT})"]
    monkeypatch.setattr(machine, "probe", lambda: None)
    assert machine.differences() == []


def test_check_names_the_machine_dependency_when_renderings_drift(monkeypatch, tmp_path):
    monkeypatch.setattr(machine, "probe", lambda: (machine.REFERENCE_DOT, "/fonts/DejaVuSans.ttf"))
    outputs = tmp_path / "outputs"
    shutil.copytree(ROOT / "outputs" / "poc", outputs / "poc")
    settings = SolverSettings(time_limit=30, workers=2)
    assert check_profile(ROOT / "profiles" / "poc.yaml", outputs, settings, False, print).details == []

    svg = outputs / "poc" / "diagrams" / "physical.svg"
    svg.write_text(svg.read_text().replace('width="', 'width="1', 1))
    details = check_profile(ROOT / "profiles" / "poc.yaml", outputs, settings, False, print).details
    assert details[0].startswith("machine: font /fonts/DejaVuSans.ttf (committed outputs: ")
    assert "bin/setup" in details[0] and details[1].startswith("diagrams/physical.svg: differs")
