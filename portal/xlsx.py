"""One home for writing .xlsx files: shared style objects and a streaming sheet writer.

openpyxl registers a cell's style by value, so each new `Alignment(...)` per cell is hashed and looked
up again (the 台账 built 4,065 of them: half its time). The objects below are made once and shared.
Sheets are written in write-only mode: each row goes to the file as it is appended, so a long ledger
or list (tens of thousands of rows) costs flat memory and no per-cell objects kept until the save.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from copy import copy
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from portal.export_text import CELL_MAX, DATE_FORMAT, DATETIME_FORMAT, FORMULA_STARTS, safe_cell, sheet_title
from portal.text import NEEDS_WORK

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


# ---- a plain one-sheet file, written directly ----------------------------------------------------
# openpyxl makes an object per cell even in write-only mode (~75 µs each here: a county's matrix at ten
# years' size, 3,900 people × 18 columns, took 5–6 s). A list that grows with the roster is written as
# the sheet's XML directly instead (~8 µs a cell): the same title row, header, frozen panes, widths,
# fills and date formats, and every text made safe (`safe_cell`) the same way.

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _content_types(sheets: int) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, sheets + 1))
            + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '</Types>')


_CONTENT_TYPES = _content_types(1)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _styles_xml(title_size: int, colours: list[str], dxf_colours: Iterable[str] = (), wrapped_dates: bool = False) -> str:
    """Fonts: plain, bold, bold title. Fills: none, gray125 (required), the header's, then one per
    colour. Cell formats (the `s=` of a cell): 0 plain, 1 title, 2 header, 3 date, 4 date and time,
    5 wrapped, then one per colour, then (`wrapped_dates`) a wrapped date and a wrapped date and time.
    `dxf_colours`: the differential fills of conditional formatting, by dxfId."""
    dxf_colours = list(dxf_colours)
    fills = "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="00{c}"/><bgColor indexed="64"/></patternFill></fill>'
                    for c in [HEADER_FILL.fgColor.rgb[-6:], *colours])
    coloured = "".join(f'<xf numFmtId="0" fontId="0" fillId="{3 + i}" borderId="0" applyFill="1"/>'
                       for i in range(len(colours)))
    dated = "".join(f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" '
                    'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
                    for n in (164, 165)) if wrapped_dates else ""
    dxfs = (f'<dxfs count="{len(dxf_colours)}">' + "".join(
        f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="00{c}"/><bgColor rgb="00{c}"/></patternFill>'
        '</fill></dxf>' for c in dxf_colours) + "</dxfs>") if dxf_colours else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
        f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{escape(DATE_FORMAT, _ATTR)}"/>'
        f'<numFmt numFmtId="165" formatCode="{escape(DATETIME_FORMAT, _ATTR)}"/></numFmts>'
        '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>'
        f'<font><b/><sz val="{title_size}"/><name val="Calibri"/></font></fonts>'
        f'<fills count="{3 + len(colours)}"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{fills}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{6 + len(colours) + (2 if wrapped_dates else 0)}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" applyFont="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" applyFont="1" applyFill="1" applyAlignment="1">'
        '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
        f'{coloured}{dated}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        f'{dxfs}</styleSheet>')


_ATTR = {'"': "&quot;"}


def _text_cell(ref: str, text: str, style: int) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c{_at(ref)}{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _at(ref: str) -> str:
    """A cell's reference attribute; none for "" (the cell follows the one before it in its row)."""
    return f' r="{ref}"' if ref else ""


def _value_cell(ref: str, value, style: int) -> str:
    """A cell of the sheet's XML (empty for None); `style` is a fill's cell format or 0; `ref` "" for a
    cell that follows the one before it (`_sheet_row`)."""
    value = safe_cell(value)
    if value is None:
        return ""
    at = _at(ref)
    if isinstance(value, str):
        if not value:  # an empty text is no value (as openpyxl writes it), its style kept
            return f'<c{at} s="{style}"/>' if style else ""
        return _text_cell(ref, value, style)
    if isinstance(value, bool):
        return f'<c{at} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        return f'<c{at} s="4"><v>{(value - _EXCEL_EPOCH) / timedelta(days=1)!r}</v></c>'
    if isinstance(value, date):
        return f'<c{at} s="3"><v>{(value - _EXCEL_EPOCH.date()).days}</v></c>'
    s = f' s="{style}"' if style else ""
    return f'<c{at}{s}><v>{value!r}</v></c>' if isinstance(value, float) else f'<c{at}{s}><v>{value}</v></c>'


def sheet_file(name: str, headers: list[str], widths: list[int], rows: Iterable[list], *, title: str,
               title_size: int = 13, fills: Callable[[int, int, object], str | None] | None = None,
               wrap: Iterable[int] = ()) -> bytes:
    """A one-sheet .xlsx as `write_sheet` makes it (title row merged over the columns, bold header on
    the header fill, panes frozen below it, column widths, `fills(row_index, column_index, value)`
    colours, dates in the Chinese formats, `wrap` columns wrapped), written as XML directly.

    The sheet's XML is compressed as the rows come (`SHEET_CHUNK` rows at a time), never held whole:
    the city's overdue list at ten years (90,000 rows) held ~500 MiB as one string. The styles, which
    name the fill colours met on the way, are written after it (a package's parts are found by name)."""
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
    colours: dict[str, int] = {}
    wrap = set(wrap)
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    merge = f'<mergeCells count="1"><mergeCell ref="A1:{letters[-1]}1"/></mergeCells>' if len(headers) > 1 else ""
    book = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_NS_R}><sheets>'
            f'<sheet name="{escape(sheet_title(name), _ATTR)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_NS_R}>'
                         '<sheetViews><sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" '
                         'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A3" '
                         f'sqref="A3"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
                         '<sheetData><row r="1"><c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">'
                         f'{escape(safe_cell(title))}</t></is></c></row><row r="2">'
                         + "".join(_text_cell(f"{letters[j]}2", safe_cell(h), 2) for j, h in enumerate(headers))
                         + "</row>").encode("utf-8"))
            chunk: list[str] = []
            for i, row in enumerate(rows):
                chunk.append(_sheet_row(i, row, letters, fills, wrap, colours))
                if len(chunk) == SHEET_CHUNK:
                    sheet.write("".join(chunk).encode("utf-8"))
                    chunk.clear()
            sheet.write(("".join(chunk) + f"</sheetData>{merge}</worksheet>").encode("utf-8"))
        z.writestr("xl/styles.xml", _styles_xml(title_size, list(colours)))
    return buffer.getvalue()


SHEET_CHUNK = 1000  # rows per write into the compressed sheet


def _sheet_row(i: int, row: list, letters: list[str], fills, wrap: set[int], colours: dict[str, int]) -> str:
    """Data row `i` (0-based; the sheet's row i + 3) as XML; a fill colour met first gets the next style.
    Plain text and whole numbers in unstyled cells — nearly every cell of a long list — take a short
    path (`_plain_cell`); everything else goes through `_value_cell`, which the short path agrees with.

    A cell names its reference (r="E5") only after an empty one left out: otherwise it is the next
    column, as ECMA-376 §18.3.1.4 allows (Excel, LibreOffice, Google Sheets and openpyxl read it so;
    WPS was not tried here: docs/GAPS.md). The references, a new number in every cell, were over half
    of a long list's compressed size (the city's overdue list at ten years: 13 MB with them, 5.9 MB
    without)."""
    r = i + 3
    cells = []
    gap = False
    for j, value in enumerate(row):
        colour = fills(i, j, value) if fills else None
        style = 0
        if colour:
            style = colours.setdefault(colour, 6 + len(colours))
        elif j in wrap:
            style = 5
        cell = (not style and _plain_cell(value)) or _value_cell("", value, style)
        if not cell:
            gap = True
            continue
        if gap:  # after a left-out cell: this one says where it is
            cell = _value_cell(f"{letters[j]}{r}", value, style)
            gap = False
        cells.append(cell)
    return f'<row r="{r}">{"".join(cells)}</row>'


def _plain_cell(value) -> str:
    """`_value_cell("", value, 0)` for text that needs no cleaning and for an int; "" otherwise (and
    for what `_value_cell` writes as nothing), leaving the cell to it."""
    kind = type(value)
    if kind is int:
        return f'<c><v>{value}</v></c>'
    if kind is not str or not value or len(value) > CELL_MAX or NEEDS_WORK.search(value) \
            or value.startswith(FORMULA_STARTS):
        return ""
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


# ---- a book of such sheets, written directly -----------------------------------------------------
# The 通报 (nine sheets, a row per live instance in 任务明细: thousands with many plans) spent most of its
# first build in openpyxl's per-cell objects. `Book` writes what `write_sheet` makes — title row, header,
# frozen panes, widths, auto filter, wrapped columns, Chinese date formats — plus conditional fills
# (`CellIsRule` equal-to-text with a solid fill) and plain sheets, as XML directly.

_WRAP, _WRAP_DATE, _WRAP_DATETIME = 5, 6, 7  # the cell formats of `_styles_xml(..., wrapped_dates=True)`


class Sheet:
    """A sheet of a `Book`: its rows as XML, appended in order."""

    def __init__(self, name: str, widths: Iterable[int] = ()) -> None:
        self.name, self.widths = sheet_title(name), list(widths)
        self.rows: list[str] = []
        self.merge = self.auto_filter = self.frozen = ""
        self.rules: list[tuple[str, list[tuple[str, int]]]] = []  # (range, [(text, dxfId)])

    def append(self, values: Iterable, wrap: frozenset[int] = frozenset()) -> None:
        """A row; text made safe (`safe_cell`), dates in the Chinese formats, `wrap` columns wrapped."""
        r = len(self.rows) + 1
        self.rows.append(f'<row r="{r}">' + "".join(
            _book_cell(f"{_letter(j)}{r}", v, j in wrap) for j, v in enumerate(values)) + "</row>")

    def xml(self) -> str:
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(self.widths, 1))
        rules, priority = [], 0
        for ref, texts in self.rules:
            cf = []
            for text, dxf in texts:
                priority += 1
                cf.append(f'<cfRule type="cellIs" dxfId="{dxf}" priority="{priority}" operator="equal">'
                          f'<formula>{escape(text)}</formula></cfRule>')
            rules.append(f'<conditionalFormatting sqref="{ref}">{"".join(cf)}</conditionalFormatting>')
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_NS_R}>'
                f'<sheetViews><sheetView workbookViewId="0">{self.frozen}</sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
                f'<sheetData>{"".join(self.rows)}</sheetData>{self.auto_filter}{self.merge}{"".join(rules)}</worksheet>')


def _letter(j: int) -> str:
    return get_column_letter(j + 1)


def _book_cell(ref: str, value, wrap: bool) -> str:
    if not wrap:
        return _value_cell(ref, value, 0)
    value = safe_cell(value)
    if value is None:
        return f'<c r="{ref}" s="{_WRAP}"/>'  # an empty cell keeps its column's style, as openpyxl writes it
    if isinstance(value, date) and not isinstance(value, bool):
        wrapped = _value_cell(ref, value, 0)
        return wrapped.replace(' s="4"', f' s="{_WRAP_DATETIME}"', 1).replace(' s="3"', f' s="{_WRAP_DATE}"', 1)
    return _value_cell(ref, value, _WRAP)


class Book:
    """Sheets written as XML directly (see above); `to_bytes` makes the file."""

    def __init__(self, title_size: int = 13) -> None:
        self.title_size = title_size
        self.sheets: list[Sheet] = []
        self._dxfs: dict[str, int] = {}  # fill colour -> dxfId

    def sheet(self, name: str, headers: list[str], widths: list[int], rows: Iterable[list], *, title: str,
              wrap: Iterable[int] = (), convert: Callable[[object], object] | None = None) -> Sheet:
        """What `write_sheet` makes with a title: the title merged over the columns, the header (bold,
        filled, centred) with panes frozen below it and an auto filter over the rows written."""
        ws = self.plain(name, widths)
        ws.rows.append(f'<row r="1"><c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">'
                       f'{escape(safe_cell(title))}</t></is></c></row>')
        ws.rows.append('<row r="2">' + "".join(_text_cell(f"{_letter(j)}2", safe_cell(h), 2)
                                               for j, h in enumerate(headers)) + "</row>")
        if len(headers) > 1:
            ws.merge = f'<mergeCells count="1"><mergeCell ref="A1:{_letter(len(headers) - 1)}1"/></mergeCells>'
        ws.frozen = ('<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
                     '<selection pane="bottomLeft" activeCell="A3" sqref="A3"/>')
        wrapped = frozenset(wrap)
        for row in rows:
            ws.append([convert(v) for v in row] if convert else row, wrapped)
        n = len(ws.rows) - 2
        if n:
            ws.auto_filter = f'<autoFilter ref="A2:{_letter(len(headers) - 1)}{2 + n}"/>'
        return ws

    def plain(self, name: str, widths: Iterable[int] = ()) -> Sheet:
        ws = Sheet(name, widths)
        self.sheets.append(ws)
        return ws

    def fill_rules(self, ws: Sheet, ref: str, texts: dict[str, str]) -> None:
        """Conditional fills over `ref`: a cell equal to a text gets its colour (fill and background)."""
        ws.rules.append((ref, [(f'"{text}"', self._dxfs.setdefault(colour, len(self._dxfs)))
                               for text, colour in texts.items()]))

    def to_bytes(self) -> bytes:
        n = len(self.sheets)
        sheets = "".join(f'<sheet name="{escape(ws.name, _ATTR)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, ws in enumerate(self.sheets, 1))
        rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", _content_types(n))
            z.writestr("_rels/.rels", _ROOT_RELS)
            z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                          f'<workbook {_NS} {_NS_R}><sheets>{sheets}</sheets></workbook>')
            z.writestr("xl/_rels/workbook.xml.rels", (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'{rels}<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/styles" Target="styles.xml"/></Relationships>'))
            z.writestr("xl/styles.xml", _styles_xml(self.title_size, [], list(self._dxfs), wrapped_dates=True))
            for i, ws in enumerate(self.sheets, 1):
                z.writestr(f"xl/worksheets/sheet{i}.xml", ws.xml())
        return buffer.getvalue()
