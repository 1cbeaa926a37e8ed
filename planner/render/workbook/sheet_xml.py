"""Sheet XML written directly, beside openpyxl: the rows beyond each table's first rows (each column's
cells formatted once per distinct value), spliced into openpyxl's sheets in row order, and the archive
rewritten byte-stably."""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from typing import Any

from planner.render.archive import stable_zip


@dataclass(frozen=True)
class Formula:
    """A live formula (text without the leading '=') and the value it gives for the design,
    written beside it as the cell's cached value so that previewers show it."""
    text: str
    value: float


_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class _Pieces(dict):
    """One column's cells beyond a table's first rows, each formatted once per distinct value: (type, value) ->
    the cell's XML after its row number, then the next cell's opening ('' for a cell left out). The type keeps
    apart values that are equal but written apart (True and 1, 10**15 and 1e15)."""

    def __init__(self, style: str, after: str) -> None:
        super().__init__()
        self.style, self.after = style, after

    def __missing__(self, key: tuple[type, Any]) -> str:
        tail = _cell_tail(self.style, key[1])
        piece = self[key] = "" if tail is None else tail + self.after
        return piece


def rows_xml(first: int, rows: list[list[Any]], cells: list[tuple[str, str]],
              heights: list[float | None]) -> list[tuple[int, str]]:
    """(row number, <row> XML) of `rows` from row `first` on: each row is its number joining its cells' pieces."""
    if not rows:
        return []
    heads = [head for head, _ in cells]
    columns = [_Pieces(style, after) for (_, style), after in zip(cells, [*heads[1:], "</row>"])]
    piece, width, out = dict.__getitem__, len(cells), []
    for number, values, height in zip(range(first, first + len(rows)), rows, heights):
        r = str(number)
        try:
            pieces = list(map(piece, columns, zip(map(type, values), values))) if len(values) == width else None
        except TypeError:  # an unhashable value: _row_xml says what cannot be written
            pieces = None
        if pieces is None or "" in pieces:  # a short row, a cell left out
            out.append((number, _row_xml(number, values, cells, height)))
        elif height:
            out.append((number, f'<row r="{r}" ht="{height}" customHeight="1">{heads[0]}{r}' + r.join(pieces)))
        else:
            out.append((number, f'<row r="{r}">{heads[0]}{r}' + r.join(pieces)))
    return out


def _row_xml(row: int, values: list[Any], cells: list[tuple[str, str]], height: float | None = None) -> str:
    """One <row> of sheet XML, cell by cell; `cells` gives each column's '<c r="X' opening and its style attribute."""
    size = f' ht="{height}" customHeight="1"' if height else ""
    r, out = str(row), [f'<row r="{row}"{size}>']
    for (head, style), value in zip(cells, values):
        tail = _cell_tail(style, value)
        if tail is not None:
            out.append(f"{head}{r}{tail}")
    out.append("</row>")
    return "".join(out)


def _cell_tail(style: str, value: Any) -> str | None:
    """A cell's XML after its row number, from its style attribute on (None: an empty unstyled cell, left out)."""
    kind = type(value)
    if kind is str:
        space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
        return f'{style} t="inlineStr"><is><t{space}>{value.translate(_ESCAPE)}</t></is></c>'
    if kind is int:
        return f"{style}><v>{value}</v></c>"
    if kind is Formula:
        return f"{style}><f>{value.text.translate(_ESCAPE)}</f><v>{_number(value.value)}</v></c>"
    if kind is float:
        return f"{style}><v>{_number(value)}</v></c>"
    if value is None:
        return None if style == '"' else f"{style}/>"
    if kind is bool:
        return f'{style} t="b"><v>{int(value)}</v></c>'
    raise ValueError(f"cannot write {value!r} beyond a table's first rows")


def _number(value: float) -> str:
    """A cell's number as the same text whether it came in as an int or an integral float (a design
    planned in memory or read back from design.json), so the bytes depend on the value alone."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else repr(value)


# openpyxl writes an empty value as <v></v> with lxml installed, <v /> without
_CACHE = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v></v>|<v\s*/>)</c>', re.S)
_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
_SHEET_DATA = re.compile(r"<sheetData>(.*?)</sheetData>|<sheetData\s*/>", re.S)


def _splice(xml: str, rows: list[tuple[int, str]], dimension: str, cached: dict[str, float]) -> str:
    """Put the cached values into openpyxl's formula cells and merge directly serialised rows
    into its sheet XML, in row order."""
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml, count=1)
    if cached:
        xml = _CACHE.sub(lambda m: f'<c r="{m[1]}"{m[2]}><f>{m[3]}</f><v>{_number(cached[m[1]])}</v></c>', xml)
    if not rows:
        return xml
    match = _SHEET_DATA.search(xml)
    existing = [(int(m.group(1)), m.group(0)) for m in _ROW.finditer(match.group(1) or "")]
    merged = "".join(text for _, text in heapq.merge(existing, rows, key=lambda item: item[0]))
    return xml[:match.start()] + f"<sheetData>{merged}</sheetData>" + xml[match.end():]


def rezip(data: bytes, sheets: dict[str, tuple[list[tuple[int, str]], str, dict[str, float]]]) -> bytes:
    """Rewrite the archive byte-stably with the spliced sheets."""
    def splice(name: str, content: bytes) -> bytes:
        return _splice(content.decode("utf-8"), *sheets[name]).encode("utf-8") if name in sheets else content

    return stable_zip(data, splice)
