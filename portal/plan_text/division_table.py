"""Read a 任务分工表 the office edited in Excel or Word back into draft duties.

Offices draft a plan's decomposition as a table: 序号, 工作任务, 牵头单位, 配合单位, 完成时限, 来源条款 (the
portal exports it so, `portal.duties.division`). Column names vary from office to office (责任单位 for
牵头单位, 协办单位 for 配合单位, 时间节点 for 完成时限, 依据 for 来源条款); a title row above the header is
skipped. Every row becomes a :class:`DraftDuty` (with all its clauses, its row and the units the
office marked as its own 工作安排), every problem a :class:`Problem` naming the file, the
row and the reason: a required column missing, a unit name the register does not know, a deadline or a
clause that cannot be read. A row with a problem is still returned with what could be read, so the
office sees all of it at once.

Pure: a file in, data out. No Flask, no database; the unit register is passed in.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl.utils.cell import range_boundaries

from portal.content.policy_doc import clause_id_for_label
from portal.files.packages import Limits, PackageRefused, read_first_sheet
from portal.plan_text.deadlines import read_deadline_cell
from portal.plan_text.model import DraftDuty, Problem, UnitName
from portal.plan_text.reader import Unreadable, open_docx
from portal.plan_text.structure import COOP_KEYS, DEADLINE_KEYS, LEAD_KEYS, RESPONSIBLE_KEYS, TASK_COLUMNS, header_key
from portal.plan_text.units import county_kind_known, is_county_wide, match_unit, one_county_for_each, split_names

# Column: the header words that name it (compared whole, without spaces and line breaks): the drafter's
# words for a plan's own table (`portal.plan_text.structure`), and a 序号 and a 来源条款.
COLUMNS = {
    "number": ("序号", "编号"),
    "title": TASK_COLUMNS,
    "lead": LEAD_KEYS + RESPONSIBLE_KEYS,
    "cooperating": COOP_KEYS,
    "deadline": DEADLINE_KEYS,
    "clauses": ("来源条款", "依据", "条款", "文件依据", "政策依据", "对应条款"),
}
REQUIRED = ("title", "lead", "deadline")
COLUMN_NAMES = {"title": "工作任务", "lead": "牵头单位（或责任单位）", "deadline": "完成时限（或时间节点）"}
HEADER_ROWS = 10  # the header is among the first rows (a title row or two may come before it)

# What marks the office's own 工作安排 in a cell (the portal's exports write these; see portal.core.labels).
ARRANGED_MARKS = ("（督查室安排）", "（督查室工作安排）", "【督查室工作安排】", "【督查室安排】")
NO_NAME = ("—", "-", "无")  # what an office writes in a cell with no unit
CLAUSE_SPLIT = re.compile(r"[、，,；;\s]+(?!第)")
DEADLINE_HELP = "请写成2022年9月30日、2022年9月底、2022年年底、长期或定期（每季度）"


def read_division_table(path: str | Path, units: Sequence[UnitName] = (), *, name: str | None = None,
                        data: bytes | None = None) -> tuple[list[DraftDuty], list[Problem]]:
    """The table's rows as draft duties, and what could not be read. ``units``: the register the names
    are matched against (by name, short name and alias; 各县（市、区）民政局 by a county unit's kind);
    without it names are taken as written. ``name``: the file name problems show (default the path's);
    ``data``: the file's bytes when they are not on disk (an upload)."""
    path = Path(path)
    shown = name or path.name
    suffix = Path(shown).suffix.lower() or path.suffix.lower()
    if data is None:
        try:
            data = path.read_bytes()
        except OSError:
            return [], [Problem(shown, 0, "文件无法读取")]
    if suffix == ".xlsx":
        grid, problem = _xlsx_rows(data, shown)
    elif suffix == ".docx":
        grid, problem = _docx_rows(data, shown)
    else:
        return [], [Problem(shown, 0, "只能读取 .xlsx 或 .docx 格式的任务分工表")]
    if problem is not None:
        return [], [problem]
    return read_rows(grid, shown, units)


def read_rows(grid: Sequence[tuple[int, Sequence[object]]], file: str,
              units: Sequence[UnitName] = ()) -> tuple[list[DraftDuty], list[Problem]]:
    """(row number, cells) pairs → draft duties and problems (the format-free half of the reader)."""
    found = _find_header(grid)
    if found is None:
        return [], [Problem(file, 1, "找不到表头：需要“工作任务”“牵头单位”“完成时限”等列名")]
    header_line, columns = found
    missing = [COLUMN_NAMES[c] for c in REQUIRED if c not in columns]
    if missing:
        return [], [Problem(file, header_line, f"缺少列：{'、'.join(missing)}")]
    duties: list[DraftDuty] = []
    problems: list[Problem] = []
    for line, cells in grid:
        if line <= header_line:
            continue
        values = {key: _text(cells[i]) if i < len(cells) else "" for key, i in columns.items()}
        if not any(values.values()):
            continue
        raw_deadline = cells[columns["deadline"]] if columns["deadline"] < len(cells) else None
        duty = _row(line, values, raw_deadline, file, units, problems)
        if duty is not None:
            duties.append(duty)
    return duties, problems


def _row(line: int, values: dict[str, str], raw_deadline, file: str, units: Sequence[UnitName],
         problems: list[Problem]) -> DraftDuty | None:
    def problem(reason: str) -> None:
        problems.append(Problem(file, line, reason))

    title = values.get("title", "")
    if not title:
        if values.get("number") and not any(v for k, v in values.items() if k != "number"):
            return None  # a numbered empty row left at the end of a template
        problem("工作任务为空")
    lead, _ = _names(values.get("lead", ""))
    if not lead:
        problem("牵头单位为空")
    cooperating, marked = _names(values.get("cooperating", ""))
    scope = "county" if any(is_county_wide(n) for n in lead) or one_county_for_each(lead, cooperating, list(units)) else "city"
    lead_ids = [_match(n, units, problem) for n in lead]
    cooperating_ids = [_match(n, units, problem) for n in cooperating]
    deadline_text, deadline, deadline_arranged = _deadline(raw_deadline, values.get("deadline", ""), problem)
    clauses = _clauses(values.get("clauses", ""), problem)
    row_text = "；".join(f"{k}：{v}" for k, v in values.items() if v)
    return DraftDuty(
        clause=clauses[0] if clauses else "", title=title, lead=lead, cooperating=cooperating, scope=scope,
        deadline_text=deadline_text, deadline=deadline, quote="",
        lead_ids=lead_ids, cooperating_ids=cooperating_ids,
        sources={k: f"第{line}行：{row_text}" for k in ("title", "lead", "cooperating", "scope", "deadline")},
        clauses=clauses, line=line, arranged_cooperating=marked, deadline_arranged=deadline_arranged)


# ---- header ---------------------------------------------------------------------------------------

def _find_header(grid) -> tuple[int, dict[str, int]] | None:
    for line, cells in list(grid)[:HEADER_ROWS]:
        columns: dict[str, int] = {}
        for i, cell in enumerate(cells):
            word = header_key(_text(cell))
            for column, names in COLUMNS.items():
                if column not in columns and word in names:
                    columns[column] = i
                    break
        if len(columns) >= 2 and ("title" in columns or "lead" in columns):
            return line, columns
    return None


# ---- cells ----------------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _unmark(text: str) -> tuple[str, bool]:
    for mark in ARRANGED_MARKS:
        if mark in text:
            return text.replace(mark, "").strip(), True
    return text, False


def _names(cell: str) -> tuple[list[str], list[str]]:
    """Names as written (split as `split_names` splits a plan's, a line break too), and those marked as
    the office's 工作安排."""
    names, marked = [], []
    for part in split_names(cell.replace("\n", "、")):
        part, arranged = _unmark(part)
        if part and part not in NO_NAME and part not in names:
            names.append(part)
            if arranged:
                marked.append(part)
    return names, marked


def _match(name: str, units: Sequence[UnitName], problem) -> int | None:
    """A name's register id (`match_unit`), a problem when the register does not know it. A county-wide
    name (各县（市、区）民政局) has no one unit: it is known when a county unit of that kind is, and its id
    stays None for the office to scope. Without a register names are taken as written."""
    if not units:
        return None
    units = list(units)
    if is_county_wide(name):
        if not county_kind_known(name, units):
            problem(f"不认识的单位名称：{name}（单位名册中没有这类县级单位）")
        return None
    found = match_unit(name, units)
    if found is None:
        problem(f"不认识的单位名称：{name}（请改为单位名册中的名称、简称或别名，或先在单位名册中添加）")
    return found


def _deadline(raw, text: str, problem) -> tuple[str, date | None, bool]:
    """(the words, the date they mean or None for 长期/定期, marked as the office's)."""
    text, arranged = _unmark(text)
    if isinstance(raw, datetime | date):
        day = raw.date() if isinstance(raw, datetime) else raw
        return text, day, arranged
    if not text:
        return "", None, arranged
    found = read_deadline_cell(text)
    if found is None:
        problem(f"完成时限“{text}”读不出日期：{DEADLINE_HELP}")
        return text, None, arranged
    return text, found.day, arranged


def _clauses(cell: str, problem) -> list[str]:
    ids: list[str] = []
    for part in CLAUSE_SPLIT.split(cell.strip()):
        if not part:
            continue
        cid = clause_id_for_label(part)
        if cid is None:
            problem(f"来源条款“{part}”不是条款编号（如 三（二）8、四（二）6，或 3.2.8）")
        elif cid not in ids:
            ids.append(cid)
    return ids


# ---- formats --------------------------------------------------------------------------------------

def _xlsx_rows(data: bytes, file: str) -> tuple[list[tuple[int, tuple]], Problem | None]:
    try:
        sheet = read_first_sheet(data, Limits(), len(COLUMNS) * 4)
    except PackageRefused as refused:
        return [], Problem(file, 0, str(refused))
    rows = [list(r) for r in sheet.rows]
    _fill_merged(rows, sheet.merged)
    return [(n, tuple(r)) for n, r in enumerate(rows, 1)], None


def _fill_merged(rows: list[list], merged: list[str]) -> None:
    """A merged cell's value in every cell it covers (a 牵头单位 merged over several tasks)."""
    for ref in merged:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except ValueError:
            continue
        if min_row > len(rows) or min_col > len(rows[min_row - 1]):
            continue
        value = rows[min_row - 1][min_col - 1]
        for r in range(min_row, min(max_row, len(rows)) + 1):
            for c in range(min_col, min(max_col, len(rows[r - 1])) + 1):
                rows[r - 1][c - 1] = value


def _docx_rows(data: bytes, file: str) -> tuple[list[tuple[int, tuple]], Problem | None]:
    """The rows of the first table with a 任务分工表 header (merged cells repeat their text)."""
    try:
        doc = open_docx(data)
    except Unreadable as exc:
        return [], Problem(file, 0, str(exc))
    for table in doc.tables:
        grid = [(n, tuple(cell.text for cell in row.cells)) for n, row in enumerate(table.rows, 1)]
        if _find_header(grid) is not None:
            return grid, None
    return [], Problem(file, 0, "文档中没有任务分工表：找不到带“工作任务”“牵头单位”等列名的表格")
