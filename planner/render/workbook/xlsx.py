"""A small workbook model (sheets of stacked, named tables) and its writer.

openpyxl writes the workbook: styles, tables, frozen panes, widths, and each table's first
rows. The remaining rows of long tables (tens of thousands of VMs and restarts) are
serialised directly into the sheet XML with the same per-column styles (sheet_xml.py), which
keeps a 30 000-VM workbook to about a second. The zip is then rewritten with fixed entry times
and document properties, so the same sheets always give the same bytes.
"""
from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, NumData, NumVal, StrData, StrRef, StrVal
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table as XlTable, TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from planner.render.workbook.sheet_xml import Formula, rezip, rows_xml

INT, GB, PCT = "#,##0", "#,##0.00", "0.0%"
FIXED_TIME = datetime.datetime(2014, 10, 15)  # document created/modified: fixed for byte-stable files
OPENPYXL_ROWS = 20  # data rows per table written by openpyxl; the rest are serialised directly

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(color="0000FF")
CAPTION_FONT = Font(bold=True, size=12, color="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
TEXT = Alignment(horizontal="left", indent=1, vertical="top")  # clear of the right-aligned number beside
WRAPPED = Alignment(horizontal="left", indent=1, wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Col:
    header: str
    fmt: str | None = None     # Excel number format
    input: bool = False        # an editable input (highlighted)
    width: float | None = None
    wrap: bool = False         # wrap long text within the column width


def money(currency: str, cents: bool = False) -> str:
    """Number format of an amount in `currency` (an ISO code shown after the figure)."""
    return f'#,##0{".00" if cents else ""} "{currency}"'


@dataclass(frozen=True)
class Styled:
    """A cell value with its own number format (only within a table's first rows)."""
    value: Any
    fmt: str


@dataclass
class Table:
    """A named Excel table placed on a sheet: header row at `header_row`, data below."""
    sheet: str
    name: str
    columns: list[Col]
    header_row: int
    caption: str | None = None
    rows: list[list[Any]] = field(default_factory=list)
    n_rows: int = 0

    @property
    def first(self) -> int:
        return self.header_row + 1

    @property
    def last(self) -> int:
        return self.header_row + self.n_rows

    def col(self, header: str) -> str:
        """Column letter of `header`."""
        for i, column in enumerate(self.columns, start=1):
            if column.header == header:
                return get_column_letter(i)
        raise KeyError(f"{self.name}: no column {header!r}")

    def column(self, header: str) -> str:
        """Structured reference to the whole data column `header`: follows sorting and inserted rows."""
        self.col(header)
        return f"{self.name}[{_escaped(header)}]"

    def here(self, header: str) -> str:
        """Structured reference to column `header` in the formula's own row."""
        self.col(header)
        return f"{self.name}[[#This Row],[{_escaped(header)}]]"

    def lookup(self, header: str, key_header: str, key: str) -> str:
        """The `header` value of the row whose `key_header` is `key` (a formula or a quoted text)."""
        return f"INDEX({self.column(header)},MATCH({key},{self.column(key_header)},0))"


def _escaped(header: str) -> str:
    """A column name inside a structured reference: ', [, ] and # take a leading '."""
    return re.sub(r"(['\[\]#])", r"'\1", header)


@dataclass(frozen=True)
class Chart:
    """A column chart of a table: one group of bars per row (labelled by `category`), one bar per
    series column."""
    title: str
    table: Table
    category: str
    series: tuple[str, ...]
    fmt: str
    height: int = 18  # rows the chart covers


@dataclass
class Sheet:
    """A worksheet of blocks stacked top to bottom: a title, notes and tables."""
    title: str
    blocks: list[tuple[int, str, Any]] = field(default_factory=list)  # (row, kind, payload)
    freeze: str | None = None
    next_row: int = 1

    def heading(self, text: str) -> None:
        self.blocks.append((self.next_row, "title", text))
        self.next_row += 2

    def note(self, text: str) -> None:
        self.blocks.append((self.next_row, "note", text))
        self.next_row += 2

    def table(self, name: str, columns: list[Col], n_rows: int, caption: str | None = None) -> Table:
        """Reserve a table of `n_rows` data rows; fill `rows` afterwards (formulas may use its refs)."""
        if caption:
            self.blocks.append((self.next_row, "caption", caption))
            self.next_row += 1
        table = Table(self.title, name, columns, self.next_row, caption, n_rows=n_rows)
        self.blocks.append((self.next_row, "table", table))
        self.next_row += n_rows + 2
        return table

    def chart(self, chart: Chart) -> None:
        self.blocks.append((self.next_row, "chart", chart))
        self.next_row += chart.height + 1


def write_workbook(sheets: list[Sheet], title: str) -> bytes:
    """The .xlsx bytes of `sheets`, in order; identical sheets give identical bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = title
    wb.properties.creator = "stampplan"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    extra: dict[str, tuple[list[tuple[int, str]], str, dict[str, float]]] = {}
    worksheets = []
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        worksheets.append((ws, sheet))
        cached: dict[str, float] = {}
        rows, width = _fill(ws, sheet, cached)
        extra[sheet.title] = (rows, f"A1:{get_column_letter(max(width, 1))}{max(sheet.next_row - 2, 1)}", cached)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # rezip deflates each entry once
        ExcelWriter(wb, archive).write_data()
    by_path = {ws.path.lstrip("/"): extra[sheet.title] for ws, sheet in worksheets}
    return rezip(buffer.getvalue(), by_path)


def _fill(ws, sheet: Sheet, cached: dict[str, float]) -> tuple[list[tuple[int, str]], int]:
    """Write `sheet` into `ws`, noting in `cached` the value of each formula cell openpyxl writes;
    return the rows left for direct serialisation and the column count."""
    widths: dict[int, float] = {}
    fast: list[tuple[int, str]] = []
    for row, kind, payload in sheet.blocks:
        if kind in ("title", "caption", "note"):
            cell = ws.cell(row=row, column=1, value=payload)
            cell.font = {"title": TITLE_FONT, "caption": CAPTION_FONT, "note": Font(italic=True)}[kind]
            continue
        if kind == "chart":
            ws.add_chart(_bar_chart(payload), f"A{row}")
            continue
        fast.extend(_table(ws, payload, widths, cached))
    for index, width in widths.items():
        ws.column_dimensions[get_column_letter(index)].width = width
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze
    if sheet.blocks and sheet.blocks[0][:2] == (1, "table"):
        ws.print_title_rows = "1:1"  # repeat the header on every printed page
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    return fast, max(widths, default=1)


def _bar_chart(spec: Chart) -> BarChart:
    """The openpyxl chart of `spec`: its ranges cover the table's header and data rows, and each
    series carries the values of those cells (the chart cache that previewers draw from)."""
    table, chart = spec.table, BarChart()
    chart.type, chart.title, chart.style = "col", spec.title, 10
    chart.y_axis.numFmt, chart.y_axis.scaling.min = spec.fmt, 0
    chart.x_axis.delete = chart.y_axis.delete = False  # show both axes
    chart.height, chart.width = 0.5 * spec.height, max(16.0, 2.5 * table.n_rows)

    def span(header: str, first: int) -> str:
        letter = table.col(header)
        return f"{quote_sheetname(table.sheet)}!${letter}${first}:${letter}${max(table.last, table.first)}"

    def values(header: str) -> list[Any]:
        i = [c.header for c in table.columns].index(header)
        return [_plain(row[i]) for row in table.rows]

    names = [str(v) for v in values(spec.category)]
    for header in spec.series:
        chart.add_data(Reference(range_string=span(header, table.header_row)), titles_from_data=True)
        series = chart.series[-1]
        series.tx.strRef.strCache = _strings([header])
        series.val.numRef.numCache = NumData(formatCode=spec.fmt, ptCount=len(names), pt=[
            NumVal(idx=i, v=v) for i, v in enumerate(values(header))])
        series.cat = AxDataSource(strRef=StrRef(f=span(spec.category, table.first), strCache=_strings(names)))
    return chart


def _strings(texts: list[str]) -> StrData:
    return StrData(ptCount=len(texts), pt=[StrVal(idx=i, v=t) for i, t in enumerate(texts)])


def _plain(value: Any) -> Any:
    """A cell's value as shown: a formula's cached value, a styled cell's value."""
    return value.value if isinstance(value, (Formula, Styled)) else value


def _table(ws, table: Table, widths: dict[int, float], cached: dict[str, float]) -> list[tuple[int, str]]:
    if len(table.rows) != table.n_rows:
        raise ValueError(f"{table.name}: {len(table.rows)} rows given, {table.n_rows} reserved")
    header = table.header_row
    lines = 1
    for i, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=header, column=i, value=column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal=None if column.fmt else "left", indent=0 if column.fmt else 1,
                                   wrap_text=True, vertical="center")
        width = column.width or _width(column, [r[i - 1] for r in table.rows])
        widths[i] = max(widths.get(i, 0), width)
        lines = max(lines, _lines(column.header, widths[i] - 3))
    ws.row_dimensions[header].height = 15 * min(lines, 4) + 3
    wrapped = [(i, widths[i + 1]) for i, c in enumerate(table.columns) if c.wrap]
    heights = [_height(values, wrapped) for values in table.rows] if wrapped else [None] * table.n_rows
    style_ids = []
    for r, values in enumerate(table.rows[:OPENPYXL_ROWS]):
        if heights[r]:
            ws.row_dimensions[table.first + r].height = heights[r]
        for i, (column, value) in enumerate(zip(table.columns, values), start=1):
            cell = ws.cell(row=table.first + r, column=i)
            fmt = column.fmt
            if isinstance(value, Styled):
                value, fmt = value.value, value.fmt
            if isinstance(value, Formula):
                cached[cell.coordinate] = value.value
                value = f"={value.text}"
            cell.value = value
            if fmt:
                cell.number_format = fmt
            if column.input:
                cell.fill, cell.font = INPUT_FILL, INPUT_FONT
            if not fmt:
                cell.alignment = WRAPPED if column.wrap else TEXT
            if r == 0:
                style_ids.append(cell.style_id)
    end = f"{get_column_letter(len(table.columns))}{max(table.last, table.first)}"
    ref = f"A{header}:{end}"
    xl = XlTable(displayName=table.name, ref=ref, autoFilter=AutoFilter(ref=ref),
                 tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True))
    xl.tableColumns = [TableColumn(id=i, name=c.header) for i, c in enumerate(table.columns, start=1)]
    ws.add_table(xl)
    cells = [(f'<c r="{get_column_letter(i)}', f'" s="{style}"' if style else '"')
             for i, style in enumerate(style_ids, start=1)]
    return rows_xml(table.first + OPENPYXL_ROWS, table.rows[OPENPYXL_ROWS:], cells, heights[OPENPYXL_ROWS:])


def _height(values: list[Any], wrapped: list[tuple[int, float]]) -> float | None:
    """Row height fitting the wrapped cells, or None for one line."""
    lines = max(_lines(str(values[i] or ""), width - 3) for i, width in wrapped)
    return 15.0 * min(lines, 10) if lines > 1 else None


def _lines(text: str, width: float) -> int:
    """Lines `text` takes when word-wrapped at `width` characters."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return lines


def _width(column: Col, values: list[Any]) -> float:
    sample = values if len(values) <= 2000 else values[:1000] + values[-1000:]
    longest = max((len(_shown(v)) for v in sample), default=0)
    word = max(len(w) for w in column.header.split())
    return float(min(max(longest, word, 6) + (2 if column.fmt else 4), 50))  # text is indented


def _shown(value: Any) -> str:
    if isinstance(value, Styled):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, Formula):
        return "0" * 12  # a computed figure: room for 1,234,567.00
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
