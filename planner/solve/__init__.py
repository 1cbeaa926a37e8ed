"""Placement engines. Importing any of them first imports OR-Tools' CP-SAT module without pandas.

`ortools.sat.python.cp_model` imports pandas (0.4-0.6 s, a third of a small plan) only for its
`*_series` helpers, which the planner never calls; its only uses of pandas are `pd.Index` and
`pd.Series`. While cp_model is imported, `pandas` is a stand-in whose two classes defer to the
real ones: calling one imports pandas, and nothing is an instance of one before pandas is imported.
"""
from __future__ import annotations

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


def _import_cp_model() -> None:
    if "ortools.sat.python.cp_model" in sys.modules or "pandas" in sys.modules:
        return
    stand_in = types.ModuleType("pandas", "stand-in for cp_model's import: planner.solve")
    stand_in.Index = _PandasClass("Index", (), {})
    stand_in.Series = _PandasClass("Series", (), {})
    sys.modules["pandas"] = stand_in
    try:
        import ortools.sat.python.cp_model  # noqa: F401
    finally:
        if sys.modules.get("pandas") is stand_in:
            del sys.modules["pandas"]


_import_cp_model()
