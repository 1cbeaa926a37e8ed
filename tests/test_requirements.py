"""The requirements model and the catalog: clear errors naming the field and line."""
from __future__ import annotations

import pytest

from planner.catalog import load_catalog
from planner.errors import InputError
from planner.model.load import parse_requirements
from planner.model.requirements import Requirements

from helpers import BASE, requirements

HW = "hardware: {host_models: [{name: a, sockets: 2, cores_per_socket: 8, memory_gb: 256, price: 1}]}\n"


def error_of(text: str) -> str:
    with pytest.raises(InputError) as err:
        parse_requirements(text, "r.yaml")
    return str(err.value)


def test_percentages_in_any_spelling():
    req = requirements(**{"tenants.vm_sizes": {"small": "50%", "medium": 30, "large": "20 %"}})
    assert req.tenants.vm_sizes == {"small": 50.0, "medium": 30.0, "large": 20.0}


def test_size_mix_must_sum_to_100():
    msg = error_of("name: x\ntenants: {count: 1, vms_per_tenant: 1, vm_sizes: {small: 50%}}\n" + HW)
    assert "r.yaml:2: tenants.vm_sizes: " in msg and "sums to 50%" in msg


def test_unknown_field_named_with_line():
    msg = error_of("name: x\ntenants: {count: 1, vms_per_tenant: 1}\n" + HW + "colour: blue\n")
    assert "r.yaml:4: colour: Extra inputs are not permitted" in msg


def test_unknown_size_and_role_named():
    assert "unknown VM size 'tiny'" in error_of(
        "name: x\ntenants: {count: 1, vms_per_tenant: 1, vm_sizes: {tiny: 100}}\n" + HW)
    assert "overrides: unknown role 'vmmm'" in error_of(
        "name: x\ntenants: {count: 1, vms_per_tenant: 1}\n" + HW + "overrides: {vmmm: {instances: 2}}\n")


def test_absurd_sizes_refused_before_sizing():  # too many stamps for one WAP/SPF: exit 3, tests/test_stamps.py
    assert "less than or equal to 1000000" in error_of("name: x\ntenants: {count: 1e12, vms_per_tenant: 1}\n" + HW)


@pytest.mark.parametrize("text", ["", "[1, 2]", "name: x\ntenants: 5\n" + HW, "a: b: c", "name: &a [*a]"])
def test_malformed_documents_are_input_errors(text):
    error_of(text)


def test_duplicate_host_models_refused():
    models = [BASE["hardware"]["host_models"][0]] * 2
    with pytest.raises(ValueError, match="host model names must be unique"):
        requirements(**{"hardware.host_models": models})


def test_system_center_version_accepts_numbers():
    assert requirements(system_center=2016).system_center == "2016"


def test_json_schema_exports():
    schema = Requirements.model_json_schema()
    assert schema["additionalProperties"] is False and "hardware" in schema["required"]


def test_every_catalog_figure_has_a_source():
    catalog = load_catalog()
    figures = [f for per in catalog.limits.values() for f in per.values()] + list(catalog.defaults.values())
    assert figures and all(f.source.strip() for f in figures)
    assert all(s.source.strip() for s in catalog.sizes.values())
    assert all(r.size.source.strip() for r in catalog.roles.values())
    assert all(r.databases_source for r in catalog.roles.values() if r.databases)
