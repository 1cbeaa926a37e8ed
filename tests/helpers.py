"""Small builders of requirement documents for tests."""
from __future__ import annotations

import copy

from planner.model.requirements import Requirements

BASE = {
    "name": "t",
    "system_center": "2016",
    "wap": {"deployment": "distributed", "concurrent_tenant_users": 100},
    "tenants": {"count": 10, "vms_per_tenant": 4, "vm_sizes": {"small": "60%", "medium": "40%"},
                "networking": "nvgre", "console_access": True},
    "availability": {"management": {"host_failures": 1}, "compute": {"host_failures": 1},
                     "edge": {"host_failures": 1}, "racks": 1},
    "hardware": {"host_models": [{"name": "m16", "sockets": 2, "cores_per_socket": 8, "memory_gb": 256,
                                  "price": 10000}]},
    "networks": {"supernet": "10.0.0.0/8"},
}


def requirements(**changes) -> Requirements:
    """BASE with dotted-path changes, e.g. requirements(**{"tenants.count": 5})."""
    doc = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = doc
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return Requirements.model_validate(doc)
