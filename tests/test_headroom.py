"""Headroom agrees with placing that many more VMs on the same hosts, and one more does not fit."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from planner.cli import app
from planner.headroom import Size, add_vms, check_added, headroom, vm_size
from planner.validate import validate_design

from conftest import ROOT

SMALL = ROOT / "outputs" / "small" / "design.json"


def design_of(loads: list[int], racks: int = 1, rack_tolerance: bool = False, k: int = 1,
              shared_gb: float = 100_000) -> dict:
    """One compute cluster of 10-vCPU, 20 GB hosts; host i carries one VM of loads[i] vCPU."""
    hosts = [{"name": f"C-H{i + 1}", "cluster": "C", "fault_domain": f"rack{i % racks + 1}",
              "vcpu_capacity": 10, "usable_memory_gb": 20} for i in range(len(loads))]
    vms = [{"name": f"V{i + 1}", "role": "tenant", "host": f"C-H{i + 1}", "vcpu": v, "memory_gb": v,
            "storage_gb": 10} for i, v in enumerate(loads)]
    return {"format": "stampplan.design/1", "stamps": [{"name": "S", "vmm_vms": []}],
            "clusters": [{"name": "C", "stamp": "S", "purpose": "compute", "failures_tolerated": k,
                          "fault_domain_tolerance": rack_tolerance, "shared_storage_gb": shared_gb}],
            "hosts": hosts, "vms": vms}


def agrees(design: dict, size: Size) -> None:
    """For every compute cluster: N more are proven sound by the validator; N + 1 do not fit."""
    for room in headroom(design, size):
        grown = add_vms(design, room.cluster, size, room.fits)
        assert validate_design(grown).sound, room.cluster
        assert check_added(design, room.cluster, size, room.fits) == ""
        assert check_added(design, room.cluster, size, room.fits + 1) != ""
        assert sum(room.placed.values()) == room.fits


def test_small_design_medium_vms():
    design = json.loads(SMALL.read_text())
    size = vm_size(design, "medium")
    rooms = headroom(design, size)
    assert [r.cluster for r in rooms] == ["COMP01"] and rooms[0].fits > 0
    agrees(design, size)


def test_rack_loss_limits_the_headroom_exactly():
    # 4 hosts over 2 racks, 2 vCPU used each: losing a rack puts two hosts' load on the other two,
    # so each host may carry 5 vCPU: 3 more 1-vCPU VMs per host
    design = design_of([2, 2, 2, 2], racks=2, rack_tolerance=True)
    one = Size("one", 1, 1, 10)
    rooms = headroom(design, one)
    assert rooms[0].fits == 12 and rooms[0].stopped_by.startswith("failover")
    agrees(design, one)
    plain = headroom(design_of([2, 2, 2, 2]), one)[0]  # N+1 only: 3 hosts hold 4 hosts' load
    assert plain.fits == 22  # loads 8, 8, 7, 7: one more makes a host of 8 that the other three cannot take
    agrees(design_of([2, 2, 2, 2]), one)


def test_storage_and_capacity_limits():
    design = design_of([2, 2, 2], k=0, shared_gb=100)  # 30 GB used: 7 more 10 GB VMs
    room = headroom(design, Size("one", 1, 1, 10))[0]
    assert room.fits == 7 and room.stopped_by == "shared storage"
    room = headroom(design_of([2, 2, 2], k=0), Size("one", 1, 1, 10))[0]
    assert room.fits == 24 and room.stopped_by == "vCPU"


def test_cli(tmp_path):
    result = CliRunner().invoke(app, ["headroom", str(SMALL), "--size", "medium"])
    assert result.exit_code == 0 and "COMP01" in result.output and "more fit" in result.output
    bad = CliRunner().invoke(app, ["headroom", str(SMALL), "--size", "enormous"])
    assert bad.exit_code == 2 and "unknown VM size" in bad.output and "Traceback" not in bad.output
