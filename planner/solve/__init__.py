"""Placement engines. OR-Tools' CP-SAT module is loaded at its first use, without pandas.

`ortools.sat.python.cp_model` (with its C++ extension: 0.15 s) is a lazy module (importlib.util.LazyLoader): the
engines import it at once, and it loads when a solve first reads it, so a plan whose clusters the greedy
engines settle never loads it (poc). It imports pandas (0.4-0.6 s, a third of a small plan) only for its
`*_series` helpers, which the planner never calls; its only uses of pandas are `pd.Index` and
`pd.Series`. While cp_model loads, `pandas` is a stand-in whose two classes defer to the
real ones: calling one imports pandas, and nothing is an instance of one before pandas is imported.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import types


class _PandasClass(type):
    """`pd.Index` or `pd.Series` as cp_model sees them, until pandas is imported."""

    def __instancecheck__(cls, obj: object) -> bool:
        real = sys.modules.get("pandas")
        return real is not None and isinstance(obj, getattr(real, cls.__name__))

    def __call__(cls, *args, **kwargs):
        import pandas

        return getattr(pandas, cls.__name__)(*args, **kwargs)


class _WithoutPandas(importlib.abc.Loader):
    """cp_model's loader, run with the pandas stand-in in sys.modules."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        if "pandas" in sys.modules:
            self.loader.exec_module(module)
            return
        stand_in = types.ModuleType("pandas", "stand-in for cp_model's import: planner.solve")
        stand_in.Index = _PandasClass("Index", (), {})
        stand_in.Series = _PandasClass("Series", (), {})
        sys.modules["pandas"] = stand_in
        try:
            self.loader.exec_module(module)
        finally:
            if sys.modules.get("pandas") is stand_in:
                del sys.modules["pandas"]


def _lazy_cp_model() -> None:
    """Put cp_model in sys.modules as a module that loads (without pandas) when first read."""
    name = "ortools.sat.python.cp_model"
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(_WithoutPandas(spec.loader))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    sys.modules["ortools.sat.python"].cp_model = module


_lazy_cp_model()
