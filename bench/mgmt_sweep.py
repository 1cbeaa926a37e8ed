"""Management and edge clusters across many stamps: how long the planner takes to place them
and prove the host count optimal. Not part of the test suite.

    .venv/bin/python bench/mgmt_sweep.py              # profile variants, then the crafted clusters
    .venv/bin/python bench/mgmt_sweep.py --crafted    # the crafted clusters only

Variants of every reference profile: tenants x 1/4, 1, 2, 4 (at most one stamp's worth),
management and edge host_failures 1 or 2, rack loss off or on (4 racks). Only the management and
edge clusters are solved (the way `plan` solves them, every host model); prints one row per
cluster and a summary of the slowest. Then crafted clusters of up to 120 VMs and 24 hosts, N+1 and
N+2, one rack, four racks (HA groups across racks), four racks surviving the loss of one: volume-bound, anti-affinity-bound, gateway-heavy (dedicated gateway hosts,
at most 4 gateways a host, a spread portal farm). "cpu s" is the process CPU time (all threads):
on a loaded machine it is closer than the wall time to what an idle 2-core machine takes.
"""
from __future__ import annotations

import copy
import io
import itertools
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.catalog import load_catalog  # noqa: E402
from planner.errors import Infeasible  # noqa: E402
from planner.model.design import Cluster  # noqa: E402
from planner.model.load import parse_requirements  # noqa: E402
from planner.solve.cluster import problems, solve_cluster  # noqa: E402
from planner.solve.problem import ClusterProblem, HostType, Item  # noqa: E402
from planner.settings import SolverSettings  # noqa: E402
from planner.sizing import size_design  # noqa: E402

MAX_TENANT_VMS = 24_000  # one stamp


def variants(path: Path):
    base = YAML(typ="safe").load(path.read_text())
    for scale, mgmt_k, edge_k, racks in itertools.product((0.25, 1, 2, 4), (1, 2), (1, 2), (False, True)):
        data = copy.deepcopy(base)
        t = data.setdefault("tenants", {})
        t["count"] = max(1, round(t.get("count", 1) * scale))
        per = t.get("vms_per_tenant", 1)
        if t["count"] * per > MAX_TENANT_VMS:
            continue
        avail = data.setdefault("availability", {})
        avail["management"] = {"host_failures": mgmt_k}
        avail["edge"] = {"host_failures": edge_k}
        if racks:
            avail["racks"] = 4
            avail["survive_rack_loss"] = True
        out = io.StringIO()
        YAML(typ="safe").dump(data, out)
        yield f"{path.stem} x{scale} mgmt N+{mgmt_k} edge N+{edge_k}{' rack' if racks else ''}", out.getvalue()


MGMT_HOST = HostType("2S-16C-384G", 14000, 64, 381184, None, 1024, 384)  # management: 2 vCPU per core
EDGE_HOST = HostType("2S-16C-384G", 14000, 32, 381184, None, 1024, 384)  # edge: 1 vCPU per core
GATEWAY = ("hnv-gateway", 4)  # at most 4 per host, hosts dedicated (planner/catalog/roles.yaml)


def _vms(prefix: str, count: int, vcpu: int, gb: int, role: str, group: str | None = None, scope: str = "host",
         size: int = 2, cap: int = 1) -> list[Item]:
    """`count` VMs; with `group`, in groups of `size` (group names suffixed with the group number)."""
    return [Item(f"{prefix}{i:03d}", vcpu, gb * 1024, 60, f"{group}{i // size}" if group else None, scope, role, cap)
            for i in range(count)]


def _mgmt(kind: str, scope: str) -> list[Item]:
    if kind == "volume-bound":  # 118 VMs: HA pairs of the big roles, many small singletons
        return (_vms("sql", 4, 16, 32, "sql", "sql", scope) + _vms("vmm", 4, 8, 16, "vmm", "vmm", scope)
                + _vms("spf", 6, 8, 16, "spf", "spf", scope, 3) + _vms("scom", 4, 4, 16, "scom", "scom", scope)
                + _vms("app", 60, 4, 8, "sma") + _vms("web", 40, 2, 4, "wap-admin-api"))
    if kind == "volume-bound, large VMs":  # 118 VMs; with N+2 the restarts need holes for 16-vCPU VMs
        return (_vms("sql", 8, 16, 64, "sql", "sql", scope) + _vms("vmm", 10, 10, 20, "vmm", "vmm", scope)
                + _vms("app", 40, 6, 24, "sma") + _vms("web", 60, 4, 8, "wap-admin-api"))
    # anti-affinity-bound: few small VMs in wide HA groups (six members; four across four racks)
    size = 6 if scope == "host" else 4
    return (_vms("adfs", 12, 2, 4, "adfs", "adfs", scope, size)
            + _vms("api", 18, 2, 4, "wap-tenant-api", "api", scope, size))


def _edge(gateways: int, portals: int, scope: str) -> list[Item]:
    return (_vms("gw", gateways, 8, 8, "hnv-gateway", "pair", scope)
            + _vms("portal", portals, 2, 4, "wap-tenant-portal", "portal", "host", portals, cap=3)
            + _vms("api", 2, 2, 4, "wap-tenant-public-api", "api", scope)
            + _vms("rdgw", 2, 2, 4, "rdgw", "rdgw", scope))


def crafted():
    """(name, cluster, problem) of every crafted case."""
    for k, (racks, loss) in itertools.product((1, 2), ((1, False), (4, False), (4, True))):
        scope = "fault_domain" if racks > 1 else "host"
        cases = [(f"mgmt {kind}", "management", _mgmt(kind, scope), MGMT_HOST, (), frozenset())
                 for kind in ("volume-bound", "volume-bound, large VMs", "anti-affinity-bound")]
        cases += [(f"edge {g} gateways + {pt} portals", "edge", _edge(g, pt, scope), EDGE_HOST, (GATEWAY,),
                   frozenset({GATEWAY[0]})) for g, pt in ((16, 8), (40, 8), (48, 24), (72, 9))]
        for name, purpose, items, host, caps, dedicated in cases:
            cluster = Cluster(name=name, stamp="S1", purpose=purpose, failures_tolerated=k,
                              fault_domain_tolerance=loss, vcpu_per_core=host.vcpu / 32)
            yield (f"{name}, N+{k}, {racks} rack{'s' if racks > 1 else ''}{' + rack loss' if loss else ''}", cluster,
                   ClusterProblem(name, tuple(items), host, k, racks, loss, 24, role_caps=caps, dedicated=dedicated))


def _timed(cluster: Cluster, candidates: list[ClusterProblem], req=None) -> tuple[float, float, str]:
    """Wall and CPU seconds of solving one cluster, and its hosts | status | method | busiest host's vCPU
    (the least the busiest can carry: the mean load rounded up, or the largest VM)."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        out = solve_cluster(cluster, candidates, SolverSettings(), lambda _: None, req)
        result = f"{out.report.hosts} | {out.report.status} | {out.report.method} | {_balance(out)}"
    except Infeasible:
        result = "— | infeasible | — | —"
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _balance(out) -> str:
    """The busiest host's vCPU and the least any placement on those hosts could give it."""
    load = [0] * out.placement.n
    for it in out.problem.items:
        load[out.placement.host_of[it.name]] += it.vcpu
    least = max(-(-sum(load) // len(load)), max(it.vcpu for it in out.problem.items))
    return f"{max(load)} ({least})"


def _summary(rows) -> str:
    slow = max(rows)
    statuses = {r[-1].split(" | ")[1] for r in rows}
    return (f"{len(rows)} clusters; statuses {sorted(statuses)}; slowest {slow[0]:.2f} s ({slow[2]}); "
            f"over 2 s: {sum(r[0] > 2 for r in rows)} wall, {sum(r[1] > 2 for r in rows)} cpu")


def _table(title: str, rows) -> None:
    """Print each row as it is measured (a crash still leaves the rows before it), then the summary."""
    print(f"| {title} | VMs | seconds | cpu s | hosts | status | method | busiest vCPU (least) |\n"
          "|---|---|---|---|---|---|---|---|", flush=True)
    done = []
    for wall, cpu, name, vms, result in rows:
        print(f"| {name} | {vms} | {wall:.2f} | {cpu:.2f} | {result} |", flush=True)
        done.append((wall, cpu, name, vms, result))
    print(f"\n{_summary(done)}\n")


def sweep_crafted() -> None:
    def rows():
        for name, cluster, p in crafted():
            wall, cpu, result = _timed(cluster, [p])
            yield wall, cpu, name, len(p.items), result
    _table("crafted cluster", rows())


def _profile_rows():
    host_max_vms = load_catalog().limit("host_max_vms", "2016").value
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        for name, text in variants(path):
            req = parse_requirements(text, name)
            sizing = size_design(req, 1, [1])
            groups = {g.name: g for g in sizing.groups}
            for cluster in sizing.clusters:
                if cluster.purpose == "compute":
                    continue
                vms = sizing.vms_of(cluster.name)
                wall, cpu, result = _timed(cluster, problems(cluster, vms, req, groups, host_max_vms), req)
                yield wall, cpu, f"{name}, {cluster.name}", len(vms), result


def sweep_profiles() -> None:
    _table("variant, cluster", _profile_rows())


def main() -> None:
    if "--crafted" not in sys.argv:
        sweep_profiles()
    sweep_crafted()


if __name__ == "__main__":
    main()
