"""The report's sections as HTML: summary, clusters, hosts, SQL and load balancers, VMs, failover plans.

Huge designs stay readable (and the file small): tenant VMs are counted per host and large failover
plans summarised once the design has more than FULL_LIST VMs or restarts.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from html import escape

from planner.catalog import role_colour, role_label, role_order
from planner.render.design_index import Facts, count, natural, share


FULL_LIST = 2000        # tenant VMs listed one by one up to this many
RESTARTS_LISTED = 24    # a failover plan lists its restarts up to this many, else summarises them


def table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A table; cells are HTML already; columns in `numeric` are right-aligned."""
    def cls(i: int) -> str:
        return ' class="n"' if i in numeric else ""
    th = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _bar(used: float, capacity: float, unit: str = "") -> str:
    part = share(used, capacity)
    return (f'<span class="use"><span class="bar"><span style="width:{min(100.0, part * 100):.1f}%"></span></span>'
            f'{used:,.0f} / {capacity:,.0f}{unit} ({part:.0%})</span>')


def _role(role: str) -> str:
    return f'<span class="sw" style="background:{role_colour(role)}"></span>{escape(role_label(role))}'


def _kv(pairs: list[tuple[str, str]]) -> str:
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in pairs)
    return f'<dl class="kv">{items}</dl>'


def summary(facts: Facts) -> str:
    d = facts.design
    req = d.requirements
    tenants = req.get("tenants", {})
    avail = req.get("availability", {})
    models = Counter(h.model for h in d.hosts)
    tenant_vms = len(d.vms) - len(facts.managed)
    tolerance = ", ".join(f"{p} N+{(avail.get(p) or {}).get('host_failures', '?')}"
                          for p in ("management", "edge", "compute"))
    racks = f"{avail.get('racks', 1)} rack(s)" + (", survives a rack loss" if avail.get("survive_rack_loss") else "")
    s = d.solver
    return _kv([
        ("Design", f"{d.name} ({d.format})"),
        ("Products", f"System Center {d.system_center}, WAP {d.wap_deployment}"),
        ("Tenants", f"{tenants.get('count', 0):,} × {tenants.get('vms_per_tenant', 0):,} VMs, "
                    f"{tenants.get('networking', 'nvgre')} networking"),
        ("Stamps", ", ".join(f"{st.name} ({st.tenants:,} tenants)" for st in d.stamps)),
        ("Clusters", f"{len(d.clusters)}: " + ", ".join(c.name for c in d.clusters)),
        ("Hosts", f"{len(d.hosts)}: " + ", ".join(f"{n} × {m}" for m, n in sorted(models.items()))),
        ("VMs", f"{len(d.vms):,}: {len(d.vms) - tenant_vms:,} management and edge, {tenant_vms:,} tenant"),
        ("Availability", f"{tolerance}; {racks}"),
        ("Hardware cost", f"{d.cost.get('hardware', 0):,.0f}"),
        ("Solver", f"{s.status}, gap {s.gap:.1%} (lower bound {s.lower_bound:,.0f})"),
        ("Failover plans", f"{len(d.failover_plans):,} failure scenarios, each with a restart certificate"),
    ])


def clusters(facts: Facts) -> str:
    reports = {r.cluster: r for r in facts.design.solver.clusters}
    rows = []
    for c in facts.clusters:
        load, vcpu, memory = facts.cluster_load(c.name)
        r = reports.get(c.name)
        tolerance = f"N+{c.failures_tolerated}" + (" + rack" if c.fault_domain_tolerance else "")
        storage = f"{c.shared_storage_gb:,.0f} GB" if c.shared_storage_gb else "local"
        rows.append([escape(c.name), escape(c.stamp), escape(c.purpose), tolerance,
                     str(len(facts.hosts.get(c.name, []))), escape(c.host_model or ""), f"{load.vms:,}",
                     _bar(load.vcpu, vcpu), _bar(load.memory_gb, memory, " GB"), storage,
                     escape(f"{r.method} {r.status}: {r.binding}" if r else "")])
    return table(["cluster", "stamp", "purpose", "tolerates", "hosts", "model", "VMs", "vCPU", "memory",
                   "shared storage", "host count driven by"], rows, numeric={4, 6})


def hosts(facts: Facts) -> str:
    rows = []
    for cluster in facts.clusters:
        for h in facts.hosts.get(cluster.name, []):
            load = facts.load[h.name]
            rows.append([escape(h.name), escape(h.cluster), escape(h.fault_domain), escape(h.model),
                         f"{load.vms:,}", _bar(load.vcpu, h.vcpu_capacity), _bar(load.memory_gb, h.usable_memory_gb,
                                                                               " GB")])
    return ('<div class="scroll">' + table(["host", "cluster", "rack", "model", "VMs", "vCPU", "memory"], rows,
                                            numeric={4}) + "</div>")


def services(facts: Facts) -> str:
    d = facts.design
    sql = [[escape(s.name), escape(s.stamp), escape(", ".join(s.nodes)), escape(s.ha), escape(s.listener or "–"),
            escape(", ".join(db.name for db in s.databases))] for s in d.sql_instances]
    lbs = [[escape(lb.name), escape(lb.stamp), _role(lb.role), escape(", ".join(lb.members)), escape(lb.vip_fqdn)]
           for lb in d.load_balancers]
    parts = ["<h3>SQL Server instances</h3>",
             table(["instance", "stamp", "nodes", "high availability", "listener", "databases"], sql)]
    parts += ["<h3>Load balancers</h3>", table(["load balancer", "stamp", "role", "members", "VIP"], lbs)
              if lbs else '<p class="note">None: no role has two or more load-balanced instances.</p>']
    return "".join(parts)


def vms(facts: Facts) -> str:
    d = facts.design
    managed = facts.management_vms()
    rows = [_vm_row(vm) for vm in sorted(managed, key=lambda v: (role_order(v.role), natural(v.name)))]
    parts = [f"<h3>Management and edge VMs ({len(managed):,})</h3>", _vm_table(rows)]
    tenant = [vm for vm in d.vms if vm.is_tenant]
    if not tenant:
        return "".join(parts)
    if len(tenant) <= FULL_LIST:
        rows = [_vm_row(vm) for vm in sorted(tenant, key=lambda v: natural(v.name))]
        parts.append(f"<h3>Tenant VMs ({len(tenant):,})</h3><details><summary>show all {len(tenant):,} tenant VMs"
                     f"</summary>{_vm_table(rows, tenant=True)}</details>")
        return "".join(parts)
    per_host: dict[str, list] = defaultdict(list)
    for vm in tenant:
        per_host[vm.host or "(unplaced)"].append(vm)
    rows = []
    for host in sorted(per_host, key=natural):
        members = per_host[host]
        roles = Counter(vm.role for vm in members)
        rows.append([escape(host), escape(members[0].cluster), f"{len(members):,}",
                     escape(", ".join(f"{n:,} {r}" for r, n in sorted(roles.items()))),
                     f"{len({vm.tenant for vm in members if vm.tenant}):,}",
                     f"{sum(vm.vcpu for vm in members):,}", f"{sum(vm.memory_gb for vm in members):,.0f}"])
    parts.append(f"<h3>Tenant VMs ({len(tenant):,}), per host</h3>"
                 f'<p class="note">{len(tenant):,} tenant VMs are too many to list here; design.json lists each.</p>'
                 + '<div class="scroll">'
                 + table(["host", "cluster", "tenant VMs", "by role", "tenants", "vCPU", "memory GB"], rows,
                          numeric={2, 4, 5, 6}) + "</div>")
    return "".join(parts)


def _vm_row(vm) -> list[str]:
    return [escape(vm.name), _role(vm.role), escape(vm.cluster), escape(vm.host or "(unplaced)"), str(vm.vcpu),
            f"{vm.memory_gb:g}", f"{vm.storage_gb:g}", escape(vm.anti_affinity_group or vm.tenant or "")]


def _vm_table(rows: list[list[str]], tenant: bool = False) -> str:
    last = "tenant / group" if tenant else "anti-affinity group"
    return ('<div class="scroll">' + table(["VM", "role", "cluster", "host", "vCPU", "memory GB", "storage GB", last],
                                            rows, numeric={4, 5, 6}) + "</div>")


def failover(facts: Facts) -> str:
    plans = defaultdict(list)
    for plan in facts.design.failover_plans:
        plans[plan.cluster].append(plan)
    if not plans:
        return '<p class="note">No failure scenarios: every cluster tolerates 0 host failures.</p>'
    parts = ['<p class="note">For every failure scenario, where each VM of the failed hosts restarts. '
             '<code>stampplan validate</code> checks each plan.</p>']
    for cluster in facts.clusters:
        group = plans.get(cluster.name, [])
        if not group:
            continue
        rows = [[escape(", ".join(p.failed)), f"{len(p.restarts):,}", _restarts(p.restarts)] for p in group]
        parts.append(f"<details><summary>{escape(cluster.name)}: {count(len(group), 'failure scenario')}</summary>"
                     + table(["failed", "VMs restarted", "restarts"], rows, numeric={1}) + "</details>")
    return "".join(parts)


def _restarts(restarts: dict[str, str]) -> str:
    if len(restarts) <= RESTARTS_LISTED:
        moves = sorted(restarts.items(), key=lambda kv: natural(kv[0]))
        return escape(", ".join(f"{vm} → {host}" for vm, host in moves))
    targets = Counter(restarts.values())
    busiest = max(targets.values())
    return escape(f"{len(restarts):,} VMs onto {count(len(targets), 'host')}, at most {busiest} on one")
