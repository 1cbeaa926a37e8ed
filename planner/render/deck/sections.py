"""What each slide says, from design.json: one function per section name of `stampplan deck --slides`."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from planner.model.design import Design
from planner.render.checklist.decisions import decision_catalog, decision_rows, plain_value
from planner.render.checklist.view import requirements_of
from planner.render.deck.slides import BOX_ROWS, ROWS, Box, Deck
from planner.render.costing import cost_lines, money
from planner.render.design_index import count, index, natural, share
from planner.render.theme import PURPOSES

KEY_AREAS = ("DEP", "STM", "AVL", "SQL", "CLU", "NET")  # decision areas a sponsor reads, in this order
RISK_ROWS = 2 * ROWS  # assumptions on one slide (two columns)


def title(deck: Deck, design: Design) -> None:
    facts = index(design)
    tenants = facts.tenant_vms()
    deck.cover(design.name, "Management stamp design", [
        f"System Center {design.system_center} · Windows Azure Pack {design.wap_deployment}",
        f"{count(len(design.stamps), 'stamp')} · {count(len(design.clusters), 'cluster')} · "
        f"{count(len(design.hosts), 'host')} · {count(tenants, 'tenant VM')}",
        "Drawn by stampplan from design.json"])


def requirements(deck: Deck, design: Design) -> None:
    req = requirements_of(design)
    t, a = req.tenants, req.availability
    mix = ", ".join(f"{size} {share:g}%" for size, share in t.vm_sizes.items())
    racks = f"{a.racks} rack(s)" + (", survives the loss of a rack" if a.survive_rack_loss else "")
    roles = "".join(f"; VM Role {r.name}: {r.deployments:,} × {r.instances}" for r in t.vm_roles)
    deck.bullets("Requirements at a glance", [
        f"{t.count:,} tenants × {t.vms_per_tenant:,} VMs = {req.tenant_vm_count():,} tenant VMs",
        f"VM sizes: {mix}{roles}",
        f"WAP {req.wap.deployment}, {req.wap.concurrent_tenant_users:,} concurrent portal users",
        f"Tenant networks: {t.networking}; console access: {'yes' if t.console_access else 'no'}",
        f"Host failures survived: management N+{a.management.host_failures}, compute N+{a.compute.host_failures}, "
        f"edge N+{a.edge.host_failures}",
        f"Fault domains: {racks}",
        "Host models: " + ", ".join(m.name for m in req.hardware.host_models),
        f"System Center {req.system_center}, DNS domain {req.dns_domain}"])


def overview(deck: Deck, design: Design) -> None:
    """One picture per stamp: its clusters with hosts, tolerance, VMs and utilisation."""
    facts = index(design)
    for stamp in sorted(design.stamps, key=lambda s: natural(s.name)):
        clusters = facts.stamp_clusters(stamp.name)
        boxes = []
        for c in clusters:
            load, vcpu, memory = facts.cluster_load(c.name)
            models = Counter(h.model for h in facts.hosts.get(c.name, []))
            hosts = ", ".join(f"{n} × {m}" for m, n in sorted(models.items())) or "no hosts"
            boxes.append(Box([c.name, f"{c.purpose} · {_tolerance(c)}", hosts, count(load.vms, "VM"),
                              f"vCPU {share(load.vcpu, vcpu):.0%} used", f"memory {share(load.memory_gb, memory):.0%} used"],
                             PURPOSES[c.purpose]))
        room = 4 * BOX_ROWS
        shown = boxes[:room - 1] if len(boxes) > room else boxes
        note = f"+{len(boxes) - len(shown)} more clusters: see report.html" if len(shown) < len(boxes) else None
        deck.boxes(f"The design: {stamp.name}", f"{stamp.name} · {count(stamp.tenants, 'tenant')} · VMM "
                   f"{', '.join(stamp.vmm_vms)}", shown, note)


def view(name: str) -> Callable[[Deck, Design], None]:
    def draw(deck: Deck, design: Design) -> None:
        from planner.render.diagram import draw as render_view

        deck.picture(render_view(design, name, "png", deck.theme.name, slide=True))

    draw.__doc__ = f"The {name} view of render/diagram, drawn for a slide."
    return draw


def failover(deck: Deck, design: Design) -> None:
    """Each cluster's worst failure scenario: what fails, how many VMs restart, onto how many hosts."""
    facts = index(design)
    worst = facts.worst_failures()
    rows = []
    for c in facts.clusters:
        if c.name not in worst:
            rows.append([c.name, _tolerance(c), "0", "no failure tolerated", "", ""])
            continue
        plan, scenarios = worst[c.name]
        targets = Counter(plan.restarts.values())
        rows.append([c.name, _tolerance(c), f"{scenarios:,}", _failed(plan.failed, facts),
                     f"{len(plan.restarts):,}", f"{count(len(targets), 'host')}, ≤ {max(targets.values(), default=0)} each"])
    rows, note = _cut(rows, "clusters")
    deck.table("Failover: the worst host or rack failure per cluster",
               ["cluster", "survives", "scenarios", "worst case", "VMs moved", "onto"], rows,
               [1.5, 1.5, 1.6, 3.4, 1.7, 2.4],
               note or "Every scenario's restarts are proven by `stampplan validate`; whatif replays any of them")


def cost(deck: Deck, design: Design) -> None:
    req = requirements_of(design)
    lines = cost_lines(design, req)
    rows, _ = _cut([[item, money(amount, req)] for item, amount in lines], "lines", room=ROWS - 1)
    rows.append(["Total", money(sum(amount for _, amount in lines), req)])
    deck.table("Cost summary", ["item", f"cost ({req.currency})"], rows, [8, 3],
               "Prices of the requirements (host models, licensing.prices) or the catalog; details in bom.xlsx")
    if design.growth:
        g = design.growth
        rows, more = _cut([[str(y.year) if y.year else "day one", f"{y.tenant_vms:,}", f"{y.hosts:,}",
                            f"+{y.added_hosts:,}", money(y.added_cost, req)] for y in g.schedule], "years")
        deck.table("Hosts bought per year", ["year", "tenant VMs", "hosts", "added", f"hardware ({req.currency})"],
                   rows, [2, 3, 2, 2, 3], more or f"Sized for year {g.years}: {g.annual_rate:.0%} a year of "
                   f"{g.applies_to}, compute at most {g.utilisation_ceiling:.0%} full; the cost above buys every "
                   "host on day one")


def decisions(deck: Deck, design: Design) -> None:
    rows = decision_rows(design)
    areas = decision_catalog().areas
    key = [r for area in KEY_AREAS for r in rows if r["Area"] == areas[area]]
    shown, note = _cut([[r["ID"], r["Decision"]] for r in key], "decisions", "in decisions.md")
    deck.table("Key decisions", ["ID", "decision"], shown, [1.6, 10],
               note or "Alternatives, justification, risk and status of each: decisions.md")


def risks(deck: Deck, design: Design) -> None:
    """Planning assumptions without a primary source: to confirm before the build."""
    open_ = [a for a in design.assumptions if a.assumption]
    lines = [f"{a.key} = {plain_value(a.value)}" for a in open_]
    if len(lines) > RISK_ROWS:
        lines = lines[:RISK_ROWS - 1] + [f"+{len(open_) - RISK_ROWS + 1} more in decisions.md"]
    deck.bullets(f"Open risks: {count(len(open_), 'assumption')} to confirm", lines or ["none"],
                 columns=2 if len(lines) > ROWS // 2 else 1)


SECTIONS: dict[str, Callable[[Deck, Design], None]] = {
    "title": title, "requirements": requirements, "overview": overview, "physical": view("physical"),
    "logical": view("logical"), "network": view("network"), "failover": failover, "cost": cost,
    "decisions": decisions, "risks": risks}


def _tolerance(cluster) -> str:
    return f"N+{cluster.failures_tolerated}" + (" + rack" if cluster.fault_domain_tolerance else "")


def _failed(hosts: list[str], facts) -> str:
    racks = {h.name: h.fault_domain for c in facts.clusters for h in facts.hosts.get(c.name, [])}
    domains = {racks.get(h) for h in hosts}
    if len(hosts) > 2 and len(domains) == 1:
        return f"{domains.pop()} ({count(len(hosts), 'host')})"
    return ", ".join(hosts)


def _cut(rows: list[list[str]], what: str, where: str = "in report.html", room: int = ROWS):
    """At most `room` rows; the last says how many more there are."""
    if len(rows) <= room:
        return rows, None
    return rows[:room], f"+{len(rows) - room} more {what} {where}"

