"""The map of docs/architecture.md holds: imports run one way, no cycles, light modules stay light."""
from __future__ import annotations

import ast
import sys

import pytest

from conftest import ROOT
from test_imports import printed


def test_solver_settings_import_neither_ortools_nor_a_model():
    """Parsing `--time-limit/--workers` into SolverSettings loads no solver or model code."""
    code = ("import sys; from planner.settings import SolverSettings; SolverSettings(time_limit=1, workers=1); "
            "heavy = sorted(m for m in sys.modules if m.startswith(('ortools', 'planner.solve', 'pydantic'))); "
            "assert not heavy, heavy")
    printed(code)


# The parts of planner/, lowest first (docs/architecture.md). A module may import the parts of lower
# layers and its own part; parts on one layer are peers and import neither each other nor anything above.
LAYERS = [
    {"errors": ("planner.errors", "planner.files", "planner.forked"), "settings": ("planner.settings",),
     "validate": ("planner.validate", "planner.validate_search", "planner.validate_stamps", "planner.validate_roles",
                  "planner.validate_cost", "planner.validate_growth", "planner.validate_format")},
    {"catalog": ("planner.catalog",)},
    {"model": ("planner.model",)},
    {"domain": ("planner.sizing", "planner.tenant_units", "planner.stamps", "planner.ipplan", "planner.licensing",
                "planner.conformance", "planner.cost", "planner.security")},
    {"solve": ("planner.solve",)},
    {"plan": ("planner.plan", "planner.growth"), "render": ("planner.render",)},
    {"app": ("planner.pipeline", "planner.check", "planner.output", "planner.whatif", "planner.headroom",
             "planner.diff", "planner.summary", "planner.terminal", "planner.design_file", "planner.sweep",
             "planner.render_ahead")},
    {"cli": ("planner.cli", "planner.cli_app", "planner.cli_artifacts", "planner.cli_print")},
]
STDLIB_ONLY = ("validate", "settings", "errors")


def module_name(path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted((ROOT / "planner").rglob("*.py"))
           if p != ROOT / "planner" / "__init__.py"}  # name -> file; the empty top package is no part


def imports(name: str) -> set[str]:
    """Every module `name` imports (lazy and TYPE_CHECKING imports too), planner modules resolved."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return found


def part_of(module: str) -> tuple[int, str]:
    for rank, layer in enumerate(LAYERS):
        for part, prefixes in layer.items():
            if any(module == p or module.startswith(p + ".") for p in prefixes):
                return rank, part
    raise AssertionError(f"{module} is in no part of the map: add it to LAYERS and docs/architecture.md")


def against_the_map(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for source, targets in graph.items():
        rank, part = part_of(source)
        for target in targets:
            if target.startswith("planner.") and target in MODULES:
                t_rank, t_part = part_of(target)
                if t_part != part and t_rank >= rank:
                    wrong.append(f"{source} ({part}) imports {target} ({t_part})")
            elif part in STDLIB_ONLY and target.split(".")[0] not in sys.stdlib_module_names:
                wrong.append(f"{source} ({part}) must import only the standard library: {target}")
    return wrong


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (or a self-import)."""
    order, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        order[v] = low[v] = len(order)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on.discard(component[-1])
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in graph:
        if v not in order:
            visit(v)
    return found


def planner_graph() -> dict[str, set[str]]:
    return {name: {t for t in imports(name) if t in MODULES or not t.startswith("planner")} for name in MODULES}


def test_every_import_follows_the_map():
    assert against_the_map(planner_graph()) == []


def test_no_import_cycle():
    internal = {name: {t for t in targets if t in MODULES} for name, targets in planner_graph().items()}
    assert cycles(internal) == []


def test_the_checks_catch_a_wrong_import_and_a_cycle():
    graph = {"planner.solve.exact": {"planner.render.theme"}, "planner.validate": {"ortools.sat"},
             "planner.catalog": {"planner.cli"}}
    assert len(against_the_map(graph)) == 3
    assert cycles({"planner.a": {"planner.b"}, "planner.b": {"planner.a"}, "planner.c": {"planner.a"}}) == \
        [["planner.a", "planner.b"]]


def test_no_file_over_400_lines():
    lines = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in lines.items() if n > 400} == {}


@pytest.mark.parametrize("name", ["planner.whatif", "planner.headroom", "planner.diff", "planner.conformance"])
def test_design_reviews_return_data_and_leave_printing_to_the_cli(name):
    assert not {m for m in imports(name) if m.split(".")[0] == "rich"}
