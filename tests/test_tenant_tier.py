"""Issue 15: the DMZ tier's certificates and firewall matrix in every artifact, and a build order that
avoids the known traps (DHCP extension after VMM's update rollup, one rollup step per component)."""
from __future__ import annotations

import io
import zipfile

import pytest

from planner.render.checklist.steps import build_steps
from planner.render.report import page
from planner.render.workbook import workbook
from planner.security import SELF_SIGNED, certificates, firewall


def _position(steps, task):
    return [i for i, s in enumerate(steps) if s.task == task]


def test_dhcp_extension_replaced_after_vmm_and_its_update_rollup(planned):
    _, design, _ = planned("medium")
    steps = build_steps(design)
    dhcp = _position(steps, "host-dhcp-extension")
    assert dhcp and min(dhcp) > max(_position(steps, "vmm-update-rollup")) > max(_position(steps, "vmm-install"))
    step = steps[dhcp[0]]
    text = " ".join(step.do + [c.expect for c in step.verify])
    assert "SwExtn folder of the VMM installation" in text and "uninstall any older" in text
    assert "Version of the updated msi" in text


def test_one_update_rollup_step_per_component_in_order_then_the_alignment_check(planned):
    _, design, _ = planned("medium")
    steps = build_steps(design)
    order = ["vmm-update-rollup", "vmm-agents-update-rollup", "spf-update-rollup", "wap-update-rollup",
             "sma-update-rollup", "update-alignment"]
    firsts = [min(_position(steps, t)) for t in order]
    assert firsts == sorted(firsts)
    assert all(s.verify and all(c.command and c.expect for c in s.verify) for s in steps if s.task in order)


def test_sql_collation_mixed_mode_spf_repair_and_event_logs_are_steps(planned):
    _, design, _ = planned("small")
    steps = {s.task: s for s in build_steps(design)}
    checks = " ".join(c.command + c.expect for c in steps["sql-install"].verify)
    assert "Collation" in checks and "IsIntegratedSecurityOnly" in checks and "mixed mode" in checks
    repair = " ".join(steps["spf-repair"].do)
    assert "Remove-SCSpfServer" in repair and "New-SCSpfServer" in repair and "Set-SCSpfStamp" in repair
    assert "MgmtSvc-AdminAPI" in " ".join(steps["diagnostics-logs"].do)


@pytest.mark.parametrize("name", ["small", "medium"])
def test_certificates_and_ports_agree_between_design_and_every_artifact(planned, name):
    from planner.render.checklist import artifacts as checklist

    _, design, _ = planned(name)
    certs, rules = certificates(design), firewall(design)
    with zipfile.ZipFile(io.BytesIO(workbook(design))) as book:
        xlsx = " ".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    html = page(design)
    md = checklist(design)["checklist.md"].decode()
    for cert in certs:
        assert cert.subject in xlsx and cert.subject in html and cert.subject in md, cert.subject
    for rule in rules:
        assert rule.destination in xlsx and rule.port in html, rule
        if rule.crosses_firewall:
            assert f"{rule.destination} ({rule.destination_zone}) {rule.port}" in md, rule


def test_the_dmz_tier_crosses_the_firewall_on_the_known_ports(planned):
    _, design, _ = planned("medium")
    rules = {(r.source, r.destination, r.port) for r in firewall(design) if r.crosses_firewall}
    assert ("tenants", "WAP tenant portal", "30081") in rules
    assert ("tenants", "AD FS proxy", "443") in rules and ("AD FS proxy", "AD FS", "443") in rules
    assert ("WAP Tenant Public API", "SPF", "8090") in rules
    assert ("RD Gateway", "compute Hyper-V hosts", "2179") in rules
    for dmz_wap in ("WAP tenant portal", "WAP Tenant Public API"):  # WAP's configuration store, through the firewall
        assert (dmz_wap, "SQL Server", "1433") in rules
    inside = {(r.source, r.destination, r.port) for r in firewall(design) if not r.crosses_firewall}
    assert ("WAP Admin API", "SMA", "9090") in inside and ("VMM", "SQL Server", "1433") in inside
    public = {c.subject for c in certificates(design) if c.ca == "public"}
    assert public == {"portal.cloud.contoso.example", "api.cloud.contoso.example", "adfs.cloud.contoso.example",
                      "rdgw.cloud.contoso.example"}


def test_adfs_token_certificates_are_planned_decided_and_their_rollover_checked(planned):
    """AD FS's token-signing and token-decrypting certificates beside its service-communications certificate:
    AD FS-managed (AutoCertificateRollover) as a decision with the CA-issued alternative; the WAP sites that trust
    AD FS read its metadata again at each rollover (a pitfall and the checklist's verifications)."""
    from planner.render.checklist.decisions import decision_rows

    _, design, _ = planned("medium")
    adfs = {c.subject: c for c in certificates(design) if c.role == "adfs"}
    fqdn = "adfs.cloud.contoso.example"
    assert "service communications" in adfs[fqdn].purpose and adfs[fqdn].ca == "public"
    for subject in (f"CN=ADFS Signing - {fqdn}", f"CN=ADFS Encryption - {fqdn}"):
        assert adfs[subject].ca == SELF_SIGNED and adfs[subject].installed_on == ("ADFS01", "ADFS02"), subject
    decision = next(r for r in decision_rows(design) if "AutoCertificateRollover" in r["Decision"])
    assert "CA-issued" in decision["Alternatives considered"] and "relying part" in decision["Risk"]
    step = next(s for s in build_steps(design) if s.task == "wap-adfs")
    assert "Set-MgmtSvcRelyingPartySettings -Target Admin" in " ".join(step.do)
    assert any(c.command.startswith("Get-AdfsCertificate |") and "token-signing" in c.expect for c in step.verify)
    assert "adfs-token-rollover" in {p.id for p in step.pitfalls}
    _, poc, _ = planned("poc")  # no AD FS: no token certificates
    assert not [c for c in certificates(poc) if c.ca == SELF_SIGNED]
