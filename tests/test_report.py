"""report.html: self-contained, complete, summarised for huge designs, and it opens in a real browser."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

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
