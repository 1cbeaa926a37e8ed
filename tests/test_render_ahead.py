"""The renderer process forked before the solve (issue 18): same bytes as rendering in-process, errors
and warnings reach the parent, and the child never outlives the command or its parent."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import planner.render.diagram
import planner.render.workbook
from planner.design_file import load_design
from planner.errors import MissingProgram
from planner.render import render_all
from planner.render_ahead import RenderAhead

from conftest import ROOT

POC = ROOT / "outputs" / "poc" / "design.json"


def forks() -> bool:
    """The child is forked only when no other thread runs (an earlier test may have left one)."""
    return threading.active_count() == 1


def gone(pid: int) -> bool:
    """The process has ended (reaped, or a zombie left to a parent that does not reap)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_the_child_renders_the_same_bytes():
    design = load_design(POC)
    with RenderAhead() as ahead:
        assert (ahead.pid is not None) == forks()
        ahead.send(design)
        warnings = []
        files = ahead.files(warnings.append)
    assert files == render_all(design, warnings.append) and not warnings
    assert sorted(files) == sorted(p.relative_to(POC.parent).as_posix() for p in POC.parent.rglob("*")
                                   if p.is_file() and p.name != "design.json")


def test_plan_in_a_process_of_its_own_writes_what_rendering_in_process_gives(tmp_path):
    """`plan` forks where no other thread runs (a pytest-xdist worker has one: there `plan` renders in-process);
    its forked renderers leave nothing in the temporary folder (they end with os._exit: no atexit clean-up)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "plan",
                           str(ROOT / "profiles" / "poc.yaml"), "--out", str(tmp_path / "poc"), "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TMPDIR": str(temp), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    assert not list(temp.iterdir())
    written = {p.relative_to(tmp_path / "poc").as_posix(): p.read_bytes() for p in (tmp_path / "poc").rglob("*")
               if p.is_file() and p.name != "design.json"}
    assert written == render_all(load_design(tmp_path / "poc" / "design.json"), print)


def test_a_renderer_error_in_the_child_is_raised_in_the_parent(monkeypatch):
    def broken(_design):
        raise KeyError("COMP09")

    monkeypatch.setattr(planner.render.workbook, "artifacts", broken)
    with RenderAhead() as ahead:
        ahead.send(load_design(POC))
        with pytest.raises(KeyError, match="COMP09"):
            ahead.files(print)


def test_a_missing_program_is_a_warning_from_the_child(monkeypatch):
    def no_dot(_design):
        raise MissingProgram("Graphviz `dot` is not installed")

    monkeypatch.setattr(planner.render.diagram, "artifacts", no_dot)
    warnings = []
    with RenderAhead() as ahead:
        ahead.send(load_design(POC))
        files = ahead.files(warnings.append)
    assert warnings == ["Graphviz `dot` is not installed"]
    assert "bom.xlsx" in files and not any(name.startswith("diagrams/") for name in files)


def test_when_the_child_is_gone_the_parent_renders():
    design = load_design(POC)
    with RenderAhead() as ahead:
        if ahead.pid is not None:
            os.kill(ahead.pid, signal.SIGKILL)
        ahead.send(design)
        files = ahead.files(print)
    assert files == render_all(design, print)


def test_with_another_thread_running_it_renders_in_process():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with RenderAhead() as ahead:
            assert ahead.pid is None
            ahead.send(load_design(POC))
            assert "report.html" in ahead.files(print)
    finally:
        stop.set()
        other.join()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child dies with its parent on Linux")
def test_the_child_ends_when_closed_and_when_its_parent_is_killed():
    if forks():
        ahead = RenderAhead()
        pid = ahead.pid
        ahead.close()
        assert gone(pid)
    code = ("import os, sys, time; from planner.render_ahead import RenderAhead; a = RenderAhead(); "
            "print(a.pid, flush=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        assert not gone(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while not gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(child)
    finally:
        if not gone(child):
            os.kill(child, signal.SIGKILL)


def _in_fresh_process(code: str) -> str:
    """Run `code` in a Python of its own (one thread, so it forks; a pytest-xdist worker runs two)."""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_render_all_draws_the_diagrams_and_report_in_a_process_of_their_own():
    """Where it can fork, the APART renderers (the diagrams, then the report) run in a child: their Python on
    another core."""
    code = f"""
import os
import planner.render.checklist, planner.render.diagram, planner.render.report, planner.render.workbook
from planner.design_file import load_design
from planner.render import render_all
for name in ("checklist", "diagram", "report", "workbook"):
    getattr(planner.render, name).artifacts = lambda design, name=name: {{name: str(os.getpid()).encode()}}
files = render_all(load_design({str(POC)!r}), print)
me = str(os.getpid()).encode()
print(files["workbook"] == files["checklist"] == me != files["diagram"] == files["report"], list(files))
"""
    assert _in_fresh_process(code) == "True ['workbook', 'checklist', 'diagram', 'report']"


def test_the_report_lays_out_the_figures_of_the_diagram_pages():
    """The report's figures are the diagram pages' layouts (diagram.figures: reused after the diagrams, else laid
    out at once)."""
    from planner.render.diagram import dot

    design = load_design(POC)
    dot._RECENT.clear()
    svgs = planner.render.diagram.figures(design)
    dot._RECENT.clear()
    one_by_one = {view: dot.render(planner.render.diagram.figure_source(design, view), ("svg",))["svg"]
                  for view in planner.render.diagram.VIEWS}
    assert svgs == one_by_one and list(svgs) == ["physical", "logical", "network"]


def test_errors_and_warnings_of_the_forked_renderers_reach_the_caller_in_order():
    code = f"""
import planner.render.diagram, planner.render.workbook
from planner.design_file import load_design
from planner.errors import MissingProgram
from planner.render import render_all
def no_dot(design):
    raise MissingProgram("no dot")
def broken(design):
    raise KeyError("COMP09")
planner.render.diagram.artifacts = no_dot
design, said = load_design({str(POC)!r}), []
files = render_all(design, said.append)
print(said, "report.html" in files, any(name.startswith("diagrams/") for name in files))
planner.render.diagram.artifacts = broken
try:
    render_all(design, said.append)
except KeyError as error:
    print("raised", error)
"""
    assert _in_fresh_process(code).splitlines() == ["['no dot'] True False", "raised 'COMP09'"]


_PROCESSES = """
import glob, os, signal, time
from planner.design_file import load_design
from planner.render import render_all
from planner.render_ahead import RenderAhead

def children(pid):
    return [int(p) for f in glob.glob(f'/proc/{pid}/task/*/children') for p in open(f).read().split()]

def cpu(pid):  # clock ticks (10 ms) of the process and of the children it reaped (its `dot` runs)
    return sum(map(int, open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[11:15]))

def waited(test):
    deadline = time.monotonic() + 60
    while not test() and time.monotonic() < deadline:
        time.sleep(0.01)
    return test()

design = load_design(POC)  # 19 KB: a pipe takes it whole, read or not
ahead = RenderAhead()
assert waited(lambda: children(ahead.pid))
(apart,) = children(ahead.pid)
"""


def test_the_diagrams_process_takes_the_design_from_the_parent_while_the_child_is_busy():
    """The child forks the APART renderers' process before its design comes; the parent sends the design to that
    process first and directly, so it draws even while the child (here: stopped) still imports the workbook."""
    code = _PROCESSES + """
time.sleep(0.5)
os.kill(ahead.pid, signal.SIGSTOP)
before = cpu(apart)
ahead.send(design)
print(waited(lambda: cpu(apart) > before + 20))  # 0.2 CPU s of drawing
os.kill(ahead.pid, signal.SIGCONT)
print(ahead.files(print) == render_all(design, print))
"""
    assert _in_fresh_process(code.replace("POC", repr(str(POC)))).splitlines() == ["True", "True"]


def test_when_the_diagrams_process_is_gone_the_child_draws_them():
    code = _PROCESSES + """
os.kill(apart, signal.SIGKILL)
ahead.send(design)
print(ahead.files(print) == render_all(design, print))
"""
    assert _in_fresh_process(code.replace("POC", repr(str(POC)))) == "True"


def test_the_render_processes_import_what_they_need_before_the_design_comes():
    """The child imports every renderer, and the APART process diagrams.pdf's pypdf (0.15 s), while the parent plans;
    the child itself never needs pypdf."""
    code = """
import io, os, sys
from planner.render_ahead import _render_apart, _render_sent

down, up = os.pipe()
os.close(up)
try:
    _render_sent(io.BytesIO(b""), *os.pipe())  # no design: fails after the imports
except EOFError:
    pass
print("pypdf" in sys.modules, all(name in sys.modules for name in ("planner.render.report", "planner.render.workbook")))
try:
    _render_apart(down)
except EOFError:
    pass
print("pypdf" in sys.modules)
"""
    assert _in_fresh_process(code).splitlines() == ["False True", "True"]


def test_a_forked_child_leaves_what_it_inherits_out_of_its_collections():
    """gc.freeze before the fork (Python's advice for fork without exec); the parent's objects thawed after."""
    code = """
import gc
from planner.forked import Forked
with Forked(lambda _inbox: gc.get_freeze_count()) as child:
    thawed = gc.get_freeze_count() == 0
    done, frozen = child.result()
print(thawed, done, frozen > 1000)
"""
    assert _in_fresh_process(code) == "True True True"
