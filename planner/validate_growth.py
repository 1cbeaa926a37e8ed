"""Rule "growth" of the solver-free validator, and the growth arithmetic the planner shares with it.

Standard library only, from the contract (docs/design-format.md, `growth`): each year's tenants and tenant VMs
follow `requirements.growth` from `requirements.tenants`; each compute cluster's hosts that year hold that year's
VMs with its N+k failures (its smallest hosts left after losing k carry the year's vCPU and memory), never shrink,
end at the design's count; the totals, added hosts, their hardware cost and the year each host is first needed
add up.
"""
from __future__ import annotations

import math
from fractions import Fraction

TOLERANCE = 0.05  # amounts are rounded to cents


def grown(count: int, rate: float, year: int) -> int:
    """`count` grown by (1 + rate) ** year, rounded up; exact (1.1 ** 2 x 100 is 121, not 122)."""
    return math.ceil(count * (1 + Fraction(str(rate))) ** year)


def year_load(tenants: dict, growth: dict, year: int) -> tuple[int, int, list[int]]:
    """(tenants, VMs per tenant, deployments of each VM Role) in `year`: `applies_to` tenants grows the tenant
    count, vms the VMs per tenant; VM Role deployments grow either way."""
    rate, by_tenants = growth["annual_rate"], growth["applies_to"] == "tenants"
    count, per = tenants["count"], tenants["vms_per_tenant"]
    return (grown(count, rate, year) if by_tenants else count, per if by_tenants else grown(per, rate, year),
            [grown(r.get("deployments", 1), rate, year) for r in tenants.get("vm_roles", [])])


def tenant_vms(tenants: dict, growth: dict, year: int) -> int:
    """Tenant VMs in `year`: plain VMs and every VM Role instance."""
    count, per, deployments = year_load(tenants, growth, year)
    return count * per + sum(r["instances"] * d for r, d in zip(tenants.get("vm_roles", []), deployments))


def check_growth(design: dict) -> list[tuple[str, str, str]]:
    """(rule, subject, message) for each way the growth block is wrong; [] without one."""
    block = design.get("growth") if isinstance(design, dict) else None
    if block is None:
        asked = isinstance(design, dict) and isinstance(design.get("requirements"), dict) and \
            design["requirements"].get("growth") is not None
        return [("growth", "growth", "requirements.growth is given but the design has no growth block")] if asked else []
    try:
        return _check(design, block)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, ZeroDivisionError) as err:
        return [("growth", "design", f"the growth block is malformed: {err!r}")]


def _check(design: dict, block: dict) -> list[tuple[str, str, str]]:
    req = design["requirements"]
    given = req["growth"]
    out = [("growth", "growth", f"{key} is {block[key]!r}; requirements.growth says {given[key]!r}")
           for key in ("annual_rate", "applies_to", "years", "utilisation_ceiling") if block[key] != given[key]]
    schedule = block["schedule"]
    if [y["year"] for y in schedule] != list(range(given["years"] + 1)):
        return out + [("growth", "schedule", f"lists years {[y['year'] for y in schedule]}, "
                                             f"not 0..{given['years']}")]
    hosts_of: dict[str, list[dict]] = {}
    for h in design["hosts"]:
        hosts_of.setdefault(h["cluster"], []).append(h)
    cluster_of = {h["name"]: h["cluster"] for h in design["hosts"]}
    compute = {c["name"]: c for c in design["clusters"] if c.get("purpose") == "compute" and c["name"] in hosts_of}
    vms_on = {name: 0 for name in compute}
    for vm in design["vms"]:
        if vm.get("role", "").startswith("tenant") and cluster_of.get(vm["host"]) in vms_on:
            vms_on[cluster_of[vm["host"]]] += 1
    fixed = sum(len(hs) for c, hs in hosts_of.items() if c not in compute)
    first_year = {h["name"]: 0 for h in design["hosts"] if h["cluster"] not in compute}
    before: dict[str, dict] = {}
    total_before = 0
    for entry in schedule:
        y = entry["year"]
        subject = f"year {y}"
        count = year_load(req["tenants"], given, y)[0]
        vms = tenant_vms(req["tenants"], given, y)
        if entry["tenants"] != count or entry["tenant_vms"] != vms:
            out.append(("growth", subject, f"{entry['tenants']} tenants and {entry['tenant_vms']} tenant VMs; the "
                                           f"growth of the requirements gives {count} and {vms}"))
        rows = {r["cluster"]: r for r in entry["clusters"]}
        if set(rows) != set(compute):
            out.append(("growth", subject, f"lists clusters {sorted(rows)}; the compute clusters are "
                                           f"{sorted(compute)}"))
            continue
        if sum(r["vms"] for r in rows.values()) != entry["tenant_vms"]:
            out.append(("growth", subject, f"its clusters hold {sum(r['vms'] for r in rows.values())} tenant VMs, "
                                           f"not {entry['tenant_vms']}"))
        for name, row in sorted(rows.items()):
            out += _cluster_year(f"{subject} {name}", row, compute[name], hosts_of[name], before.get(name),
                                 vms_on[name] if y == given["years"] else None)
            for h in hosts_of[name][before[name]["hosts"] if name in before else 0:row["hosts"]]:
                first_year[h["name"]] = y
        before = rows
        total = fixed + sum(r["hosts"] for r in rows.values())
        added = [h for h in design["hosts"] if first_year.get(h["name"]) == y]
        cost = round(sum(h.get("price", 0) for h in added), 2)
        if (entry["hosts"], entry["added_hosts"]) != (total, total - total_before) or \
                abs(entry["added_cost"] - cost) > TOLERANCE:
            out.append(("growth", subject, f"{entry['hosts']} hosts, {entry['added_hosts']} added for "
                                           f"{entry['added_cost']:,.2f}; its clusters give {total} hosts, "
                                           f"{total - total_before} added for {cost:,.2f}"))
        total_before = total
    want = {h: y for h, y in first_year.items() if y}
    if block["additional_hosts"] != want:
        out.append(("growth", "additional_hosts", f"names {len(block['additional_hosts'])} hosts bought after day "
                                                  f"one; the schedule gives {len(want)}"))
    return out


def _cluster_year(subject: str, row: dict, cluster: dict, hosts: list[dict], before: dict | None,
                  final_vms: int | None) -> list[tuple[str, str, str]]:
    """One compute cluster in one year: never shrinking, ending at the design, holding the year's load after
    its k worst failures (the largest of its first `hosts` hosts lost)."""
    n, k = row["hosts"], cluster["failures_tolerated"]
    if before and any(row[key] < before[key] for key in ("hosts", "vms", "vcpu", "memory_gb")):
        return [("growth", subject, f"shrinks from the year before ({before['hosts']} -> {n} hosts)")]
    if final_vms is not None and (n, row["vms"]) != (len(hosts), final_vms):
        return [("growth", subject, f"{n} hosts and {row['vms']} VMs in the final year; the design has "
                                    f"{len(hosts)} and {final_vms}")]
    if n > len(hosts) or (row["vms"] and n <= k):
        return [("growth", subject, f"{n} hosts: not within 1..{len(hosts)} with N+{k}")]
    survivors = sorted(hosts[:n], key=lambda h: h["vcpu_capacity"])[:n - k]
    vcpu = sum(h["vcpu_capacity"] for h in survivors)
    memory = sum(h["usable_memory_gb"] for h in sorted(hosts[:n], key=lambda h: h["usable_memory_gb"])[:n - k])
    if row["vcpu"] > vcpu or row["memory_gb"] > memory + TOLERANCE:
        return [("growth", subject, f"{n} hosts with N+{k} offer {vcpu} vCPU and {memory:g} GB after {k} "
                                    f"failure(s); the year's VMs need {row['vcpu']} vCPU and {row['memory_gb']:g} GB")]
    return []
