"""report.html: self-contained, complete, summarised for huge designs, and it opens in a real browser."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.model.design import Design
from planner.render import report
from planner.render.diagram import dot as diagram_dot

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXTERNAL = re.compile(r"https?:|//|\bsrc\s*=|<script|<link|<img|<iframe|<object|@import|url\(", re.I)


@pytest.fixture(scope="module")
def page():
    """profile -> (Design, report.html text), made once per module."""
    cache: dict[str, tuple[Design, str]] = {}

    def get(name: str) -> tuple[Design, str]:
        if name not in cache:
            text = (ROOT / "outputs" / name / "design.json").read_text(encoding="utf-8")
            design = Design.model_validate(json.loads(text))
            cache[name] = (design, report.page(design))
        return cache[name]

    return get


@pytest.mark.parametrize("name", ["poc", "medium", "multi-stamp"])
def test_report_references_nothing_external(page, name):
    _, html = page(name)
    found = EXTERNAL.findall(html)
    assert not found, found[:5]
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    if diagram_dot.shutil.which("dot"):
        assert html.count("<svg") == 3


def test_report_shows_the_design(page):
    design, html = page("medium")
    for host in design.hosts:
        assert f"<td>{host.name}</td>" in html
    for vm in design.vms:  # a medium design lists every VM, tenant VMs included
        assert f"<td>{vm.name}</td>" in html
    for lb in design.load_balancers:
        assert lb.vip_fqdn in html
    assert f"{len(design.failover_plans)} failure scenarios" in html
    assert 'class="bar"' in html and "Failover plans" in html


def test_huge_report_summarises_tenant_vms_and_stays_small(page):
    design, html = page("multi-stamp")
    assert len(html.encode()) < 3_000_000
    tenant = [vm for vm in design.vms if vm.is_tenant]
    assert sum(f"<td>{vm.name}</td>" in html for vm in tenant[:200]) == 0
    for vm in design.vms:
        if not vm.is_tenant:
            assert f"<td>{vm.name}</td>" in html
    for host in design.hosts:
        assert f"<td>{host.name}</td>" in html
    assert "per host" in html and "VMs onto" in html  # compute failover plans summarised


def test_report_is_deterministic(page, monkeypatch):
    design, html = page("small")
    monkeypatch.setattr(diagram_dot, "_RECENT", {})
    assert report.page(design) == html


def test_report_without_graphviz_says_so(page, monkeypatch):
    design, _ = page("poc")
    monkeypatch.setattr(diagram_dot.shutil, "which", lambda name: None)
    monkeypatch.setattr(diagram_dot, "_RECENT", {})
    html = report.page(design)
    assert "Diagrams need Graphviz" in html and "apt-get install graphviz" in html and "<svg" not in html


def chromium(url: str, shot: Path, profile: Path) -> tuple[int, str]:
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            f"--screenshot={shot}", "--window-size=1400,1000", url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stderr


def console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (CI installs it)")
def test_report_opens_in_headless_chromium_without_console_errors(page, tmp_path):
    _, html = page("medium")
    target = tmp_path / "report.html"
    target.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    code, log = chromium(target.as_uri(), shot, tmp_path / "profile")
    assert code == 0, log[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    assert not console_errors(log), console_errors(log)
    broken = tmp_path / "broken.html"  # the check itself sees a script error
    broken.write_text('<!DOCTYPE html><p>x</p><script>throw new Error("boom")</script>', encoding="utf-8")
    _, log = chromium(broken.as_uri(), tmp_path / "broken.png", tmp_path / "profile2")
    assert any("boom" in line for line in console_errors(log))


def test_report_is_a_design_document_with_every_section(page):
    design, html = page("medium")
    titles = re.findall(r"<h2>([^<]*)</h2>", html)
    assert titles[0] == "Document control" and titles[-1] == "Appendix A Build checklist"
    for title in ("Executive summary", "Requirements", "Diagrams", "Failover certificates", "Decisions",
                  "Assumptions", "Licences", "Cost", "Out of scope"):
        assert any(t.endswith(f" {title}") for t in titles), title
    assert 'class="cover"' in html and "stampplan" in html[:300]  # marked in the head: owned_file
    assert "USD" in html and "| D-" not in html and "D-DEP-01" in html and "A-01" in html


def test_document_control_comes_from_the_requirements_or_the_flags_never_the_clock(page):
    design, html = page("small")
    assert "<th>Version</th><td>0.1</td>" in html and "<th>Date</th><td>undated</td>" in html
    design = design.model_copy(deep=True)
    design.requirements["document"] = {"version": "1.0", "date": "2025-01-31", "customer": "Fabrikam"}
    text = report.page(design)
    assert "<th>Date</th><td>2025-01-31</td>" in text and "<th>Customer</th><td>Fabrikam</td>" in text
    control = report.document_control(design, "2.0", None)
    assert (control.version, control.date, control.customer) == ("2.0", "2025-01-31", "Fabrikam")
    with pytest.raises(InputError, match="--doc-date '31/01/2025'"):
        report.document_control(design, None, "31/01/2025")


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftoppm") is None or shutil.which("dot") is None,
                    reason="needs chromium, poppler-utils and Graphviz")
def test_printed_report_has_each_diagram_whole_on_a_landscape_page(tmp_path):
    """Print to PDF as a reader would: every diagram on one landscape page of its own, nothing past the margins."""
    from PIL import Image
    from planner.render.report.pdf import MARK, to_pdf

    design = Design.model_validate_json((ROOT / "outputs/poc/design.json").read_text(encoding="utf-8"))
    pdf = to_pdf(report.page(design))
    assert pdf.splitlines(keepends=True)[1] == MARK and b"D:20141015000000" in pdf
    (tmp_path / "r.pdf").write_bytes(pdf)
    texts = _run("pdftotext", tmp_path / "r.pdf", "-").split("\f")[:-1]
    subprocess.run(["pdftoppm", "-r", "30", "-png", tmp_path / "r.pdf", tmp_path / "p"], check=True)
    pngs = sorted(tmp_path.glob("p*.png"))
    assert len(pngs) == len(texts) > 3
    landscape = []
    for n, (png, text) in enumerate(zip(pngs, texts), 1):
        image = Image.open(png).convert("L")
        if image.width > image.height:
            landscape.append([view for view, title in report.VIEW_TITLES.items() if title in text])
        left, top, right, bottom = image.point(lambda v: 255 if v < 250 else 0).getbbox()
        margin = image.width * 9 / 297 if image.width > image.height else image.width * 11 / 210  # mm -> px
        assert left >= margin and top >= margin * 0.8 and image.width - right >= margin, f"page {n} past its margins"
    assert [views for views in landscape if views] == [["physical"], ["logical"], ["network"]]


def _run(*command) -> str:
    return subprocess.run([str(c) for c in command], capture_output=True, check=True, text=True).stdout


def test_report_command_writes_beside_and_exits_2_on_bad_flags_or_missing_chromium(tmp_path, monkeypatch):
    from typer.testing import CliRunner
    from planner.cli import app
    from planner.render.report import pdf as report_pdf

    design = str(ROOT / "outputs/poc/design.json")
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(app, ["report", design, "--doc-date", "2025-02-30x"])
    assert done.exit_code == 2 and "--doc-date" in done.output
    monkeypatch.setattr(report_pdf.shutil, "which", lambda name: None)
    done = CliRunner().invoke(app, ["report", design, "--pdf"])
    assert done.exit_code == 2 and "apt-get install chromium" in done.output
    done = CliRunner().invoke(app, ["report", design, "--doc-version", "1.0"])
    assert done.exit_code == 0 and "<th>Version</th><td>1.0</td>" in (tmp_path / "contoso-poc-report.html").read_text()


@pytest.mark.skipif(diagram_dot.shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_report_embeds_the_drawing_each_diagram_page_uses(page):
    """Issue 17: service-provider's logical and network pages are drawn with hosts counted (the full drawing would
    read under 6.5 pt on A3); the report embeds that drawing, not the full one."""
    from planner.render import diagram
    from planner.render.diagram.dot import render
    from planner.render.theme import PAGE_COUNTED
    design, html = page("service-provider")
    for view in ("logical", "network"):
        assert diagram.page_scale(design, view) is PAGE_COUNTED
        compact = report.inline_svg(render(diagram.figure_source(design, view), ("svg",))["svg"].decode(), view)
        full = report.inline_svg(render(diagram.source(design, view), ("svg",))["svg"].decode(), view)
        assert compact != full and compact in html and full not in html
