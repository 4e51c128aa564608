"""The audit log as a file for the auditor (.xlsx or CSV).

等保 2.0 (GB/T 22239-2019 8.1.4.3 c) and 网络安全法 第二十一条 want audit records kept at least six months
and protected from deletion; the auditor (审计管理员) takes them out of the portal as files for review or
archive. An export reads the same filters as the 审计日志 page (date range, person, action, object type,
object) and shows entries as the page does — people's names, Chinese field names and values — through
`portal.audit.display.present`. Cells are written formula-safe (`portal.export_text.safe_cell`):
anyone can put text in the log (a typed login name, a note), and the file is opened in Excel.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from portal.audit.display import EntryView, present
from portal.audit.services import AuditFilter, query_entries
from portal.core.labels import zh_datetime
from portal.export_text import DATETIME_FORMAT, local_cell, safe_cell
from portal.extensions import db
from portal.models import AuditEntry

HEADERS = ["时间", "操作人", "操作", "对象", "修改前", "修改后", "来源地址"]
WIDTHS = [18, 14, 16, 40, 40, 40, 16]
# One file at most: a year of a city's portal is well below it; past it, the auditor narrows the dates.
EXPORT_LIMIT = 100_000
BATCH = 1_000


def count(f: AuditFilter) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query_entries(f).order_by(None).subquery()))


def entries(f: AuditFilter, batch: int = BATCH) -> Iterator[EntryView]:
    """Every entry the filter admits, newest first, a batch at a time (names looked up per batch)."""
    last = None
    while True:
        stmt = query_entries(f)
        if last is not None:
            stmt = stmt.where(AuditEntry.id < last)
        chunk = list(db.session.scalars(stmt.limit(batch)))
        if not chunk:
            return
        yield from present(chunk)
        last = chunk[-1].id
        for e in chunk:  # a long export holds one batch of entries at a time
            db.session.expunge(e)
        if len(chunk) < batch:
            return


def _pairs_text(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{k}：{v}" for k, v in pairs)


def row_of(view: EntryView) -> list:
    return [view.at, view.actor, view.action, view.object, _pairs_text(view.before), _pairs_text(view.after),
            view.entry.ip if view.entry is not None else ""]


def to_xlsx(views: Iterator[EntryView], title: str) -> bytes:
    """A write-only workbook: rows go to the file as they come, so a long log needs little memory."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    for idx, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + idx)].width = width
    ws.freeze_panes = "A3"
    heading = WriteOnlyCell(ws, value=safe_cell(title))
    heading.font = Font(bold=True, size=13)
    ws.append([heading])
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for view in views:
        cells = []
        for value in row_of(view):
            cell = WriteOnlyCell(ws, value=safe_cell(local_cell(value)))
            cell.alignment = wrap
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(views: Iterator[EntryView], title: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text as such."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(title)])
    writer.writerow(HEADERS)
    for view in views:
        writer.writerow([safe_cell(zh_datetime(v) if isinstance(v, datetime) else v) for v in row_of(view)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

