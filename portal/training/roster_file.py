"""Reading a roster sheet (.xlsx or .csv) into checked rows — pure, no Flask, no database.

Problems name the row as a spreadsheet shows it (the header is row 1) and the column by its
Chinese header: `row 3, 手机号: 格式不正确`. Any problem means nothing is imported.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Callable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.cell_range import CellRange

from portal.core.training_rules import DIRECTOR, POST_BY_LABEL, SUPERVISOR
from portal.files.packages import Limits, PackageRefused, read_first_sheet
from portal.text import clean_text

HEADERS = ("姓名", "角色", "县（市、区）", "乡镇（街道）", "村（社区）", "手机号", "账号", "备注")
REQUIRED_HEADERS = HEADERS[:6]
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ACCOUNT_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")  # as portal.admin.services.USERNAME_RE
_SPACES = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:  # the CLI's and the contract's form
        return f"row {self.row}, {self.column}: {self.reason}" if self.column else f"row {self.row}: {self.reason}"

    @property
    def zh(self) -> str:  # the page's form; row 0 is the file as a whole
        if not self.row:
            return self.reason
        return f"第{self.row}行，{self.column}：{self.reason}" if self.column else f"第{self.row}行：{self.reason}"


@dataclass(frozen=True)
class RosterRow:
    row: int
    name: str
    post: str
    county: str  # unit code
    township: str
    village: str
    phone: str
    account: str
    note: str


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed into Excel as a number
    return str(value).strip()


def _place(value: str) -> str:
    return _SPACES.sub("", value)


def read_table(data: bytes, filename: str) -> tuple[list[list[str]], list[RowProblem]]:
    """The sheet's cells as text, row 1 first; or a problem saying why the file cannot be read."""
    name = filename.lower()
    if len(data) > MAX_BYTES:
        return [], [RowProblem(0, "", f"文件大小 {len(data) // (1024 * 1024)} MB，超过 {MAX_BYTES // (1024 * 1024)} MB 上限，"
                                      "请分县（市、区）分批导入")]
    if name.endswith(".csv"):
        return _read_csv(data)
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".xls"):
        return [], [RowProblem(0, "", "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后导入")]
    return [], [RowProblem(0, "", "只能导入 .xlsx 或 .csv 文件，请使用下载的模板")]


def _read_csv(data: bytes) -> tuple[list[list[str]], list[RowProblem]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [RowProblem(0, "", "无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx")]
    if "\x00" in text:
        return [], [RowProblem(0, "", "文件内容不是文本表格，请使用下载的模板")]
    try:
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        return [], [RowProblem(0, "", f"CSV 格式错误：{exc}")]
    return rows, []


# What a roster workbook may hold before it is read (portal.files.packages checks, then streams).
XLSX_LIMITS = Limits(max_rows=MAX_ROWS + 2, max_columns=64, max_cells=MAX_ROWS * 12, max_unpacked=40 * 1024 * 1024)


def _read_xlsx(data: bytes) -> tuple[list[list[str]], list[RowProblem]]:
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return [], [RowProblem(0, "", "这是旧版 Excel（.xls）文件改了扩展名，请在 Excel 中另存为 .xlsx 后导入")]
    if not data.startswith(b"PK"):
        return [], [RowProblem(0, "", "文件不是有效的 .xlsx 表格，请使用下载的模板")]
    try:
        sheet = read_first_sheet(data, XLSX_LIMITS, columns=len(HEADERS) + 1)
    except PackageRefused as exc:
        return [], [RowProblem(0, "", str(exc))]
    problems = []
    for ref in sorted(sheet.merged, key=_merge_order):
        first = CellRange(ref)
        column = HEADERS[first.min_col - 1] if first.min_col <= len(HEADERS) else f"第{first.min_col}列"
        problems.append(RowProblem(first.min_row, column, f"有合并单元格（{ref}），请取消合并并逐行填写"))
    if problems:
        return [], problems
    return [[_text(v) for v in r] for r in sheet.rows], []


def _merge_order(ref: str) -> tuple[int, int]:
    cells = CellRange(ref)
    return cells.min_row, cells.min_col


def parse_roster(data: bytes, filename: str, county_of: Callable[[str], str | None]) -> tuple[list[RosterRow], list[RowProblem]]:
    """Checked rows, or every problem found. `county_of` maps a county name to its unit code."""
    table, problems = read_table(data, filename)
    if problems:
        return [], problems
    while table and not any(table[-1]):
        table.pop()
    if not table:
        return [], [RowProblem(1, "", "表格为空：第1行应为表头，从第2行起每行一人")]
    problems = _header_problems(table[0])
    if problems:
        return [], problems
    if len(table) - 1 > MAX_ROWS:
        return [], [RowProblem(MAX_ROWS + 2, "", f"超过 {MAX_ROWS} 行，请分批导入")]
    rows: list[RosterRow] = []
    phones: dict[str, int] = {}
    accounts: dict[str, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        cells = (list(cells) + [""] * len(HEADERS))[: len(HEADERS)]
        if not any(cells):
            continue
        row, row_problems = _check_row(number, cells, county_of, phones, accounts)
        problems.extend(row_problems)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(RowProblem(2, "", "表格只有表头，没有人员"))
    return ([] if problems else rows), problems


def _header_problems(first_row: list[str]) -> list[RowProblem]:
    """The first row must be the template's header (the optional columns may be left off)."""
    problems: list[RowProblem] = []
    header = [c.strip() for c in first_row]
    while header and not header[-1]:
        header.pop()
    for i, expected in enumerate(HEADERS):
        got = header[i] if i < len(header) else None
        if i >= len(REQUIRED_HEADERS) and got is None:
            break
        if got != expected:
            problems.append(RowProblem(1, f"第{i + 1}列", f"表头应为“{expected}”，实际为“{got or '（空）'}”；请使用下载的模板"))
    if len(header) > len(HEADERS):
        problems.append(RowProblem(1, f"第{len(HEADERS) + 1}列", f"多余的列“{header[len(HEADERS)]}”，请使用下载的模板"))
    return problems


def check_one(cells: list[str], county_of: Callable[[str], str | None]) -> tuple[RosterRow | None, list[RowProblem]]:
    """One person's values (the template's columns, in order) checked by the same rules as a file row."""
    return _check_row(0, [c.strip() for c in cells], county_of, {}, {})


def _check_row(number, cells, county_of, phones, accounts) -> tuple[RosterRow | None, list[RowProblem]]:
    name, post_label, county_name, township, village, phone, account, note = (clean_text(c, single_line=True).strip()
                                                                             for c in cells)
    township, village, county_name = _place(township), _place(village), _place(county_name)
    phone = re.sub(r"[\s\-]", "", phone)
    account = account.strip().lower()
    out: list[RowProblem] = []

    def bad(column: str, reason: str) -> None:
        out.append(RowProblem(number, column, reason))

    _check_name(name, bad)
    role = _check_role(post_label, bad)
    county = _check_county(county_name, county_of, bad)
    _check_places(role, township, village, bad)
    _check_phone(number, phone, phones, bad)
    _check_account(number, account, accounts, bad)
    if len(note) > 200:
        bad("备注", "超过200个字")
    if out:
        return None, out
    return RosterRow(number, name, role, county, township, village, phone, account, note), []


def _check_name(name: str, bad) -> None:
    if not name:
        bad("姓名", "必填")
    elif len(name) > 40:
        bad("姓名", "超过40个字")


def _check_role(post_label: str, bad) -> str | None:
    role = POST_BY_LABEL.get(post_label.strip())
    if not post_label:
        bad("角色", "必填（儿童督导员或儿童主任）")
    elif role is None:
        bad("角色", f"“{post_label}”不是儿童督导员或儿童主任")
    return role


def _check_county(county_name: str, county_of, bad):
    county = county_of(county_name) if county_name else None
    if not county_name:
        bad("县（市、区）", "必填")
    elif county is None:
        bad("县（市、区）", f"未知的县（市、区）“{county_name}”")
    return county


def _check_places(role: str | None, township: str, village: str, bad) -> None:
    if not township:
        bad("乡镇（街道）", "必填")
    elif len(township) > 60:
        bad("乡镇（街道）", "超过60个字")
    if role == DIRECTOR and not village:
        bad("村（社区）", "儿童主任必须填写所在村（社区）")
    elif role == SUPERVISOR and village:
        bad("村（社区）", "儿童督导员在乡镇（街道）工作，村（社区）应留空")
    elif len(village) > 60:
        bad("村（社区）", "超过60个字")


def _check_phone(number: int, phone: str, phones: dict[str, int], bad) -> None:
    """Phones seen so far map to their row; a valid new phone is added."""
    if not phone:
        bad("手机号", "必填")
    elif not PHONE_RE.match(phone):
        bad("手机号", f"“{phone}”不是11位手机号")
    elif phone in phones:
        bad("手机号", f"与第{phones[phone]}行重复")
    else:
        phones[phone] = number


def _check_account(number: int, account: str, accounts: dict[str, int], bad) -> None:
    """`account` is already lower-cased; an empty account is allowed (it is optional)."""
    if not account:
        return
    if not ACCOUNT_RE.match(account):
        bad("账号", "须为2–64位字母、数字或 _ . -，并以字母或数字开头")
    elif account in accounts:
        bad("账号", f"与第{accounts[account]}行重复")
    else:
        accounts[account] = number


def template_workbook() -> bytes:
    """The blank template: the headers in order on the first sheet, how to fill it in on a second."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(list(HEADERS))
    guide = book.create_sheet("填写说明")
    for line in (
        "每行一人，第1行表头不要改动；只导入第一个工作表。",
        "角色：填“儿童督导员”（乡镇、街道）或“儿童主任”（村、社区）。",
        "县（市、区）：填全称，如“盐湖区”“永济市”。",
        "村（社区）：儿童主任必填；儿童督导员留空。",
        "手机号：11位，每人唯一；再次导入时按手机号更新，不会重复登记。",
        "账号：可选，学员登录门户的用户名；备注：可选。",
        "不要合并单元格。示例：张三 | 儿童主任 | 盐湖区 | 北城街道 | 红旗社区 | 13800000002",
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 90
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Phones as text (a column style, so no empty cells are created below the header).
    sheet.column_dimensions["F"].number_format = "@"
    for letter, width in zip("ABCDEFGH", (10, 12, 14, 16, 16, 14, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
