"""What several artifacts derive from one design (its IP plan, guest clusters, decision log...), computed once
while that design is rendered.

`held(design)` opens a scope (re-entrant); within it a `per_design` function called with that very object
(identity, not equality) computes once and then returns the same result, which callers must not change. Outside
any scope it computes every time, and the results are dropped when the outermost scope of the design ends: a
result never outlives the scope nor serves another object, even one equal to it or at the same address later.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

T = TypeVar("T")

_held: dict[int, tuple[object, dict, list[int]]] = {}  # id(design) -> (design, results by function, [depth])
_lock = threading.Lock()


@contextmanager
def held(design: object) -> Iterator[None]:
    """Within: `per_design` results for `design` are computed once (the design must not change meanwhile)."""
    with _lock:
        entry = _held.get(id(design))
        if entry is None or entry[0] is not design:
            entry = _held[id(design)] = (design, {}, [0])
        entry[2][0] += 1
    try:
        yield
    finally:
        with _lock:
            entry[2][0] -= 1
            if not entry[2][0] and _held.get(id(design)) is entry:
                del _held[id(design)]


def per_design(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn(design)`, computed once per design while the design is `held` (the same object is returned)."""

    @wraps(fn)
    def once(design: Any) -> T:
        entry = _held.get(id(design))
        if entry is None or entry[0] is not design:
            return fn(design)
        results = entry[1]
        if fn not in results:  # two threads may both compute it: the results are equal, either is kept
            results[fn] = fn(design)
        return results[fn]

    return once
