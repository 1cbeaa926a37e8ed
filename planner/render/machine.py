"""Machine dependencies of the renderings (SVG, PNG, PDF, report.html): Graphviz `dot` and its font.

`dot_env` pins what a program can: the theme's font whatever fontconfig prefers, and UTC for PDF dates.
What it cannot pin (the dot version, the font file installed) is compared with the machine the committed
outputs were made on: bin/setup on Debian 12 (graphviz, fonts-liberation2).
"""
from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import subprocess
import tempfile
from html import escape  # as xml.sax.saxutils' with quote=False, which imports urllib.request, http.client, ssl
from pathlib import Path

from planner.catalog.compiled import cached_file
from planner.render.theme import FONT, FONT_DRAWN

REFERENCE_DOT = "2.43.0"
REFERENCE_FONT = "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"
LAID_OUT = (".svg", ".html")  # artifacts whose bytes depend on dot's text measurements
PDF_EPOCH = "946684800"  # 2000-01-01 00:00 UTC, the date PDFs carry (cairo >= 1.17 honours it)
_PIN = ('<match target="pattern"><test name="family" qual="any"><string>{family}</string></test>'
        '<edit name="family" mode="prepend_first" binding="strong"><string>{drawn}</string></edit></match>')


def dot_env() -> dict[str, str]:
    """The environment to run `dot` in: the theme's font pinned, dates in UTC."""
    env = {**os.environ, "TZ": "UTC", "SOURCE_DATE_EPOCH": PDF_EPOCH}
    base = os.environ.get("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
    if Path(base).is_file():  # else fontconfig lives elsewhere (not Debian): its own choice stands
        env["FONTCONFIG_FILE"] = _fontconfig_file(base)
    return env


@functools.cache
def _fontconfig_file(base: str) -> str:
    """A fontconfig file: the machine's (`base`), then each family of FONT drawn as FONT_DRAWN. Kept in the
    user's cache folder (a forked renderer ends with os._exit, so a temporary one would be left behind); in a
    temporary folder removed at exit when that cannot be written."""
    pins = "".join(_PIN.format(family=escape(f.strip(), False), drawn=escape(FONT_DRAWN, False))
                   for f in FONT.split(","))
    text = (f'<?xml version="1.0"?>\n<fontconfig><include ignore_missing="yes">{escape(base, False)}</include>'
            f'{pins}</fontconfig>\n')
    kept = cached_file("fonts.conf", text)
    if kept is not None:
        return str(kept)
    folder = tempfile.mkdtemp(prefix="stampplan-fonts-")
    atexit.register(shutil.rmtree, folder, True)
    path = Path(folder) / "fonts.conf"
    path.write_text(text, encoding="utf-8")
    return str(path)


@functools.cache
def probe() -> tuple[str, str] | None:
    """(dot version, font file dot draws FONT with), or None when dot is missing or says neither."""
    program = shutil.which("dot")
    if program is None:
        return None
    try:
        done = subprocess.run([program, "-v", "-Tsvg"], input=f'digraph {{ a [fontname="{FONT}"] }}', env=dot_env(),
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    version = re.search(r"graphviz version (\S+)", done.stderr)
    font = re.search(r'resolved to: .*" (.+)$', done.stderr, re.MULTILINE)
    return (version.group(1), font.group(1).strip()) if version and font else None


def differences() -> list[str]:
    """Each machine dependency that differs from the committed outputs' machine, e.g. "dot 9.0.0 (...)"."""
    found = probe()
    if found is None:
        return []
    dot, font = found
    return ([f"dot {dot} (committed outputs: {REFERENCE_DOT})"] if dot != REFERENCE_DOT else []) + \
           ([f"font {font} (committed outputs: {REFERENCE_FONT})"] if font != REFERENCE_FONT else [])


def explain(drift: list[str]) -> list[str]:
    """One line naming the machine dependencies that differ, when a drift line ("name: ...") is a laid-out file."""
    if not any(line.split(":", 1)[0].endswith(LAID_OUT) for line in drift):
        return []
    found = differences()
    return [f"machine: {' and '.join(found)} - renderings depend on them; run bin/setup"] if found else []
