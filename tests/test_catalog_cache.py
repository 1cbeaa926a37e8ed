"""The parsed catalog is cached as JSON in the user's cache folder, keyed by each YAML file's content."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from ruamel.yaml import YAML

from conftest import ROOT
from planner.catalog import compiled

NAMES = sorted(p.name for p in (ROOT / "planner" / "catalog").glob("*.yaml"))


def _pure(name: str):
    return YAML(typ="safe", pure=True).load((ROOT / "planner" / "catalog" / name).read_text(encoding="utf-8"))


def test_cached_data_equals_the_yaml(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for name in NAMES:
        text = (ROOT / "planner" / "catalog" / name).read_text(encoding="utf-8")
        first = compiled.parse(name, text)  # parses and writes the cache
        again = compiled.parse(name, text)  # from the cache
        assert first == again == _pure(name), name
    assert len(list((tmp_path / "stampplan").glob("*.json"))) == len(NAMES)


def test_a_second_run_parses_no_yaml(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code = ("import sys; from planner.catalog import load_catalog, read_yaml; load_catalog(); "
            "read_yaml('build_tasks.yaml'); print('ruamel.yaml.composer' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)}) for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], [r.stderr for r in runs]


def test_a_changed_file_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compiled.parse("x.yaml", "a: 1\n") == {"a": 1}
    assert compiled.parse("x.yaml", "a: 2\n") == {"a": 2}


def test_a_damaged_cache_file_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    compiled.parse("x.yaml", "a: [1, 2]\n")
    (entry,) = (tmp_path / "stampplan").glob("*.json")
    entry.write_text('{"a": [1, ', encoding="utf-8")
    assert compiled.parse("x.yaml", "a: [1, 2]\n") == {"a": [1, 2]}
    assert json.loads(entry.read_text(encoding="utf-8")) == {"a": [1, 2]}  # and rewritten


def test_data_json_cannot_hold_is_not_cached(tmp_path, monkeypatch):
    """Integer keys would come back as strings: such a file is parsed every time, never cached wrong."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compiled.parse("x.yaml", "1: one\n") == {1: "one"}
    assert compiled.parse("x.yaml", "1: one\n") == {1: "one"}
    assert not list(tmp_path.rglob("*.json"))


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert compiled.parse("x.yaml", "a: 1\n") == {"a": 1}
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_cached_file_is_written_once_and_found_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = compiled.cached_file("fonts.conf", "<fontconfig/>\n")
    assert first.parent == tmp_path / "stampplan" and first.suffix == ".conf"
    assert first.read_text(encoding="utf-8") == "<fontconfig/>\n"
    assert compiled.cached_file("fonts.conf", "<fontconfig/>\n") == first
    assert compiled.cached_file("fonts.conf", "<fontconfig></fontconfig>\n") != first  # other text, other file
    (tmp_path / "stampplan").chmod(0o500)
    try:  # root writes anyway: then the cache serves; else no file
        found = compiled.cached_file("fonts.conf", "new\n")
        assert found is None or found.read_text(encoding="utf-8") == "new\n"
    finally:
        (tmp_path / "stampplan").chmod(0o700)
    (tmp_path / "stampplan").rename(tmp_path / "gone")
    (tmp_path / "stampplan").write_text("a file where the folder should be", encoding="utf-8")
    assert compiled.cached_file("fonts.conf", "<fontconfig/>\n") is None
