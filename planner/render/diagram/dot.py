"""Graphviz plumbing shared by the views: font scales, graph defaults, the 16:9 slide fit, running `dot`."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import graphviz

from planner.errors import InputError, MissingProgram
from planner.render.archive import marked_pdf, marked_png
from planner.render.diagram.labels import esc
from planner.render.machine import dot_env
from planner.render.theme import FONT, Scale, Theme

INSTALL_HINT = "Graphviz `dot` is not installed, so no diagrams were drawn: install it with `apt-get install graphviz`"
SLIDE_INCHES = (13.333, 7.5)  # a 16:9 slide
SLIDE_DPI = 144               # slide PNGs come out 1920 x 1080
SLIDE_MARGIN = 0.2            # inches of the drawing kept clear around a slide
FORMATS = ("dot", "svg", "png", "pdf")
MARK_PDF, MARK_PNG = b"%stampplan diagram\n", b"stampplan diagram"  # so that stampplan may replace its own files
DOT_TIMEOUT = 120           # seconds one `dot` run may take; then it is killed with its children


A3_POINTS = (1190.0, 842.0)  # an A3 landscape page (16.54 x 11.69 in): no page drawing is larger
READABLE = 8.0  # points: below this once scaled to the slide, the slide is drawn compact
PAGE_PAD = 0.3  # inches of padding around a page drawing (new_graph), shrunk with it


def new_graph(title: str, subtitle: str, key: str | None, theme: Theme, scale: Scale,
              rankdir: str = "TB") -> graphviz.Digraph:
    """A digraph with the theme's colours, a heading (title and legend `key`; None: the caller sets it
    later) and, for a slide, the 16:9 fit."""
    graph = graphviz.Digraph("stampplan")
    if key is not None:
        graph.attr(label=heading(title, subtitle, key, theme, scale))
    graph.attr(rankdir=rankdir, bgcolor=theme.background, fontname=FONT, fontcolor=theme.text,
               labelloc="t", labeljust="l", newrank="true", nodesep="0.25", ranksep="0.35", pad=str(PAGE_PAD))
    if scale.slide:
        width, height = SLIDE_INCHES
        graph.attr(size=f"{width},{height}!", pad="0")
    graph.attr("node", shape="plain", fontname=FONT, fontsize=str(scale.text), fontcolor=theme.text)
    graph.attr("edge", color=theme.edge, fontname=FONT, fontsize=str(scale.small), fontcolor=theme.muted,
               arrowsize="0.7", penwidth="1.2")
    return graph


def heading(title: str, subtitle: str, key: str, theme: Theme, scale: Scale) -> str:
    """The graph label: title, subtitle and the legend table."""
    return (f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">'
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.title}"><B>{esc(title)}</B></FONT></TD></TR>'
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.text}" COLOR="{theme.muted}">{esc(subtitle)}</FONT>'
            f'</TD></TR><TR><TD ALIGN="LEFT">{key}</TD></TR></TABLE>>')


def same_rank(graph: graphviz.Digraph, names: list[str]) -> None:
    """Keep `names` on one rank, left to right in this order."""
    if len(names) < 2:
        return
    with graph.subgraph() as row:
        row.attr(rank="same")
        for left, right in zip(names, names[1:]):
            row.edge(left, right, style="invis")


def frame(theme: Theme, fill: str, line: str, label: str, scale: Scale, style: str = "rounded,filled") -> dict:
    """Attributes of a cluster subgraph (a rack, a stamp, a cluster)."""
    return {"label": label, "style": style, "fillcolor": fill, "color": line, "fontcolor": theme.text,
            "fontsize": str(scale.text), "labeljust": "l", "margin": "10", "penwidth": "1.2"}


def render(source: str, formats: tuple[str, ...], dpi: int | None = None) -> dict[str, bytes]:
    """Lay out `source` once with `dot` and write each format; deterministic bytes (DOT and SVG exactly)."""
    return render_each([source], formats, dpi)[0]


def render_each(sources: list[str], formats: tuple[str, ...], dpi: int | None = None) -> list[dict[str, bytes]]:
    """`render` of each source, one `dot` each, PARALLEL_DOT at once, the largest first (the longest to draw: left
    to the end, one ran alone on two cores after the others).

    Recent results are kept, so the report reuses the SVGs the diagrams were drawn with."""
    done = [_RECENT.pop((source, dpi), {}) for source in sources]
    missing = [tuple(f for f in formats if f != "dot" and f not in d) for d in done]
    order = sorted(range(len(sources)), key=lambda i: -len(sources[i]) if missing[i] else 0)
    with ThreadPoolExecutor(max_workers=min(len(sources), PARALLEL_DOT)) as pool:  # each thread waits on its `dot`
        started = {i: pool.submit(_run, sources[i], missing[i], dpi) for i in order}
        made = [started[i].result() for i in range(len(sources))]
    for source, d, new in zip(sources, done, made):
        d.update(new)
        _RECENT[(source, dpi)] = d
    while len(_RECENT) > RECENT_KEPT:
        _RECENT.pop(next(iter(_RECENT)))
    return [{fmt: source.encode() if fmt == "dot" else d[fmt] for fmt in formats} for source, d in zip(sources, done)]


_RECENT: dict[tuple[str, int | None], dict[str, bytes]] = {}
PARALLEL_DOT = 4  # `dot` processes at once (a paged design has dozens of pages)
RECENT_KEPT = 64  # renderings kept for the report (every page of a paged design)


def slide_scale(graph: graphviz.Digraph) -> float:
    """How much `size` shrinks (or grows) the drawing to fit the slide."""
    width, height = extent(graph)
    return min(SLIDE_INCHES[0] / (width + 2 * SLIDE_MARGIN), SLIDE_INCHES[1] / (height + 2 * SLIDE_MARGIN))


def extent(graph: graphviz.Digraph) -> tuple[float, float]:
    """Width and height (inches) of the laid-out drawing, before any scaling (from a layout kept by `layouts`)."""
    plain = render(graph.source, ("plain",))["plain"]
    _, _, width, height = plain.decode().split("\n", 1)[0].split()[:4]
    return float(width), float(height)


def layouts(sources: list[str]) -> None:
    """Lay out `sources` at once, keeping each one's extent and SVG (one `dot` each) for `extent` and `render`."""
    render_each(sources, ("plain", "svg"))


def page_text(graph: graphviz.Digraph) -> float:
    """Points of the smallest text of a page drawing (padded by PAGE_PAD) once shrunk to fit A3 landscape."""
    width, height = extent(graph)
    pad = 2 * PAGE_PAD * 72
    fit = min(1.0, A3_POINTS[0] / (width * 72 + pad), A3_POINTS[1] / (height * 72 + pad))
    sizes = re.findall(r'(?:POINT-SIZE="|fontsize=)"?([\d.]+)', graph.source)
    return fit * min(float(size) for size in sizes)


def fit_slide(graph: graphviz.Digraph) -> str:
    """The DOT source of `graph` padded to exactly 16:9, so `size` scales it to fill the slide."""
    width, height = extent(graph)
    w, h = width + 2 * SLIDE_MARGIN, height + 2 * SLIDE_MARGIN
    aspect = SLIDE_INCHES[0] / SLIDE_INCHES[1]
    pad_x = SLIDE_MARGIN + max(0.0, (aspect * h - w) / 2)
    pad_y = SLIDE_MARGIN + max(0.0, (w / aspect - h) / 2)
    graph.attr(pad=f"{pad_x:.4f},{pad_y:.4f}")
    return graph.source


def dot_program() -> str:
    """Path of `dot`, or MissingProgram with the install hint."""
    program = shutil.which("dot")
    if program is None:
        raise MissingProgram(INSTALL_HINT)
    return program


def run_dot(args: list[str], source: str = "") -> str:
    """Run `dot` with `args` on `source` and return its output. It runs in a process group of its own
    (Ctrl-C reaches us, not it) that is killed after DOT_TIMEOUT seconds or on any exception (Ctrl-C);
    a timeout or a failure is an InputError naming the reason."""
    process = subprocess.Popen([dot_program(), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True, env=dot_env())
    try:
        out, err = process.communicate(source, timeout=DOT_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise InputError(f"Graphviz `dot` took longer than {DOT_TIMEOUT:g} s and was stopped") from None
    except BaseException:
        _kill(process)
        raise
    if process.returncode != 0:
        raise InputError(f"Graphviz `dot` failed: {(err.strip().splitlines() or [process.returncode])[-1]}")
    return out


def _kill(process: subprocess.Popen) -> None:
    """Kill `process` and everything it started, and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def _run(source: str, formats: tuple[str, ...], dpi: int | None) -> dict[str, bytes]:
    if not formats:
        return {}
    try:
        with tempfile.TemporaryDirectory(prefix="stampplan-dot-") as tmp:
            folder = Path(tmp)
            (folder / "in.dot").write_text(source, encoding="utf-8")
            args = ["-Gmargin=0", *([f"-Gdpi={dpi}"] if dpi else [])]  # PDF's default margin: 36 pt more each side
            for fmt in formats:
                args += [f"-T{fmt}", f"-o{folder / ('out.' + fmt)}"]
            run_dot([*args, str(folder / "in.dot")])
            return {fmt: _stable(fmt, (folder / f"out.{fmt}").read_bytes()) for fmt in formats}
    except OSError as error:
        raise InputError(f"cannot draw with Graphviz `dot`: {error.strerror or error}"
                         + (f": {error.filename}" if error.filename else "")) from None


def _stable(fmt: str, data: bytes) -> bytes:
    """Strip what changes between runs or Graphviz versions: the version comment, PDF dates (UTC: dot_env)."""
    if fmt == "svg":
        return re.sub(rb"<!-- Generated by graphviz[^>]*-->\n", b"", data)
    if fmt == "pdf":  # dates: same length, so the cross-reference offsets stay right
        return marked_pdf(re.sub(rb"/(CreationDate|ModDate) \(D:\d{14}", rb"/\1 (D:20000101000000", data), MARK_PDF)
    if fmt == "png":
        return marked_png(data, MARK_PNG)
    return data
