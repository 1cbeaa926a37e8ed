"""Spreadsheet safety: text that Excel or a CSV reader would run as a formula is defused.

Text from data (names, roles, sources ...) starting with =, +, -, @, a tab or a carriage return gets a
leading apostrophe, so it shows as text; the workbook's own formulas are written by the code, not from
data, and stay live."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from planner.model.design import Design
from planner.model.memo import per_design

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_OR_DEFUSED = re.compile(r'[",\r\n]|^[=+\-@\t]')  # text the csv module quotes, or defuse changes
_LEAD_IN_JSON = re.compile(r'"(?:[=+\-@]|\\[tr])')  # a JSON string (or key) starting with one of them


def defuse(text: str) -> str:
    """`text`, with an apostrophe in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_LEAD) else text


@per_design
def defused(design: Design) -> Design:
    """`design` with every string in it (names, keys, free text) defused; the same object when none needs it."""
    text = design.model_dump_json()
    if not _LEAD_IN_JSON.search(text):
        return design
    return Design.model_validate(_defuse_all(json.loads(text)))


def _defuse_all(value):
    if isinstance(value, str):
        return defuse(value)
    if isinstance(value, list):
        return [_defuse_all(v) for v in value]
    if isinstance(value, dict):
        return {defuse(k): _defuse_all(v) for k, v in value.items()}
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV (CRLF line ends, as RFC 4180) of `header` and `rows`, every text cell defused."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(_defused_row(row) for row in rows)
    return buf.getvalue()


def csv_cells(values: Sequence[Any]) -> str:
    """`values` as consecutive CSV cells (no line end), text defused: a piece of many rows formatted once."""
    cells = []
    for value in values:  # plain text, numbers and None are written as they are (as the csv module would)
        kind = type(value)
        if kind is str and not _QUOTED_OR_DEFUSED.search(value):
            cells.append(value)
        elif kind is int or kind is float:
            cells.append(repr(value))
        elif value is None:
            cells.append("")
        else:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\r\n").writerow([*_defused_row(values), 0])  # 0: never a lone "" cell
            return buf.getvalue()[:-4]  # quoted as within a whole row, less the ",0" and the line end
    return ",".join(cells)


def _defused_row(row: Sequence[Any]) -> list[Any]:
    return [defuse(v) if type(v) is str else v for v in row]  # noqa: E721 (fast)
