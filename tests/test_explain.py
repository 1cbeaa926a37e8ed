"""Why no design: requirements known to clash name exactly the clashing fields (exit 3)."""
from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import Infeasible
from planner.plan import plan
from planner.settings import SolverSettings

from helpers import requirements
from cpu_budget import cpu_budget

FAST = SolverSettings(time_limit=5, workers=2)
TINY = {"name": "tiny", "sockets": 1, "cores_per_socket": 4, "memory_gb": 64, "price": 3000}


def clash(**changes) -> Infeasible:
    with pytest.raises(Infeasible) as err:
        plan(requirements(**changes), FAST)
    return err.value


def fields(error: Infeasible) -> list[str]:
    return [c[0] for c in error.clashes]


def test_three_sql_nodes_on_two_hosts():
    # ha also gives SMA three VMs (wap.deployment): a clash of the same size; the explicit override is named
    error = clash(**{"wap.deployment": "ha", "overrides": {"sql": {"instances": 3}},
                     "hardware.max_hosts_per_cluster": 2})
    assert fields(error) == ["hardware.max_hosts_per_cluster", "overrides.sql.instances"]
    assert [c[1] for c in error.clashes] == [2, 3]
    assert "MGMT01" in str(error)


def test_ha_deployment_on_two_hosts_names_the_deployment_mode():
    error = clash(**{"wap.deployment": "ha", "hardware.max_hosts_per_cluster": 2})
    assert fields(error) == ["hardware.max_hosts_per_cluster", "wap.deployment"]
    assert error.clashes[1][1] == "ha" and "sma" in error.clashes[1][2]


def test_rack_loss_with_one_rack():
    error = clash(**{"availability.survive_rack_loss": True})
    assert fields(error) == ["availability.survive_rack_loss", "availability.racks"]


def test_host_model_too_small_for_the_largest_vm():
    error = clash(**{"custom_vm_sizes": {"huge": {"vcpu": 80, "memory_gb": 64, "storage_gb": 40}},
                     "tenants.vm_sizes": {"huge": 100}})
    assert fields(error) == ["hardware.host_models", "hardware.vcpu_per_core.compute", "tenants.vm_sizes"]


def test_max_hosts_too_low_for_the_volume():
    error = clash(**{"hardware.host_models": [TINY], "hardware.max_hosts_per_cluster": 3})
    assert fields(error) == ["hardware.max_hosts_per_cluster", "hardware.host_models"]
    assert "32 vCPU" in error.clashes[1][2]


def test_volume_plus_failover_names_the_failover_too():
    # 4 tiny hosts hold the management VMs, but not with one more for N+1
    error = clash(**{"hardware.host_models": [TINY], "hardware.max_hosts_per_cluster": 4})
    assert fields(error) == ["hardware.max_hosts_per_cluster", "availability.management.host_failures",
                             "hardware.host_models"]


def test_rack_loss_that_needs_more_hosts():
    error = clash(**{"hardware.host_models": [TINY], "hardware.max_hosts_per_cluster": 7,
                     "availability.racks": 2, "availability.survive_rack_loss": True})
    assert fields(error) == ["hardware.max_hosts_per_cluster", "availability.survive_rack_loss",
                             "hardware.host_models"]


def test_cli_exits_3_and_names_only_the_clash(tmp_path):
    path = tmp_path / "clash.yaml"
    path.write_text(
        "name: clash\nwap: {deployment: ha}\ntenants: {count: 10, vms_per_tenant: 4}\n"
        "hardware:\n  host_models: [{name: m16, sockets: 2, cores_per_socket: 8, memory_gb: 256, price: 10000}]\n"
        "  max_hosts_per_cluster: 2\noverrides: {sql: {instances: 3}}\n")
    result = CliRunner().invoke(app, ["plan", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert "overrides.sql.instances = 3" in result.output
    assert "hardware.max_hosts_per_cluster = 2" in result.output
    assert "host_failures" not in result.output and "wap.deployment" not in result.output
    assert not (tmp_path / "o").exists()


def test_too_many_users_for_the_hosts_names_the_users_and_only_relaxations_that_help():
    """Issue 16: 6 000 users need 10 tenant portals, each on a host of its own, in an 8-host cluster. Fewer host
    failures or a bigger host model do not help; fewer users or more hosts do (each checked by re-solving)."""
    error = clash(**{"wap.concurrent_tenant_users": 6000, "hardware.max_hosts_per_cluster": 8})
    assert "wap.concurrent_tenant_users" in fields(error)
    assert not {"availability.management.host_failures", "availability.edge.host_failures",
                "hardware.host_models"} & set(fields(error))
    users = next(c for c in error.clashes if c[0] == "wap.concurrent_tenant_users")
    assert users[1] == 6000


def test_a_vm_too_big_for_every_host_model_names_the_size_field_with_its_value():
    error = clash(**{"hardware.host_models": [{**TINY, "memory_gb": 16}]})
    overrides = [c for c in error.clashes if c[0].startswith("overrides.")]
    assert overrides and all(c[0].rsplit(".", 1)[1] in ("vcpu", "memory_gb") for c in overrides)
    assert all(isinstance(c[1], (int, float)) for c in overrides)  # the field's value, not a VM name


def test_a_bound_past_the_host_limit_names_the_clash_at_once():
    """Issue 18: 56 HNV gateways (at most 4 a host, on hosts of their own) and 30 tenant portals (each on a host
    of its own) need at least 45 edge hosts; within 24 the clash explanation took minutes of re-solves. Now the
    bound stops it: exit 3 in seconds, naming the host limit and the smallest clash behind a bound past it (the
    30 portals, set by the concurrent users), with the bound that drives the host count."""
    start = time.process_time()
    error = clash(**{"tenants.count": 560, "tenants.vms_per_tenant": 1, "tenants.vm_networks_per_gateway": 20,
                     "wap.concurrent_tenant_users": 18000, "hardware.max_hosts_per_cluster": 24,
                     "hardware.host_models": [{"name": "big", "sockets": 2, "cores_per_socket": 16,
                                               "memory_gb": 384, "price": 14000}]})
    assert time.process_time() - start < cpu_budget(15)
    assert error.exit_code == 3 and "EDGE01" in str(error)
    assert fields(error) == ["hardware.max_hosts_per_cluster", "wap.concurrent_tenant_users"]
    assert "at least 45 hosts" in error.clashes[0][2] and "dedicated to hnv-gateway" in error.clashes[0][2]
