"""Rule "cost" of the solver-free validator: the stated term cost is the true cost of the hosts and licences.

Standard library only, from the contract (docs/design-format.md, `cost` and `pricing`): every host is priced
from its model in `requirements.hardware.host_models` and the `pricing` terms, prices and licence rules; every SQL
VM (per-vm) or every host of a cluster running SQL VMs (per-host) adds its SQL Server licences. Each item of
`cost`, its total, the solver's objective, and an "optimal" status with a gap, are checked; and the bound's
arithmetic over the stamp counts (`solver.stamp_bounds`, check_stamp_bounds).
"""
from __future__ import annotations

import math

from planner.validate_stamps import SPF_MAX_STAMPS, STAMP_MANAGEMENT_VMS, VMM_MAX_USER_ROLES, VMM_MAX_VM_NETWORKS, \
    VMM_MAX_VMS

TOLERANCE = 0.05  # amounts are rounded to cents
HOURS_PER_YEAR = 8760


def _units(sockets: int, cores: int, metric: str, r: dict) -> int:
    if metric == "per-processor":
        return math.ceil(sockets / r["processors_per_licence"])
    return math.ceil(max(cores, r["min_cores_per_processor"] * sockets, r["min_cores_per_server"])
                     / r["cores_per_pack"])


def true_cost(design: dict) -> dict[str, float]:
    """The term cost by item recomputed from `design`; raises KeyError/TypeError/ValueError when malformed."""
    pr = design["pricing"]
    p, r, years, spla = pr["prices"], pr["rules"], pr["term_years"], pr["model"] == "spla"
    months = 12 * years
    models = {m["name"]: m for m in design["requirements"]["hardware"]["host_models"]}
    ks = {c["name"]: c["failures_tolerated"] for c in design["clusters"]}
    counts: dict[str, int] = {}
    for h in design["hosts"]:
        counts[h["cluster"]] = counts.get(h["cluster"], 0) + 1
    out = dict.fromkeys(("hardware", "windows_server", "system_center", "sql_server", "software_assurance",
                         "power", "rack_space"), 0.0)

    def sql(packs: int, edition: str, assured: bool) -> None:
        if spla:
            out["sql_server"] += packs * p[f"sql_{edition.lower()}_spla_2core_month"] * months
            return
        licence = packs * p[f"sql_{edition.lower()}_2core"]
        out["sql_server"] += licence
        out["software_assurance"] += licence * p["software_assurance_percent"] / 100 * years if assured else 0.0

    sql_clusters = {vm["cluster"] for vm in design["vms"] if vm.get("role") == "sql"}
    for h in design["hosts"]:
        m = models[h["model"]]
        sockets, cores = m["sockets"], m["sockets"] * m["cores_per_socket"]
        out["hardware"] += m["price"]
        if spla:
            packs = _units(sockets, cores, "per-core", r)
            out["windows_server"] += packs * p["windows_datacenter_spla_2core_month"] * months
            out["system_center"] += packs * p["system_center_datacenter_spla_2core_month"] * months
        else:
            suffix = "2proc" if pr["metric"] == "per-processor" else "2core"
            units = _units(sockets, cores, pr["metric"], r)
            out["windows_server"] += units * p[f"windows_datacenter_{suffix}"]
            out["system_center"] += units * p[f"system_center_datacenter_{suffix}"]
        if pr["sql_mode"] == "per-host" and h["cluster"] in sql_clusters:
            packs = math.ceil(max(cores, r["sql_min_cores_per_processor"] * sockets) / r["cores_per_pack"])
            sql(packs, r["sql_per_host_edition"], True)
        out["power"] += m.get("power_watts", 0) / 1000 * HOURS_PER_YEAR * years * p["power_kwh"]
        out["rack_space"] += m.get("rack_units", 0) * p["rack_unit_month"] * months
    if pr["sql_mode"] == "per-vm":
        vms = {vm["name"]: vm for vm in design["vms"]}
        first: dict[str, str] = {}
        for inst in design.get("sql_instances") or []:
            for node in inst["nodes"]:
                first.setdefault(node, inst["ha"])
        for node, ha in first.items():
            vm = vms.get(node)
            if vm is not None and vm["cluster"] in ks:
                packs = math.ceil(max(vm["vcpu"], r["sql_min_cores_per_vm"]) / r["cores_per_pack"])
                sql(packs, r["sql_edition"][ha], ks[vm["cluster"]] > 0 or counts.get(vm["cluster"], 0) > 1)
    out["total"] = sum(out.values())
    return out


def check_cost(design) -> list[tuple[str, str, str]]:
    """(rule, subject, message) for every stated amount that is not the true cost."""
    if not isinstance(design, dict) or not isinstance(design.get("cost"), dict):
        return []
    stated = design["cost"]
    if "total" not in stated:
        return []  # a design without a term cost (placement only)
    if not isinstance(design.get("pricing"), dict):
        return [("cost", "cost", "the design states a total cost but no pricing to check it against")]
    try:
        true = true_cost(design)
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError) as error:
        return [("cost", "pricing", f"the pricing or host models are malformed ({type(error).__name__}: "
                                    f"{str(error)[:80]})")]
    findings = []
    for key, value in true.items():
        given = stated.get(key)
        if not isinstance(given, (int, float)) or isinstance(given, bool) or abs(given - value) > TOLERANCE:
            findings.append(("cost", key, f"cost.{key} is {given!r} but the hosts and licences cost {value:,.2f}"))
    solver = design.get("solver") if isinstance(design.get("solver"), dict) else {}
    objective, bound = solver.get("objective"), solver.get("lower_bound")
    if not isinstance(objective, (int, float)) or abs(objective - true["total"]) > TOLERANCE:
        findings.append(("cost", "solver", f"solver.objective {objective!r} is not the true total "
                                           f"{true['total']:,.2f}"))
    elif solver.get("status") == "optimal" and (not isinstance(bound, (int, float)) or bound < objective - TOLERANCE):
        findings.append(("cost", "solver", f"status optimal but the lower bound {bound!r} is below the cost "
                                           f"{objective:,.2f}"))
    return findings + [("cost", "solver.stamp_bounds", m) for m in check_stamp_bounds(design)]


def least_stamps(design: dict) -> int:
    """The fewest stamps the VMM scale limits allow for the design's tenants, VM networks and tenant VMs."""
    stamps = [s for s in design.get("stamps") or [] if isinstance(s, dict)]
    tenants = sum(s.get("tenants") or 0 for s in stamps)
    networks = sum(s.get("vm_networks") or 0 for s in stamps)
    vms = sum(1 for vm in design.get("vms") or [] if str(vm.get("role", "")).startswith("tenant"))
    return max(1, math.ceil(tenants / VMM_MAX_USER_ROLES), math.ceil(networks / VMM_MAX_VM_NETWORKS),
               math.ceil(vms / (VMM_MAX_VMS - STAMP_MANAGEMENT_VMS)))


def check_stamp_bounds(design: dict) -> list[str]:
    """The whole-design bound is the least over every legal stamp count: one entry per count from the least the
    VMM limits allow to the most one SPF serves, each total the sum of its parts, the design's own count with its
    management and edge clusters' bounds, and `solver.lower_bound` the least total (at most the cost)."""
    solver = design.get("solver") if isinstance(design.get("solver"), dict) else {}
    entries = solver.get("stamp_bounds")
    if entries is None:
        return []
    try:
        counts = [e["stamps"] for e in entries]
        want = list(range(least_stamps(design), SPF_MAX_STAMPS + 1))
        out = [] if set(want) <= set(counts) else [f"covers stamp counts {counts}, not every legal one {want}"]
        totals = []
        for e in entries:
            if "infeasible" in e:
                continue
            parts = e["management_edge"] + e["sql"] + e["compute"]
            if abs(parts - e["total"]) > TOLERANCE:
                out.append(f"{e['stamps']} stamps: total {e['total']:,.2f} is not the sum of its parts {parts:,.2f}")
            totals.append(e["total"])
        own = next((e for e in entries if e["stamps"] == len(design["stamps"])), None)
        purpose = {c["name"]: c["purpose"] for c in design["clusters"]}
        fixed = sum(r["lower_bound_cost"] for r in solver["clusters"] if purpose.get(r["cluster"]) != "compute")
        if own is None or "infeasible" in own or abs(own["management_edge"] - fixed) > TOLERANCE:
            out.append(f"the design's own {len(design['stamps'])} stamp(s) need an entry whose management_edge is "
                       f"its management and edge clusters' bounds, {fixed:,.2f}")
        least, bound = min(totals), solver["lower_bound"]
        if abs(bound - least) > TOLERANCE and not (bound < least and abs(bound - solver["objective"]) <= TOLERANCE):
            out.append(f"lower_bound {bound!r} is not the least stamp count's bound {least:,.2f} (nor the cost, "
                       "when below it)")
        return out
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return [f"malformed ({type(error).__name__}: {str(error)[:80]})"]
