"""The diagrams: every host and role drawn, no overlapping boxes, 16:9 slides, stable bytes, every format."""
from __future__ import annotations

import itertools
import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from planner.catalog import load_catalog, role_label
from planner.cli import app
from planner.errors import MissingProgram
from planner.model.design import Design
from planner.render import diagram, render_all
from planner.render.diagram import dot as diagram_dot
from planner.render.theme import NETWORKS

from conftest import PROFILES, ROOT

pytestmark = pytest.mark.skipif(diagram_dot.shutil.which("dot") is None, reason="Graphviz dot is not installed")
CASES = [(p, v) for p in PROFILES for v in diagram.VIEWS]
MIN_SLIDE_FONT = 5.5  # points on a 13.33 x 7.5 in slide: 11 px on a 1080p screen


@pytest.fixture(scope="session")
def design():
    """profile -> its committed Design (read, not planned: fast)."""
    cache: dict[str, Design] = {}

    def get(name: str) -> Design:
        if name not in cache:
            text = (ROOT / "outputs" / name / "design.json").read_text(encoding="utf-8")
            cache[name] = Design.model_validate(json.loads(text))
        return cache[name]

    return get


@pytest.fixture(scope="session")
def drawn(design):
    """(profile, view) -> every format of the page drawing plus `dot -Tjson`, from one layout."""
    cache: dict[tuple[str, str], dict[str, bytes]] = {}

    def get(name: str, view: str) -> dict[str, bytes]:
        if (name, view) not in cache:
            source = diagram.source(design(name), view)
            cache[(name, view)] = diagram_dot.render(source, (*diagram_dot.FORMATS, "json"))
        return cache[(name, view)]

    return get


def layout(data: bytes) -> dict:
    return json.loads(data)


def label_ids(label: str) -> set[str]:
    """ID attributes of an HTML-like label, parsed as XML."""
    if not label.startswith("<"):
        return set()
    return {el.attrib["ID"] for el in ET.fromstring(label).iter() if "ID" in el.attrib}


def drawn_ids(graph: dict) -> set[str]:
    """Node names and the IDs inside their labels."""
    ids = set()
    for obj in graph.get("objects", []):
        if "nodes" not in obj and "subgraphs" not in obj:
            ids.add(obj["name"])
            ids |= label_ids(obj.get("label", ""))
    return ids


def legend_text(graph: dict) -> str:
    return "".join(ET.fromstring(graph["label"]).itertext())


@pytest.mark.parametrize("name,view", CASES)
def test_every_host_and_management_role_is_drawn(drawn, design, name, view):
    d = design(name)
    graph = layout(drawn(name, view)["json"])
    ids = drawn_ids(graph)
    assert {f"host:{h.name}" for h in d.hosts} <= ids
    managed = [vm for vm in d.vms if not vm.is_tenant]
    if view == "logical":
        stamp_of = {c.name: c.stamp for c in d.clusters}
        assert {f"{stamp_of[vm.cluster]}/{vm.role}" for vm in managed} <= ids
    else:
        assert {f"vm:{vm.name}" for vm in managed} <= ids
    legend = legend_text(graph)
    for role in {vm.role for vm in managed}:
        assert role_label(role) in legend, role
    if view == "physical":
        assert {h.name for h in d.hosts} <= ids  # every host is a box of its own


def boxes(graph: dict) -> tuple[list, list]:
    """(node boxes, subgraph boxes) as (name, x0, y0, x1, y1) in points."""
    nodes, frames = [], []
    for obj in graph.get("objects", []):
        if "bb" in obj:
            x0, y0, x1, y1 = map(float, obj["bb"].split(","))
            frames.append((obj["name"], x0, y0, x1, y1))
        elif "pos" in obj:
            x, y = map(float, obj["pos"].split(","))
            w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
            nodes.append((obj["name"], x - w, y - h, x + w, y + h))
    return nodes, frames


def overlap(a, b, slack: float = 0.5) -> bool:
    return a[1] < b[3] - slack and b[1] < a[3] - slack and a[2] < b[4] - slack and b[2] < a[4] - slack


def inside(a, b, slack: float = 0.5) -> bool:
    return a[1] >= b[1] - slack and a[2] >= b[2] - slack and a[3] <= b[3] + slack and a[4] <= b[4] + slack


@pytest.mark.parametrize("name,view", CASES)
def test_no_boxes_overlap(drawn, name, view):
    nodes, frames = boxes(layout(drawn(name, view)["json"]))
    assert nodes
    clashes = [(a[0], b[0]) for a, b in itertools.combinations(nodes, 2) if overlap(a, b)]
    assert not clashes, clashes[:5]
    for a, b in itertools.combinations(frames, 2):  # frames nest or stay apart
        assert not overlap(a, b) or inside(a, b) or inside(b, a), (a[0], b[0])
    for node in nodes:  # a box is wholly inside a frame or wholly outside it
        for frame in frames:
            assert not overlap(node, frame) or inside(node, frame), (node[0], frame[0])


@pytest.mark.parametrize("name,view", CASES)
def test_every_profile_renders_in_every_format(drawn, name, view):
    out = drawn(name, view)
    assert out["dot"].startswith(b"digraph stampplan {")
    assert out["svg"].startswith(b"<?xml") and b"<svg" in out["svg"] and b"Generated by graphviz" not in out["svg"]
    assert out["png"].startswith(b"\x89PNG\r\n\x1a\n") and len(out["png"]) > 10_000
    assert out["pdf"].startswith(b"%PDF-") and b"/CreationDate (D:20000101000000" in out["pdf"]


def test_artifacts_are_every_view_in_every_format_under_diagrams(design):
    files = diagram.artifacts(design("poc"))
    assert sorted(files) == sorted([diagram.BOOK, *(f"diagrams/{v}.{f}" for v in diagram.VIEWS
                                                    for f in ("dot", "svg", "png", "pdf"))])


def test_the_views_are_laid_out_at_once(design, monkeypatch):
    """One `dot` per view, all running together: run one after another they were the longest part of
    rendering a small plan (issue 18). Each fake run waits until all three have started: the layouts that
    `pages` measures (kept for the report's SVGs), then the pages."""
    import threading

    together = threading.Barrier(len(diagram.VIEWS), timeout=10)
    runs = []

    def run(source, formats, dpi):
        if not formats:  # kept from an earlier run: no `dot`
            return {}
        together.wait()
        runs.append(formats)
        return {fmt: b"graph 1 8 6\n" if fmt == "plain" else b"" for fmt in formats}

    monkeypatch.setattr(diagram_dot, "_run", run)
    monkeypatch.setattr(diagram, "book", lambda pdfs: b"")  # the fake drawings are no PDFs
    diagram_dot._RECENT.clear()
    files = diagram.artifacts(design("small"))
    assert len(files) == 4 * len(diagram.VIEWS) + 1
    assert runs == [("plain", "svg")] * 3 + [("svg", "png", "pdf")] * 3  # no view laid out twice
    diagram_dot._RECENT.clear()


@pytest.mark.parametrize("name,view", CASES)
def test_slide_is_16_9_with_readable_fonts(design, name, view):
    svg = diagram.draw(design(name), view, "svg", slide=True).decode()
    width, height = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    assert width == pytest.approx(960, abs=2)
    scale = float(re.search(r'transform="scale\(([\d.]+)', svg).group(1))
    smallest = min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg))
    assert smallest * scale >= MIN_SLIDE_FONT, f"{smallest} pt scaled by {scale}"


@pytest.mark.parametrize("name", ["small", "medium"])
def test_dot_lays_out_without_warnings(design, name):
    for view in diagram.VIEWS:
        for slide in (False, True):
            source = diagram.source(design(name), view, slide=slide)
            done = subprocess.run(["dot", "-Tsvg", "-o", "/dev/null"], input=source, capture_output=True, text=True)
            assert done.returncode == 0 and not done.stderr.strip(), (view, slide, done.stderr[:500])


def test_slide_png_is_full_hd(design):
    png = diagram.draw(design("medium"), "physical", "png", slide=True)
    assert png[16:24] == (1920).to_bytes(4, "big") + (1080).to_bytes(4, "big")


def test_dot_and_svg_bytes_are_stable(design):
    for view in diagram.VIEWS:
        fresh = Design.model_validate(json.loads(design("medium").to_json()))
        first, second = diagram.source(design("medium"), view), diagram.source(fresh, view)
        assert first == second
        svgs = [diagram_dot._run(first, ("svg",), None)["svg"] for _ in range(2)]
        assert svgs[0] == svgs[1]


def test_dark_theme_and_role_colours(design):
    dark = diagram.source(design("small"), "logical", theme="dark")
    light = diagram.source(design("small"), "logical")
    assert 'bgcolor="#0F172A"' in dark and 'bgcolor="#FFFFFF"' in light
    looks = load_catalog().looks()
    for look in looks.values():  # one colour per role, the same in every view and theme
        assert (look.colour in dark) == (look.colour in light)
    colours = [look.colour for look in looks.values()] + [c for _, c in NETWORKS.values()]
    assert len(colours) == len(set(colours))


def test_unknown_choices_are_input_errors(design):
    with pytest.raises(Exception, match="choose one of physical, logical, network"):
        diagram.draw(design("poc"), "rack", "svg")
    with pytest.raises(Exception, match="choose one of dot, svg, png, pdf"):
        diagram.draw(design("poc"), "physical", "jpeg")


@pytest.fixture
def no_dot(monkeypatch):
    monkeypatch.setattr(diagram_dot.shutil, "which", lambda name: None)
    monkeypatch.setattr(diagram_dot, "_RECENT", {})


def test_without_dot_plan_skips_diagrams_with_a_note_but_writes_the_report(design, no_dot):
    with pytest.raises(MissingProgram, match="apt-get install graphviz"):
        diagram.draw(design("poc"), "physical", "png")
    notes: list[str] = []
    files = render_all(design("poc"), notes.append)
    assert not any(name.startswith("diagrams/") for name in files)
    assert "report.html" in files and b"Diagrams need Graphviz" in files["report.html"]
    assert len(notes) == 1 and "\n" not in notes[0] and "apt-get install graphviz" in notes[0]


runner = CliRunner()


def test_cli_draws_one_view(tmp_path):
    out = tmp_path / "net.png"
    result = runner.invoke(app, ["diagram", str(ROOT / "outputs/small/design.json"), "--view", "network",
                                 "--format", "png", "--theme", "dark", "--slide", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")


def test_cli_exits_2_without_dot_or_with_a_bad_design(tmp_path, no_dot):
    result = runner.invoke(app, ["diagram", str(ROOT / "outputs/poc/design.json"), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "apt-get install graphviz" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "stampplan.design/1"}')
    result = runner.invoke(app, ["diagram", str(bad)])
    assert result.exit_code == 2 and "not a stampplan design" in result.output
    assert "Traceback" not in result.output


def five_stamps() -> Design:
    """The multi-stamp design grown to five stamps (the most one SPF serves): STAMP03 and all it holds,
    copied as STAMP04 and STAMP05 with their own names, its compute clusters numbered on (fast: no solve)."""
    data = json.loads((ROOT / "outputs/multi-stamp/design.json").read_text(encoding="utf-8"))
    compute = [c["name"] for c in data["clusters"] if c["purpose"] == "compute"]
    copied = [c["name"] for c in data["clusters"] if c["purpose"] == "compute" and c["stamp"] == "STAMP03"]
    for stamp in (4, 5):
        first = len(compute) + (stamp - 4) * len(copied) + 1
        names = {"STAMP03": f"STAMP0{stamp}", "S03": f"S0{stamp}", "MGMT03": f"MGMT0{stamp}",
                 "EDGE03": f"EDGE0{stamp}", **{c: f"COMP{first + i:02}" for i, c in enumerate(copied)}}
        pattern = re.compile("|".join(names))
        for key in ("stamps", "clusters", "hosts", "anti_affinity_groups", "vms", "failover_plans",
                    "sql_instances", "load_balancers"):
            items = [json.dumps(item) for item in data[key]]
            data[key] += [json.loads(pattern.sub(lambda m: names[m.group()], text))
                          for text in items if pattern.search(text) and '"STAMP0' not in text.replace("STAMP03", "")]
    return Design.model_validate(data)


def test_five_stamps_fit_readable_slides():
    design = five_stamps()
    assert len(design.stamps) == 5 and len(design.hosts) > 200
    for view in diagram.VIEWS:
        svg = diagram.draw(design, view, "svg", slide=True).decode()
        scale = float(re.search(r'transform="scale\(([\d.]+)', svg).group(1))
        smallest = min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg))
        assert smallest * scale >= MIN_SLIDE_FONT, (view, f"{smallest} pt scaled by {scale}")
        assert "MGMT04" in svg and "MGMT05" in svg, view
    assert len({c.name for c in design.clusters}) == len(design.clusters)


def test_dot_runs_start_with_the_largest_drawing_and_give_results_in_order(monkeypatch):
    """The longest `dot` runs start first (one left to the end ran alone), each result in its source's place."""
    dot = diagram_dot
    started = []

    def fake(source, formats, dpi):
        started.append(source)
        return {fmt: source.encode() for fmt in formats}

    monkeypatch.setattr(dot, "_run", fake)
    monkeypatch.setattr(dot, "PARALLEL_DOT", 1)
    sources = ["graph { a }", "graph { a b c d e }", "graph { a b }", "graph { a b c }"]
    drawn = dot.render_each(sources, ("svg",))
    assert started == ["graph { a b c d e }", "graph { a b c }", "graph { a b }", "graph { a }"]
    assert [d["svg"].decode() for d in drawn] == sources
    for source in sources:
        dot._RECENT.pop((source, None), None)
