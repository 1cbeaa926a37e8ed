"""The validator's stamp rules: what one VMM server and one SPF may serve.

Standard library only, like validate.py, which uses it. The limits are the products' published
maxima (docs/design-format.md), repeated here so that the checker needs no catalog; a test keeps
them equal to planner/catalog/limits.yaml.
"""
from __future__ import annotations

import re
from collections import defaultdict

VMM_MAX_VMS = 25_000          # per VMM server (SystemCenterDocs vmm/system-reqs.md)
VMM_MAX_HOSTS = 1_000
VMM_MAX_USER_ROLES = 1_000    # each tenant (WAP VM Clouds subscription) is one VMM user role
VMM_MAX_VM_NETWORKS = 2_000
SPF_MAX_STAMPS = 5            # stamps one SPF (and so one WAP) serves (dn457793)
STAMP_MANAGEMENT_VMS = 100    # of VMM_MAX_VMS, kept for each stamp's own management and edge VMs (a planning figure)
CLUSTER_MAX_HOSTS = 64        # nodes per Hyper-V failover cluster (plan-hyper-v-scalability-in-windows-server.md)
CLUSTER_MAX_VMS = 8_000       # running VMs per Hyper-V failover cluster (same page)
VMM_MIN_CORES = {"2016": 8, "2019": 8}  # vCPU of a VMM management server VM, by System Center (vmm/system-reqs.md)
FQDN = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", re.IGNORECASE)


def is_fqdn(x) -> bool:
    return isinstance(x, str) and len(x) <= 253 and FQDN.fullmatch(x) is not None


def check_clusters(clusters: dict, members: dict, vms_on: dict, version) -> list[tuple[str, str, str]]:
    """Rules "cluster-limits" (each cluster within Hyper-V's nodes and running VMs per cluster) and
    "vmm-cores" (each VMM VM has the cores VMM's version needs at least; `version`: design's system_center)."""
    out = []
    for name in clusters:
        vms = [vm for h in members[name] for vm in vms_on[h]]
        out += [("cluster-limits", name, f"{have:,} {what} > {most:,}, the most a Hyper-V cluster has")
                for what, have, most in (("hosts", len(members[name]), CLUSTER_MAX_HOSTS),
                                         ("VMs", len(vms), CLUSTER_MAX_VMS)) if have > most]
        least = VMM_MIN_CORES.get(version, 0) if isinstance(version, str) else 0
        out += [("vmm-cores", vm["name"], f"{vm['vcpu']} vCPU < {least}, the minimum for VMM {version}")
                for vm in vms if vm.get("role") == "vmm" and vm["vcpu"] < least]
    return out


def check_stamps(stamps: dict, clusters: dict, members: dict, vms_on: dict, version=None) -> list[tuple[str, str, str]]:
    """Rules "stamp-limits" (each stamp within one VMM server's maxima) and "spf-stamps" (at most
    SPF_MAX_STAMPS stamps per SPF; stamps that name no SPF count as one design's one SPF), and
    check_clusters' rules. Returns (rule, subject, message) triples."""
    hosts, vms = defaultdict(int), defaultdict(int)
    for name, cluster in clusters.items():
        hosts[cluster["stamp"]] += len(members[name])
        vms[cluster["stamp"]] += sum(len(vms_on[h]) for h in members[name])
    out = []
    for name, stamp in stamps.items():
        for what, have, most in (("VMs", vms[name], VMM_MAX_VMS), ("hosts", hosts[name], VMM_MAX_HOSTS),
                                 ("tenants (VMM user roles)", stamp.get("tenants") or 0, VMM_MAX_USER_ROLES),
                                 ("VM networks", stamp.get("vm_networks") or 0, VMM_MAX_VM_NETWORKS)):
            if have > most:
                out.append(("stamp-limits", name, f"{have:,} {what} > {most:,}, the most one VMM server manages"))
    out += check_clusters(clusters, members, vms_on, version)
    per_spf = defaultdict(list)
    for name, stamp in stamps.items():
        per_spf[stamp.get("spf") or "the design's SPF"].append(name)
    out += [("spf-stamps", spf, f"{len(names)} stamps ({', '.join(names)}) on one SPF, which serves at most "
                                f"{SPF_MAX_STAMPS} (dn457793)") for spf, names in per_spf.items()
            if len(names) > SPF_MAX_STAMPS]
    return out
