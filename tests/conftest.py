"""Shared fixtures: the reference profiles, each planned once per test session; cloud-balancing instances."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the benchmark's engine (bench.cloudbalancing) is tested too

from bench.cloudbalancing.dataset import DATASET  # noqa: E402
from planner.model.load import load_requirements  # noqa: E402
from planner.plan import plan  # noqa: E402

PROFILES = sorted(p.stem for p in (ROOT / "profiles").glob("*.yaml"))
TINY_INSTANCES = ROOT / "tests" / "data" / "cloudbalancing"  # shipped: the tiny ones (Apache-2.0, README there)


@pytest.fixture(scope="session")
def planned():
    """profile name -> (requirements, design, design.json text), planned lazily and cached."""
    cache: dict[str, tuple] = {}

    def get(name: str):
        if name not in cache:
            req = load_requirements(ROOT / "profiles" / f"{name}.yaml")
            design = plan(req)
            cache[name] = (req, design, design.to_json())
        return cache[name]

    return get


def as_dict(text: str) -> dict:
    return json.loads(text)


def cloudbalancing(name: str) -> Path:
    """A cloud-balancing instance ("json/2computers-6processes.json"): shipped when tiny, else from ../shared
    beside the clone; the test is skipped when neither has it."""
    for folder in (TINY_INSTANCES, DATASET):
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"needs {name} of the cloud-balancing dataset (../shared/datasets/cloudbalancing beside the clone)")


def pytest_collection_modifyitems(items):
    """With pytest-xdist's `--dist loadgroup` (pyproject.toml): a module's tests run in one worker, in order, and
    every module that uses `planned` in the same worker, so that no reference profile is planned twice."""
    planning = {item.module.__name__ for item in items if "planned" in getattr(item, "fixturenames", ())}
    for item in items:
        name = item.module.__name__
        item.add_marker(pytest.mark.xdist_group("planned" if name in planning else name))
