"""The cloud-balancing loader and scoring (dataset README, sections 3, 4 and 7), and the planner's
mixed-machine placement on the tiny instances (optimal) and a mid-size one (never worse than FFD)."""
from __future__ import annotations

import numpy as np
import pytest

from bench.cloudbalancing.dataset import best_bound, format_score, instances, load, score
from bench.cloudbalancing.mixed import ffd, solve_mixed

from conftest import cloudbalancing

TINY = {"2computers-6processes": 5460, "3computers-9processes": 5460, "4computers-12processes": 7410}


def same_data(a, b) -> bool:
    return (a.caps == b.caps).all() and (a.costs == b.costs).all() and (a.demands == b.demands).all()


def test_json_and_xml_hold_the_same_data():
    name = "4computers-12processes"
    inst = load(cloudbalancing(f"json/{name}.json"))
    assert same_data(inst, load(cloudbalancing(f"xml/{name}.xml")))
    assert inst.caps.shape == (4, 3) and inst.demands.shape == (12, 3) and inst.costs.sum() == 7410
    assert inst.caps.sum(axis=0).tolist() == [44, 148, 38] and inst.demands.sum(axis=0).tolist() == [40, 22, 23]


def test_mid_size_json_and_xml_as_the_dataset_readme_sums_them():
    name = "100computers-300processes"
    inst = load(cloudbalancing(f"json/{name}.json"))
    assert same_data(inst, load(cloudbalancing(f"xml/{name}.xml")))
    assert inst.caps.shape == (100, 3) and inst.demands.shape == (300, 3)
    assert inst.caps[0].tolist() == [24, 96, 16] and inst.costs[0] == 4800
    assert inst.caps.sum(axis=0).tolist() == [994, 2974, 924] and inst.demands.sum(axis=0).tolist() == [660, 1429, 703]


def test_every_instance_is_listed():
    cloudbalancing("xml/2400computers-7000processes.xml")  # the whole dataset, not shipped
    names = [p.name for p in instances()]
    assert len(names) == 11 and "2400computers-7000processes.xml" in names


def test_score_as_upstream_defines_it():
    inst = load(cloudbalancing("json/2computers-6processes.json"))
    assert score(inst, [0] * 6) == (0, -(22 - 16), -4800)  # network 22 on a 16 GB/h computer
    assert score(inst, None)[0] == -6
    assert format_score((0, 0, -5460)) == "0hard/-5460soft"
    assert format_score((-2, -1, -10)) == "-2init/-1hard/-10soft"
    assert score(inst, [0, -1, 0, 0, 0, 0])[0] == -1


@pytest.mark.parametrize("name", sorted(TINY))
def test_tiny_instances_solved_to_their_optimum(name):
    inst = load(cloudbalancing(f"json/{name}.json"))
    assign = solve_mixed(inst.problem(), time_limit=5, workers=2)
    init, hard, soft = score(inst, assign)
    assert (init, hard) == (0, 0) and -soft == TINY[name] == best_bound(inst)


def test_mid_size_feasible_never_worse_than_ffd_and_deterministic():
    inst = load(cloudbalancing("json/200computers-600processes.json"))
    a = solve_mixed(inst.problem(), time_limit=5, workers=2, lns_iterations=4)
    assert np.array_equal(a, solve_mixed(inst.problem(), time_limit=5, workers=2, lns_iterations=4))
    init, hard, soft = score(inst, a)
    assert (init, hard) == (0, 0)
    assert -soft <= -score(inst, ffd(inst.problem()))[2]
    assert best_bound(inst) <= -soft
