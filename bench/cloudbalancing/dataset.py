"""The OptaPlanner / Timefold cloud-balancing instances as placement input, and their exact score.

Format and scoring: ../shared/datasets/cloudbalancing/README.md (sections 3 and 4).
A loader only: it adapts an instance to the planner's mixed-machine placement input
(mixed.py) and scores an assignment; no solving here.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.cloudbalancing.bounds import cover_bound, lp_cover_bound
from bench.cloudbalancing.problem import MixedProblem

DATASET = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "cloudbalancing"  # ../shared beside the clone
RESOURCES = (("cpuPower", "requiredCpuPower"), ("memory", "requiredMemory"),
             ("networkBandwidth", "requiredNetworkBandwidth"))


@dataclass(frozen=True)
class Instance:
    name: str
    caps: np.ndarray  # computers x (cpu, memory, network)
    costs: np.ndarray
    demands: np.ndarray  # processes x (cpu, memory, network)

    def problem(self) -> MixedProblem:
        return MixedProblem(self.caps, self.costs, self.demands)


def load(path: str | Path) -> Instance:
    """Read a cloud-balancing instance (JSON or XStream XML), ids in file order."""
    path = Path(path)
    name = path.name.split(".")[0]
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        computers, processes = data["computerList"], data["processList"]
        caps = [[c[r] for r, _ in RESOURCES] for c in computers]
        costs = [c["cost"] for c in computers]
        demands = [[p[q] for _, q in RESOURCES] for p in processes]
    else:
        root = ET.parse(path).getroot()
        comps = root.find("computerList").findall("CloudComputer")
        procs = root.find("processList").findall("CloudProcess")
        caps = [[int(c.findtext(r)) for r, _ in RESOURCES] for c in comps]
        costs = [int(c.findtext("cost")) for c in comps]
        demands = [[int(p.findtext(q)) for _, q in RESOURCES] for p in procs]
    return Instance(name, np.asarray(caps, dtype=np.int64), np.asarray(costs, dtype=np.int64),
                    np.asarray(demands, dtype=np.int64).reshape(-1, 3))


def score(inst: Instance, assign) -> tuple[int, int, int]:
    """(init, hard, soft) as upstream defines: init = -unassigned processes, hard = -total overflow
    over computers and resources, soft = -sum of the cost of computers running a process."""
    if assign is None:
        assign = np.full(len(inst.demands), -1)
    assign = np.asarray(assign, dtype=np.int64)
    placed = assign >= 0
    load = np.zeros_like(inst.caps)
    np.add.at(load, assign[placed], inst.demands[placed])
    hard = -int(np.maximum(load - inst.caps, 0).sum())
    soft = -int(inst.costs[np.unique(assign[placed])].sum()) if placed.any() else 0
    return -int((~placed).sum()), hard, soft


def format_score(s: tuple[int, int, int]) -> str:
    init, hard, soft = s
    return (f"{init}init/" if init else "") + f"{hard}hard/{soft}soft"


def best_bound(inst: Instance) -> int:
    """The best solver-free lower bound on the cost: the LP cover (dual), or the exact cheapest cover for a few
    computers."""
    demand = inst.demands.sum(axis=0).tolist()
    lp = lp_cover_bound(inst.caps.tolist(), inst.costs.tolist(), demand)
    exact = cover_bound(inst.caps.tolist(), inst.costs.tolist(), demand, inst.demands.max(axis=0).tolist())
    return int(max(np.ceil(lp - 1e-6), exact or 0))


def instances() -> list[Path]:
    """Every instance of the dataset: JSON where there is one, the XML-only 2400, and the regenerated 10000."""
    js = sorted((DATASET / "json").glob("*.json"), key=lambda p: int(p.name.split("computers")[0]))
    out = [p for p in js if not p.name.startswith("10000")]
    out += [DATASET / "xml" / "2400computers-7000processes.xml", DATASET / "json" / "10000computers-30000processes.json",
            DATASET / "derived" / "10000computers-30000processes.regenerated.json"]
    return out
