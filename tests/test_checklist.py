"""The build checklist and decision log: order, coverage, verification cmdlets, pitfalls, formats."""
from __future__ import annotations

import csv
import io
import json
import re
from functools import cache

import pytest
from typer.testing import CliRunner

from planner.catalog import load_catalog, read_yaml as catalog_yaml
from planner.cli import app
from planner.model.design import Design
from planner.render import RENDERERS
from planner.render.checklist import COLUMNS, artifacts, decision_rows, rows
from planner.render.checklist.decisions import COLUMNS as DECISION_COLUMNS, assumption_rows, decision_catalog
from planner.render.checklist.steps import build_steps
from planner.security import certificates

from conftest import ROOT

PROFILES = ("poc", "small", "medium", "service-provider", "multi-stamp")
CMDLET = re.compile(r"\b([A-Z][a-z]+-[A-Z][A-Za-z0-9]+)\b")


@cache
def design_text(name: str) -> str:
    return (ROOT / "outputs" / name / "design.json").read_text(encoding="utf-8")


@cache
def design(name: str) -> Design:
    return Design.model_validate(json.loads(design_text(name)))


@cache
def steps(name: str):
    return build_steps(design(name))


@cache
def files(name: str) -> dict[str, bytes]:
    return artifacts(design(name))


def variant(name: str, *, version: str | None = None, console: bool | None = None,
            networking: str | None = None) -> Design:
    """A reference design with its requirements toggled and the VMs of dropped roles removed."""
    data = json.loads(design_text(name))
    req = data["requirements"]
    dropped = set()
    if version:
        data["system_center"] = req["system_center"] = version
    if console is False:
        req["tenants"]["console_access"] = False
        dropped.add("rdgw")
    if networking:
        req["tenants"]["networking"] = networking
        if networking == "vlan":
            dropped.add("hnv-gateway")
    data["vms"] = [vm for vm in data["vms"] if vm["role"] not in dropped]
    data["load_balancers"] = [lb for lb in data["load_balancers"] if lb["role"] not in dropped]
    return Design.model_validate(data)


def text_of(step) -> str:
    parts = [step.id, step.title, *step.do, *step.objects]
    for check in step.verify:
        parts += [check.command, check.on, check.expect]
    return "\n".join(parts)


def pitfall_steps(pitfall: str, plan) -> list[str]:
    return [s.id for s in plan if any(p.id == pitfall for p in s.pitfalls)]


# ---- every reference profile ------------------------------------------------------------------
@pytest.mark.parametrize("name", PROFILES)
def test_every_reference_profile_renders(name):
    out = files(name)
    assert sorted(out) == ["checklist.csv", "checklist.md", "decisions.md"]
    md = out["checklist.md"].decode()
    assert md.startswith(f"# Build checklist: {design(name).name}")
    assert md.count("\n- [ ] ") == len(steps(name))
    assert out["decisions.md"].decode().count("| D-") == len(decision_rows(design(name)))


@pytest.mark.parametrize("name", PROFILES)
def test_order_respects_every_dependency(name):
    plan = steps(name)
    position = {s.id: i for i, s in enumerate(plan)}
    assert len(position) == len(plan), "step ids are unique"
    for s in plan:
        for dep in s.depends_on:
            assert position[dep] < position[s.id], f"{s.id} comes before its dependency {dep}"
    # every edge of the task graph, read from the YAML, holds between the steps that exist
    first, last = {}, {}
    for i, s in enumerate(plan):
        first.setdefault(s.task, i)
        last[s.task] = i
    for task in catalog_yaml("build_tasks.yaml")["tasks"]:
        for dep in task.get("depends_on", []):
            if task["id"] in first and dep in last:
                assert last[dep] < first[task["id"]], f"{dep} must finish before {task['id']} starts"


def test_order_follows_the_issue_phases():
    order = [s.phase for s in steps("medium")]
    phases = [p["id"] for p in catalog_yaml("build_tasks.yaml")["phases"]]
    assert order == sorted(order, key=phases.index)
    tasks = [s.task for s in steps("medium")]
    wap = ["wap-admin-api", "wap-tenant-api", "wap-tenant-public-api", "wap-admin-auth", "wap-tenant-auth",
           "wap-admin-portal", "wap-tenant-portal"]
    assert [t for t in tasks if t in wap] == [t for t in wap if t not in ("wap-admin-auth", "wap-tenant-auth")], \
        "WAP roles in Microsoft's order (no authentication sites in ha: AD FS, dn457760)"
    assert tasks.index("spf-register") < tasks.index("rdgw-farm") < tasks.index("hnv-gateways")


@pytest.mark.parametrize("name", PROFILES)
def test_every_management_vm_sits_in_its_roles_install_step(name):
    install = {t["role"]: t["id"] for t in catalog_yaml("build_tasks.yaml")["tasks"] if t.get("role")}
    assert set(load_catalog().roles) <= set(install), "every catalog role has an install task"
    d = design(name)
    stamp_of = {c.name: c.stamp for c in d.clusters}
    by_id = {s.id: s for s in steps(name)}
    for vm in d.vms:
        if vm.is_tenant:
            continue
        step = by_id[f"{install[vm.role]}/{stamp_of[vm.cluster]}"]
        assert any(o.startswith(f"{vm.name}: host {vm.host}") for o in step.objects), (vm.name, step.id)


@pytest.mark.parametrize("name", PROFILES)
def test_every_host_sits_in_its_clusters_host_step(name):
    by_id = {s.id: s for s in steps(name)}
    for host in design(name).hosts:
        body = text_of(by_id[f"host-install/{host.cluster}"])
        assert re.search(rf"\b{re.escape(host.name)}\b", body), host.name


def test_tenant_vms_never_get_steps_of_their_own():
    md = files("multi-stamp")["checklist.md"].decode()
    tenant_names = [vm.name for vm in design("multi-stamp").vms if vm.is_tenant]
    assert len(steps("multi-stamp")) < 300  # per stamp, cluster and role; 30 000 tenant VMs would be thousands
    assert not any(name in md for name in tenant_names[:: max(1, len(tenant_names) // 500)])


@pytest.mark.parametrize("name", PROFILES)
def test_every_step_names_design_objects_dependencies_and_a_verification(name):
    d = design(name)
    names = {d.name, d.requirements["dns_domain"], *(s.name for s in d.stamps), *(c.name for c in d.clusters),
             *(h.name for h in d.hosts), *(vm.name for vm in d.vms if not vm.is_tenant),
             *(s.name for s in d.sql_instances), *(lb.vip_fqdn for lb in d.load_balancers),
             *(c.subject for c in certificates(d))}  # the published names of single-VM public services
    for i, s in enumerate(steps(name)):
        assert any(n in text_of(s) for n in names), f"{s.id} names no object of the design"
        assert s.verify and all(c.expect for c in s.verify), s.id
        assert i == 0 or s.depends_on or s.task in ("ad-dns",), f"{s.id} has no dependency"


@pytest.mark.parametrize("name", PROFILES)
def test_every_verification_command_is_a_known_cmdlet(name):
    known = {c for module in catalog_yaml("cmdlets.yaml").values() for c in module["cmdlets"]}
    modules = set(catalog_yaml("cmdlets.yaml"))
    for s in steps(name):
        for check in s.verify:
            used = [t for t in CMDLET.findall(check.command)
                    if not re.search(rf"['\"][^'\"]*{re.escape(t)}[^'\"]*['\"]", check.command)]
            assert used and check.command.startswith(used[0]), check.command
            assert set(used) <= known, f"{s.id}: {set(used) - known} not in cmdlets.yaml"
            assert check.module in modules


def test_every_module_has_a_source():
    assert all(m["source"] and m["cmdlets"] for m in catalog_yaml("cmdlets.yaml").values())


# ---- pitfalls -----------------------------------------------------------------------------------
def test_every_pitfall_has_a_source_a_condition_and_a_step():
    pitfalls = catalog_yaml("pitfalls.yaml")
    used = {p for t in catalog_yaml("build_tasks.yaml")["tasks"] for p in t.get("pitfalls", [])}
    assert set(pitfalls) == used
    for key, p in pitfalls.items():
        assert p["source"] and p["title"] and p["text"] and "when" in p, key
    sources = " ".join(p["source"] for p in pitfalls.values())
    for item in (1, 2, 3, 4):
        assert f"(2014), pitfall {item}" in sources, f"field-notes pitfall {item} missing"


def test_rd_gateway_registration_pitfall_follows_console_access():
    with_console = steps("small")
    assert pitfall_steps("rdgw-register-once", with_console) == ["spf-add-stamp/STAMP01", "rdgw-farm/STAMP01"]
    register = next(s for s in with_console if s.task == "spf-add-stamp")
    assert any("rdgw.cloud.fabrikam.example" in line for line in register.do), "RD Gateway in the same registration"
    without = build_steps(variant("small", console=False))
    assert pitfall_steps("rdgw-register-once", without) == []
    assert not any(s.task in ("rdgw-farm", "vmm-console-connect", "accept-console") for s in without)
    assert pitfall_steps("rdgw-dedicated", without) == []


def test_dhcp_extension_pitfall_only_for_2012_r2_with_nvgre():
    medium = steps("medium")  # 2012 R2, NVGRE
    assert "host-dhcp-extension/COMP01" in pitfall_steps("dhcp-extension-ur3", medium)
    assert "vmm-install/STAMP01" not in pitfall_steps("dhcp-extension-ur3", medium)  # its own step, after the rollup
    assert pitfall_steps("dhcp-extension-ur3", build_steps(variant("medium", version="2016"))) == []
    vlan = build_steps(variant("medium", networking="vlan"))
    assert pitfall_steps("dhcp-extension-ur3", vlan) == []
    assert not any(s.task in ("host-dhcp-extension", "hnv-gateways", "vmm-provider-address") for s in vlan)
    assert pitfall_steps("dhcp-extension-ur3", steps("poc")) == []  # 2012 R2 with VLANs


def test_no_dynamic_memory_pitfall_on_every_wap_install_step():
    for name in PROFILES:
        for s in steps(name):
            if s.task.startswith("wap-") and s.scope.role:
                assert "wap-no-dynamic-memory" in [p.id for p in s.pitfalls], s.id


def test_version_parameterises_the_steps():
    for version, server in (("2012 R2", "Windows Server 2012 R2"), ("2016", "Windows Server 2016"),
                            ("2019", "Windows Server 2019")):
        plan = build_steps(variant("small", version=version))
        host = next(s for s in plan if s.task == "host-install")
        vmm = next(s for s in plan if s.task == "vmm-install")
        assert server in host.title and f"System Center {version} Virtual Machine Manager" in vmm.title
        assert bool(pitfall_steps("vmm-2019-memory", plan)) == (version == "2019")
        assert bool(pitfall_steps("rdgw-no-dns-round-robin", plan)) == (version == "2012 R2")


# ---- acceptance -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PROFILES)
def test_a_host_failure_test_for_every_cluster_that_survives_one(name):
    tests = {s.scope.cluster: s for s in steps(name) if s.task == "accept-host-failure"}
    d = design(name)
    for c in d.clusters:
        hosts = [h.name for h in d.hosts if h.cluster == c.name]
        if c.failures_tolerated and len(hosts) > c.failures_tolerated:
            failed = [h for h in hosts if re.search(rf"\b{h}\b", tests[c.name].do[0])]
            assert len(failed) == c.failures_tolerated, tests[c.name].do[0]
        else:
            assert c.name not in tests


def test_management_failure_test_lists_the_planned_restarts():
    step = next(s for s in steps("medium") if s.id == "accept-host-failure/MGMT01")
    plan = max((p for p in design("medium").failover_plans if p.cluster == "MGMT01"), key=lambda p: len(p.restarts))
    assert plan.failed[0] in step.do[0]
    assert all(f"{vm} -> {host}" in step.do[1] for vm, host in plan.restarts.items())


# ---- formats and determinism ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ("poc", "medium"))
def test_csv_parses_with_the_expected_header(name):
    text = files(name)["checklist.csv"].decode()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames) == COLUMNS
    assert {"Summary", "Title", "Description", "Issue Type", "Work Item Type", "Labels", "Depends On"} <= set(COLUMNS)
    parsed = list(reader)
    assert parsed == rows(design(name))
    assert len(parsed) == len(steps(name))
    assert all(r["Issue Type"] == "Task" and r["Summary"] and " " not in r["Labels"].split()[0] for r in parsed)


def test_same_design_gives_the_same_bytes():
    again = Design.model_validate(json.loads(design_text("medium")))
    assert files("medium") == artifacts(again)


def test_decision_log_explains_the_main_choices():
    table = decision_rows(design("multi-stamp"))
    assert len({r["ID"] for r in table}) == len(table)
    assert all(r["Decision"] and r["Justification"] and r["Implication"] for r in table)
    text = " ".join(r["Decision"] + " " + r["Justification"] for r in table)
    assert "3 VMM stamp(s)" in text and "24,900" in text and "driven by VMM tenant user roles" in text
    for solve in design("multi-stamp").solver.clusters:
        assert solve.binding in text
    medium = " ".join(r["Decision"] for r in decision_rows(design("medium")))
    assert "WAP deployment: ha" in medium and "Service Provider Foundation: 2 in STAMP01" in medium


def test_decision_log_is_in_architects_form_with_only_real_decisions():
    """ID, decision, alternatives, justification, implication, risk, status; figures go to the assumptions."""
    cat = decision_catalog()
    d = design("medium")
    table = decision_rows(d)
    assert all(r[c] for r in table for c in DECISION_COLUMNS)
    assert {r["Status"] for r in table} <= set(cat.status.values())
    assert {r["Area"] for r in table} <= set(cat.areas.values())
    wap = next(r for r in table if r["Decision"].startswith("WAP deployment"))
    assert wap["Alternatives considered"].startswith("express: ") and "distributed: " in wap["Alternatives considered"]
    assert not any(" = " in r["Decision"] for r in table)  # no "key = value" figure rows
    figures = assumption_rows(d)
    assert len(figures) == len(d.assumptions) and all(r["Source"] for r in figures)
    text = artifacts(d)["decisions.md"].decode()
    assert "## Assumptions" in text and "## Out of scope" in text and "| Backup |" in text
    assert "| Operations Manager |" in text  # out of scope unless operations_manager is true
    assert text.count("| D-") == len(table) and text.count("| A-") == len(figures)


# ---- CLI and plumbing -------------------------------------------------------------------------------
def test_checklist_command_writes_three_files(tmp_path):
    result = CliRunner().invoke(app, ["checklist", str(ROOT / "outputs" / "poc" / "design.json"),
                                      "--out", str(tmp_path / "ck")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["checklist.csv", "checklist.md", "decisions.md"]


def test_checklist_command_refuses_a_non_design(tmp_path):
    bad = tmp_path / "design.json"
    bad.write_text('{"format": "stampplan.design/1", "name": "x"}')
    result = CliRunner().invoke(app, ["checklist", str(bad), "--out", str(tmp_path / "ck")])
    assert result.exit_code == 2 and "not a stampplan design" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "ck").exists()


def test_renderer_is_registered():
    assert "planner.render.checklist" in RENDERERS


@pytest.mark.parametrize("name", ["medium", "small"])
def test_hosts_without_vms_are_named_as_the_clusters_reserve(name):
    """A host that holds no VM in an N+k cluster is the failover reserve: the decision log says so, naming exactly
    those hosts (VMM's Dynamic Optimization may fill them later: its risk)."""
    d = design(name)
    used = {vm.host for vm in d.vms}
    rows = [r for r in decision_rows(d) if r["Decision"].split(":")[0] in {c.name for c in d.clusters}
            and "no VM on day one" in r["Decision"]]
    for c in d.clusters:
        idle = [h.name for h in d.hosts if h.cluster == c.name and h.name not in used]
        mine = [r for r in rows if r["Decision"].startswith(f"{c.name}:")]
        if idle and c.failures_tolerated:
            assert len(mine) == 1 and mine[0]["Decision"].endswith(f"({', '.join(idle)})")
            assert "Dynamic Optimization" in mine[0]["Risk"]
        else:
            assert not mine
    if name == "medium":  # its compute cluster keeps one host free for N+1 (committed outputs/medium)
        assert any(r["Decision"].startswith("COMP01: 1 of 15 hosts holds no VM") for r in rows)
