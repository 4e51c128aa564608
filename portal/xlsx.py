"""One home for writing .xlsx files: shared style objects and a streaming sheet writer.

openpyxl registers a cell's style by value, so each new `Alignment(...)` per cell is hashed and looked
up again (the 台账 built 4,065 of them: half its time). The objects below are made once and shared.
Sheets are written in write-only mode: each row goes to the file as it is appended, so a long ledger
or list (tens of thousands of rows) costs flat memory and no per-cell objects kept until the save.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from copy import copy
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from portal.export_text import DATE_FORMAT, DATETIME_FORMAT, safe_cell, sheet_title

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
TITLE_FONTS = {13: Font(bold=True, size=13), 14: Font(bold=True, size=14)}
_FILLS: dict[str, PatternFill] = {}


def fill(colour: str) -> PatternFill:
    """The one solid fill of a colour."""
    if colour not in _FILLS:
        _FILLS[colour] = PatternFill("solid", fgColor=colour)
    return _FILLS[colour]


def new_book() -> Workbook:
    return Workbook(write_only=True)


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_sheet(wb: Workbook, name: str, headers: list[str], widths: list[int], rows: Iterable[list], *,
                title: str | None = None, title_size: int = 13, wrap: Iterable[int] = (),
                fills: Callable[[int, int, object], str | None] | None = None, auto_filter: bool = True,
                convert: Callable[[object], object] | None = None):
    """A sheet: an optional title row (merged over the columns), the header row, then `rows` streamed.

    `wrap`: column indexes (0-based) whose text wraps; dates and times get the Chinese formats;
    `fills(row_index, column_index, value)` may name a cell's fill colour; `convert` maps each value
    before it is written (safe text, local time). Returns the number of data rows written."""
    ws = wb.create_sheet(sheet_title(name))  # no / \\ ? * [ ] : and at most 31 characters
    for idx, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    first = 1 if title is None else 2  # the header's row
    ws.freeze_panes = f"A{first + 1}"  # before the first row: a streamed sheet writes its view first
    if title is not None:
        cell = WriteOnlyCell(ws, value=safe_cell(title))
        cell.font = TITLE_FONTS.get(title_size) or Font(bold=True, size=title_size)
        ws.append([cell])
        if len(headers) > 1:
            ws.merged_cells.add(CellRange(min_col=1, min_row=1, max_col=len(headers), max_row=1))
    ws.append([_header(ws, h) for h in headers])
    wrap = set(wrap)
    styles: dict = {}
    n = 0
    for n, row in enumerate(rows, 1):
        ws.append([_cell(ws, convert(v) if convert else v, j in wrap,
                         fills(n - 1, j, v) if fills else None, styles) for j, v in enumerate(row)])
    if auto_filter and n:
        ws.auto_filter.ref = f"A{first}:{get_column_letter(len(headers))}{first + n}"
    return ws, n


def _header(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=safe_cell(text))
    cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, HEADER_ALIGNMENT
    return cell


def _cell(ws, value, wrap: bool, colour: str | None, styles: dict):
    """A plain value as is; a styled one (date, wrapped, filled) as a cell whose style is copied from
    the first cell styled the same way. Setting a style object on a cell makes openpyxl hash it again
    to find it in the workbook (a county's matrix: 35,000 filled cells, two thirds of the file's time);
    the registered style is a small array of indexes, copied as is. Text is always made safe
    (`portal.export_text.safe_cell`: no control characters, never a formula), whatever `convert` did."""
    value = safe_cell(value)
    fmt = (DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT) if isinstance(value, date) else None
    if not (fmt or wrap or colour):
        return value
    cell = WriteOnlyCell(ws, value=value)
    key = (fmt, wrap, colour)
    known = styles.get(key)
    if known is not None:
        cell._style = copy(known)
        return cell
    if fmt:
        cell.number_format = fmt
    if wrap:
        cell.alignment = WRAP_TOP
    if colour:
        cell.fill = fill(colour)
    styles[key] = copy(cell._style)
    return cell
