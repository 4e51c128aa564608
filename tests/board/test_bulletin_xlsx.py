"""The 通报 .xlsx is written as XML directly (`portal.xlsx.Book`); it holds what the openpyxl build it
replaced held: every sheet, cell value, number format, font, fill, wrap, merged title, frozen panes,
column width, auto filter and conditional fill. The former build is kept here as the reference."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from portal import xlsx
from portal.board import exports, rollup, scoring
from portal.board.bulletin import build
from portal.core import duty_rules
from portal.core.labels import zh_date
from portal.core.time import today
from portal.export_text import safe_cell
from portal.extensions import db
from portal.models import Duty
from tests.conftest import instance_by_key, make_user


def _reference(report) -> bytes:
    """The openpyxl build as it was (session 9), over `portal.xlsx.write_sheet`."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    def sheet(wb, name, title, headers, widths, rows):
        ws, _ = xlsx.write_sheet(wb, name, headers, widths, rows, title=title, title_size=14, convert=safe_cell,
                                 wrap=[i for i, w in enumerate(widths) if w >= 24])
        return ws

    def fill_rules(ws, ref, texts):
        for text, colour in texts.items():
            ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=[f'"{text}"'],
                                                          fill=PatternFill("solid", bgColor=colour, fgColor=colour)))

    def light_rules(ws, n):
        if n:
            fill_rules(ws, f"G3:G{n + 2}", {exports.light_text(lt): c for lt, c in exports.LIGHT_FILLS.items()})

    wb = xlsx.new_book()
    title = f"{report.title}（截至{zh_date(report.as_of)}）"
    summary = sheet(wb, "汇总", title, ["项目", "数值"], [18, 14], [[k, v] for k, v in exports.summary_pairs(report)])
    summary.append([])
    summary.append(["依据", safe_cell(exports.full_name(report))])
    summary.append(["统计期间", f"{zh_date(report.start)}至{zh_date(report.end)}"])
    dept_rows = [[f"县级{g.members[0].group}（{len(g.members)}个）" if g.grouped else g.label,
                  *[g.counts.by_state[s] for s in rollup.STATE_COLUMNS], g.counts.overdue, g.counts.pct_complete]
                 for g in report.departments]
    sheet(wb, "部门状态", title, ["责任单位", *[duty_rules.STATE_LABELS[s] for s in rollup.STATE_COLUMNS], "逾期", "完成率(%)"],
          [26, 8, 8, 8, 10, 8, 8, 10], dept_rows)
    unit_rows = [[u.name, u.county_name, u.counts.total, *[u.counts.by_state[s] for s in rollup.STATE_COLUMNS],
                  u.counts.overdue, u.counts.pct_complete] for u in report.units]
    sheet(wb, "单位", title, ["单位", "县（市、区）", "任务数", *[duty_rules.STATE_LABELS[s] for s in rollup.STATE_COLUMNS],
                              "逾期", "完成率(%)"], [24, 12, 8, 8, 8, 8, 10, 8, 8, 10], unit_rows)
    for name, items in (("红灯", report.red), ("黄灯", report.yellow)):
        ws = sheet(wb, name, title, exports.LIST_HEADERS, exports.LIST_WIDTHS,
                   [exports.list_row(r, report.as_of) for r in items])
        light_rules(ws, len(items))
    if report.transfer:
        steps = [t for t, _ in report.transfer[0].cells]
        names = [n for n, _ in report.indicator_names]
        rows = [[t.county_name, *[exports.step_text(s) for _, s in t.cells], *[t.indicators.get(n, "") for n in names],
                 exports.step_text(t.status)] for t in report.transfer]
        totals = report.transfer_totals
        rows.append(["合计", *[f"{totals['steps_done'][s]}/{totals['counties']}" for s in steps],
                     *[totals["indicators"][n] for n in names], f"已销号 {totals['counties_done']}/{totals['counties']}"])
        ws = sheet(wb, "移交进度", title, ["县（市、区）或机构", *steps, *names, "整体"],
                   [14, *[12] * len(steps), *[14] * len(names), 12], rows)
        if rows:
            fill_rules(ws, f"B3:{get_column_letter(2 + len(steps) + len(names))}{len(rows) + 2}",
                       {exports.step_text(s): c for s, c in exports.STEP_FILLS.items()})
    ws = sheet(wb, "任务明细", title, exports.LIST_HEADERS, exports.LIST_WIDTHS,
               [exports.list_row(r, report.as_of) for r in report.rows])
    light_rules(ws, len(report.rows))
    if report.comparison is not None:
        sheet(wb, "本期变化", title, ["变化", "任务", "责任单位", "上期", "本期"], [16, 28, 22, 24, 24],
              exports.change_rows(report.comparison))
    ws = sheet(wb, "考核排名", title, ["名次", "单位", "得分", "等次", *[scoring.MEASURE_LABELS[m] for m in scoring.MEASURES]],
               [8, 24, 8, 8, *[12] * len(scoring.MEASURES)], exports.ranking_rows(report.ranking))
    fill_rules(ws, f"D3:D{len(report.ranking) + 2}",
               {scoring.BAND_LABELS[b]: exports.LIGHT_FILLS[b] for b in (duty_rules.GREEN, duty_rules.YELLOW, duty_rules.RED)})
    formula = wb.create_sheet("计分办法")
    for line in report.formula:
        formula.append([safe_cell(line)])
    return xlsx.to_bytes(wb)


def _colour(c) -> str | None:
    return c.rgb[-6:] if c is not None and isinstance(c.rgb, str) else None


def _cell(c) -> tuple:
    fill = c.fill.fgColor.rgb[-6:] if c.fill.fill_type == "solid" else None
    return (c.value, c.number_format, bool(c.font.b), float(c.font.sz or 11), fill, bool(c.alignment.wrap_text),
            c.alignment.horizontal, c.alignment.vertical)


def _rules(ws) -> list:
    out = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            out.append((str(cf.sqref), rule.type, rule.operator, tuple(rule.formula), rule.priority,
                        _colour(rule.dxf.fill.fgColor), _colour(rule.dxf.fill.bgColor), rule.dxf.fill.fill_type))
    return sorted(out)


def _contents(data: bytes) -> dict:
    """Everything a reader sees in the file, sheet by sheet."""
    book = load_workbook(io.BytesIO(data))
    out = {}
    for ws in book.worksheets:
        widths = {k: v.width for k, v in ws.column_dimensions.items() if v.customWidth}
        out[ws.title] = {"cells": [[_cell(c) for c in row] for row in ws.iter_rows()],
                         "merged": sorted(str(r) for r in ws.merged_cells.ranges), "frozen": ws.freeze_panes,
                         "filter": ws.auto_filter.ref, "widths": widths, "rules": _rules(ws)}
    return out


def _bulletin(app, args=None):
    leader = make_user("xlsx-leader", "leader")
    with app.test_request_context():
        return build(leader, MultiDict(args or {}), today())


def test_the_bulletin_file_holds_what_the_openpyxl_build_held(app, varied):
    inst = instance_by_key("transfer-children@yanhu-mz")
    inst.deadline = date(2020, 1, 1)  # a red light: the 红灯 sheet has rows
    inst.responsible_name = "=SUM(A1)"  # text that would be a formula
    db.session.get(Duty, inst.duty_id).title = "=1+1 移交儿童"
    db.session.commit()
    report = _bulletin(app)
    assert report.red and report.rows and report.ranking and report.transfer
    new, old = _contents(exports.to_xlsx(report)), _contents(_reference(report))
    assert list(new) == list(old)
    for name in old:
        for part in ("merged", "frozen", "filter", "widths", "rules", "cells"):
            assert new[name][part] == old[name][part], (name, part)
    assert any("'=1+1 移交儿童" == c[0] for row in new["任务明细"]["cells"] for c in row)


def test_one_plan_chosen_too(app, varied):
    report = _bulletin(app, {"plan": "1"})
    assert _contents(exports.to_xlsx(report)) == _contents(_reference(report))
