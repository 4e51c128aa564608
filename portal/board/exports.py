"""The 通报 as .xlsx (openpyxl: a sheet per view), from one Bulletin; the rows the Word file shares
(its 公文 layout: `portal/board/bulletin_word.py`)."""
from __future__ import annotations

from datetime import date

from openpyxl.utils import get_column_letter

from portal import xlsx
from portal.board import rollup, scoring
from portal.board.bulletin import Bulletin
from portal.content.policy_doc import label_for
from portal.core import duty_rules
from portal.core.labels import deadline_label, zh_date
from portal.export_text import local_cell, safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Fills for the lights (the cell text also carries symbol and label, so print loses nothing).
LIGHT_FILLS = {duty_rules.RED: "F8D7DA", duty_rules.YELLOW: "FFF3CD", duty_rules.BLUE: "D6E4F5", duty_rules.GREEN: "D4EDDA",
               duty_rules.GREY: "E2E3E5"}
STEP_FILLS = {rollup.STEP_DONE: "D4EDDA", rollup.STEP_IN_PROGRESS: "D6E4F5", rollup.STEP_OVERDUE: "F8D7DA",
              rollup.STEP_TO_VERIFY: "FFF3CD", rollup.STEP_TO_REQUEST: "FFF3CD",
              rollup.STEP_NOT_STARTED: "E2E3E5"}


def light_text(lt: str) -> str:
    return f"{rollup.LIGHT_SYMBOLS[lt]} {duty_rules.LIGHT_LABELS[lt]}"


def step_text(status: str) -> str:
    return f"{rollup.STEP_SYMBOLS[status]} {rollup.STEP_LABELS[status]}"


def full_name(report: Bulletin) -> str:
    return report.basis_text


def summary_pairs(report: Bulletin) -> list[tuple[str, object]]:
    t = report.totals
    return [("任务总数", t.total), ("已销号", t.closed), ("申请销号（待核验）", t.by_state[duty_rules.REQUESTED]),
            ("推进中", t.by_state[duty_rules.IN_PROGRESS]), ("受阻", t.by_state[duty_rules.BLOCKED]),
            ("未启动", t.by_state[duty_rules.NOT_STARTED]), ("逾期（红灯）", t.overdue),
            ("预警（黄灯）", t.by_light[duty_rules.YELLOW]), ("完成率（已销号，%）", t.pct_complete),
            ("本期销号", report.closed_in_period), ("本期到期", report.due_in_period)]


def list_row(r: rollup.Row, on: date) -> list:
    return [r.unit_name, "牵头", "、".join(r.cooperators), r.title, "、".join(label_for(c) for c in r.clause_ids),
            duty_rules.STATE_LABELS[r.state], light_text(r.light), r.progress,
            r.deadline if r.deadline and r.deadline_kind != "periodic" else deadline_label(r),  # a date cell, or the words
            rollup.days_overdue(r, on) or "", local_cell(r.last_activity).date() if r.last_activity else ""]  # the board's day


LIST_HEADERS = ["责任单位", "牵头/配合", "配合单位", "任务", "来源条款", "状态", "预警", "进度(%)", "完成时限",
                "逾期天数", "最近动态"]
LIST_WIDTHS = [22, 10, 28, 28, 16, 10, 10, 8, 14, 10, 14]


# ---- .xlsx -------------------------------------------------------------------------------------

def to_xlsx(report: Bulletin) -> bytes:
    """The 通报's sheets, written as XML directly (`portal.xlsx.Book`: with many plans 任务明细 holds
    thousands of rows, and openpyxl's per-cell objects were most of the first build)."""
    wb = xlsx.Book(title_size=14)
    title = f"{report.title}（截至{zh_date(report.as_of)}）"
    summary = _sheet(wb, "汇总", title, ["项目", "数值"], [18, 14], [[k, v] for k, v in summary_pairs(report)])
    summary.append([])
    summary.append(["依据", safe_cell(full_name(report))])
    summary.append(["统计期间", f"{zh_date(report.start)}至{zh_date(report.end)}"])

    dept_headers = ["责任单位", *[duty_rules.STATE_LABELS[s] for s in rollup.STATE_COLUMNS], "逾期", "完成率(%)"]
    dept_rows = []
    for g in report.departments:
        label = f"县级{g.members[0].group}（{len(g.members)}个）" if g.grouped else g.label
        dept_rows.append([label, *[g.counts.by_state[s] for s in rollup.STATE_COLUMNS], g.counts.overdue,
                          g.counts.pct_complete])
    _sheet(wb, "部门状态", title, dept_headers, [26, 8, 8, 8, 10, 8, 8, 10], dept_rows)

    unit_rows = [[u.name, u.county_name, u.counts.total, *[u.counts.by_state[s] for s in rollup.STATE_COLUMNS],
                  u.counts.overdue, u.counts.pct_complete] for u in report.units]
    _sheet(wb, "单位", title, ["单位", "县（市、区）", "任务数", *[duty_rules.STATE_LABELS[s] for s in rollup.STATE_COLUMNS],
                               "逾期", "完成率(%)"], [24, 12, 8, 8, 8, 8, 10, 8, 8, 10], unit_rows)

    for name, items in (("红灯", report.red), ("黄灯", report.yellow)):
        ws = _sheet(wb, name, title, LIST_HEADERS, LIST_WIDTHS, [list_row(r, report.as_of) for r in items])
        _light_rules(wb, ws, "G", len(items))

    if report.transfer:
        steps = [t for t, _ in report.transfer[0].cells]
        names = [n for n, _ in report.indicator_names]
        rows = [[t.county_name, *[step_text(s) for _, s in t.cells], *[t.indicators.get(n, "") for n in names],
                 step_text(t.status)] for t in report.transfer]
        totals = report.transfer_totals
        rows.append(["合计", *[f"{totals['steps_done'][s]}/{totals['counties']}" for s in steps],
                     *[totals["indicators"][n] for n in names], f"已销号 {totals['counties_done']}/{totals['counties']}"])
        ws = _sheet(wb, "移交进度", title, ["县（市、区）或机构", *steps, *names, "整体"],
                    [14, *[12] * len(steps), *[14] * len(names), 12], rows)
        _step_rules(wb, ws, 2 + len(steps) + len(names), len(rows))

    ws = _sheet(wb, "任务明细", title, LIST_HEADERS, LIST_WIDTHS, [list_row(r, report.as_of) for r in report.rows])
    _light_rules(wb, ws, "G", len(report.rows))
    if report.comparison is not None:
        _sheet(wb, "本期变化", title, ["变化", "任务", "责任单位", "上期", "本期"], [16, 28, 22, 24, 24],
               change_rows(report.comparison))
    ws = _sheet(wb, "考核排名", title, ["名次", "单位", "得分", "等次", *[scoring.MEASURE_LABELS[m] for m in scoring.MEASURES]],
                [8, 24, 8, 8, *[12] * len(scoring.MEASURES)], ranking_rows(report.ranking))
    wb.fill_rules(ws, f"D3:D{len(report.ranking) + 2}",
                  {scoring.BAND_LABELS[b]: LIGHT_FILLS[b] for b in (duty_rules.GREEN, duty_rules.YELLOW, duty_rules.RED)})
    formula = wb.plain("计分办法")
    for line in report.formula:
        formula.append([safe_cell(line)])
    return wb.to_bytes()


def change_rows(c) -> list[list]:
    """本期与上期相比 as rows: (what changed, duty, unit, before, now)."""
    def light_of(s):
        return light_text(s.light) if s else "（上期尚无）"

    rows = [["新增红灯", x.title, x.unit_name, light_of(x.before), light_text(x.after.light)] for x in c.new_red]
    rows += [["红灯转出", x.title, x.unit_name, light_of(x.before), light_text(x.after.light)] for x in c.back_from_red]
    rows += [["延期", x.title, x.unit_name, zh_date(x.before.deadline), zh_date(x.after.deadline)] for x in c.extended]
    rows += [[f"批示超过{c.instruction_days}天未落实", x.title, x.unit_name, f"{zh_date(x.at)}批示：{x.body[:200]}",
              f"已{x.days}天"] for x in c.instructions]
    if not c.available:
        rows.insert(0, ["说明", f"{zh_date(c.previous_end)}及以前没有每日记录，暂不能与上期比较", "", "", ""])
    return rows


def ranking_rows(ranked) -> list[list]:
    return [[x.rank or "—", x.name, x.score if x.score is not None else "—", scoring.BAND_LABELS[x.band],
             *[round(100 * x.parts[m]) if x.parts[m] is not None else "不计" for m in scoring.MEASURES]]
            for x in ranked]


def _sheet(wb: xlsx.Book, name: str, title: str, headers: list[str], widths: list[int], rows: list[list]) -> xlsx.Sheet:
    """A sheet of the 通报: title row, frozen and filtered header, the rows; only the long-text columns
    wrap."""
    return wb.sheet(name, headers, widths, rows, title=title,
                    wrap=[i for i, w in enumerate(widths) if w >= 24])


def _light_rules(wb: xlsx.Book, ws: xlsx.Sheet, column: str, n: int) -> None:
    if n:
        wb.fill_rules(ws, f"{column}3:{column}{n + 2}", {light_text(lt): c for lt, c in LIGHT_FILLS.items()})


def _step_rules(wb: xlsx.Book, ws: xlsx.Sheet, last_col: int, n: int) -> None:
    if n:
        wb.fill_rules(ws, f"B3:{get_column_letter(last_col)}{n + 2}", {step_text(s): c for s, c in STEP_FILLS.items()})
