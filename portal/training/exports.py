"""Training reports as .xlsx: a title row with the as-of date, Chinese headers, frozen header."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from portal.export_text import DATE_FORMAT, safe_cell, sheet_title
from portal.filters import zh_date
from portal.training import rules
from portal.training.reports import MatrixReport, OverdueRow, RollupRow, area_name


def _sheet(title: str, as_of: date, headers: list[str], rows: list[list], widths: list[int],
           fills: dict | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(title)
    ws.append([safe_cell(f"{title}（截至{zh_date(as_of)}）")])
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    if len(headers) > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append([safe_cell(h) for h in headers])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for (r, c), colour in (fills or {}).items():
        ws.cell(row=r + 3, column=c + 1).fill = PatternFill("solid", fgColor=colour)
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    for idx, width in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(row=2, column=idx).column_letter].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def matrix_xlsx(report: MatrixReport) -> bytes:
    m = report.matrix
    headers = ["姓名", "角色", "乡镇（街道）", "村（社区）"] + [mod.title for mod in report.modules] + ["已完成", "已安排", "完成率(%)"]
    rows, fills = [], {}
    for i, (t, states) in enumerate(report.rows()):
        row = [t.name, rules.role_label(t.role), t.township, t.village]
        for j, state in enumerate(states):
            row.append(f"{rules.STATE_SYMBOLS[state]} {rules.STATE_LABELS[state]}")
            if state in rules.STATE_FILLS:
                fills[(i, 4 + j)] = rules.STATE_FILLS[state]
        tally = m.rows[t.id]
        rows.append(row + [tally.completed, tally.assigned, rules.sheet_percent(tally.completed, tally.assigned)])
    cols = [m.cols[mod.id] for mod in report.modules]
    foot = ["合计：已完成/已安排", "", "", ""] + [f"{c.completed}/{c.assigned}" if c.assigned else rules.NO_PERCENT
                                            for c in cols]
    rows.append(foot + [m.total.completed, m.total.assigned, rules.sheet_percent(m.total.completed, m.total.assigned)])
    rows.append(["完成率(%)", "", "", ""] + [rules.sheet_percent(c.completed, c.assigned) for c in cols] + ["", "", ""])
    widths = [10, 12, 14, 14] + [14] * len(report.modules) + [8, 8, 10]
    return _sheet(report.title, report.as_of, headers, rows, widths, fills)


def rollup_xlsx(title: str, as_of: date, first: str, rows_in: list[RollupRow], total: rules.Tally) -> bytes:
    headers = [first, "已安排", "已完成", "已逾期", "完成率(%)",
               "儿童督导员已安排", "儿童督导员已完成", "儿童主任已安排", "儿童主任已完成"]
    rows = []
    for r in rows_in:
        s, d = r.by_role[rules.SUPERVISOR], r.by_role[rules.DIRECTOR]
        rows.append([r.label, r.total.assigned, r.total.completed, r.total.overdue,
                     rules.sheet_percent(r.total.completed, r.total.assigned),
                     s.assigned, s.completed, d.assigned, d.completed])
    rows.append(["合计", total.assigned, total.completed, total.overdue, rules.sheet_percent(total.completed, total.assigned),
                 "", "", "", ""])
    return _sheet(title, as_of, headers, rows, [28, 10, 10, 10, 10, 14, 14, 14, 14])


def overdue_xlsx(as_of: date, rows_in: list[OverdueRow], show_phone) -> bytes:
    headers = ["序号", "姓名", "角色", "县（市、区）", "乡镇（街道）、村（社区）", "手机号", "培训模块", "完成时限", "逾期天数"]
    rows = [[n, r.trainee.name, rules.role_label(r.trainee.role), r.trainee.county.name, area_name(r.trainee),
             r.trainee.phone if show_phone(r.trainee) else rules.mask_phone(r.trainee.phone), r.module.title,
             r.due, r.days] for n, r in enumerate(rows_in, 1)]
    return _sheet("培训逾期名单", as_of, headers, rows, [6, 10, 12, 14, 24, 14, 30, 16, 10])


def coverage_xlsx(county_name: str, as_of: date, rows_in: list[rules.Coverage], roster: dict) -> bytes:
    headers = ["培训模块", "对象", "已培训人数", "花名册人数", "覆盖率(%)"]
    rows = [[c.module_title, rules.role_label(c.role), c.trained, c.on_roster,
             rules.sheet_percent(c.trained, c.on_roster)] for c in rows_in]
    rows.append(["花名册合计", "", "", sum(roster.values()), ""])
    return _sheet(f"{county_name}督导员和儿童主任业务培训覆盖情况", as_of, headers, rows, [34, 12, 12, 12, 12])


def initial_passwords_xlsx(as_of: date, accounts: list[tuple[str, str, str]]) -> bytes:
    """The accounts a roster import created, with their first passwords (to hand to each person)."""
    rows = [[n, name, account, password, "首次登录须修改"] for n, (name, account, password) in enumerate(accounts, 1)]
    return _sheet("学员账号初始密码", as_of, ["序号", "姓名", "登录账号", "初始密码", "说明"], rows, [6, 12, 18, 18, 16])
