"""Training reports as .xlsx: a title row with the as-of date, Chinese headers, frozen header."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from portal import xlsx
from portal.core import training_rules
from portal.core.labels import zh_date
from portal.training.figures import MatrixReport, RollupRow
from portal.training.scope import county_units


def _sheet(title: str, as_of: date, headers: list[str], rows, widths: list[int], fills=None) -> bytes:
    """A report sheet: the title with its as-of date, the header frozen, rows written as the sheet's XML
    (`portal.xlsx.sheet_file`: a county's matrix or the overdue list grows with the roster)."""
    return xlsx.sheet_file(title, headers, widths, rows, title=f"{title}（截至{zh_date(as_of)}）", fills=fills)


Progress = Callable[[int], None]  # told the number of rows written so far, every `PROGRESS_EVERY` rows
PROGRESS_EVERY = 250


def _told(rows: Iterable, progress: Progress | None):
    """The rows unchanged; `progress` hears how many have gone by (a background export's progress bar)."""
    if progress is None:
        yield from rows
        return
    n = 0
    for n, row in enumerate(rows, 1):
        if n % PROGRESS_EVERY == 0:
            progress(n)
        yield row
    progress(n)


def matrix_xlsx(report: MatrixReport, progress: Progress | None = None) -> bytes:
    m = report.matrix
    headers = (["姓名", "角色", "乡镇（街道）", "村（社区）"] + [mod.title for mod in report.modules]
               + ["已完成", "已安排", "完成率(%)", f"{report.as_of.year}年学时", "学时是否达标"])
    texts = {s: f"{training_rules.STATE_SYMBOLS[s]} {training_rules.STATE_LABELS[s]}" for s in training_rules.STATE_LABELS}
    colour = {texts[s]: c for s, c in training_rules.STATE_FILLS.items()}

    def rows():
        for t, states in report.rows():
            tally = m.rows[t.id]
            yield ([t.name, training_rules.post_label(t.post), t.township, t.village] + [texts[s] for s in states]
                   + [tally.completed, tally.assigned, training_rules.sheet_percent(tally.completed, tally.assigned),
                      report.hours.get(t.id, 0) / 10, _target_word(report, t.id)])
        cols = [m.cols[mod.id] for mod in report.modules]
        yield (["合计：已完成/已安排", "", "", ""] + [f"{c.completed}/{c.assigned}" if c.assigned else training_rules.NO_PERCENT
                                              for c in cols]
               + [m.total.completed, m.total.assigned, training_rules.sheet_percent(m.total.completed, m.total.assigned), "", ""])
        yield ["完成率(%)", "", "", ""] + [training_rules.sheet_percent(c.completed, c.assigned) for c in cols] + ["", "", "", "", ""]

    widths = [10, 12, 14, 14] + [14] * len(report.modules) + [8, 8, 10, 10, 12]
    last = 4 + len(report.modules)
    return _sheet(report.title, report.as_of, headers, _told(rows(), progress), widths,
                  lambda _i, j, v: colour.get(v) if 4 <= j < last else None)


def _target_word(report: MatrixReport, person_id: int) -> str:
    if report.target is None:
        return "未设目标"
    return "未达标" if report.short(person_id) else "已达标"


def rollup_xlsx(title: str, as_of: date, first: str, rows_in: list[RollupRow], total: training_rules.Tally) -> bytes:
    headers = [first, "已安排", "已完成", "已逾期", "完成率(%)",
               "儿童督导员已安排", "儿童督导员已完成", "儿童主任已安排", "儿童主任已完成"]
    rows = []
    for r in rows_in:
        s, d = r.by_role[training_rules.SUPERVISOR], r.by_role[training_rules.DIRECTOR]
        rows.append([r.label, r.total.assigned, r.total.completed, r.total.overdue,
                     training_rules.sheet_percent(r.total.completed, r.total.assigned),
                     s.assigned, s.completed, d.assigned, d.completed])
    rows.append(["合计", total.assigned, total.completed, total.overdue, training_rules.sheet_percent(total.completed, total.assigned),
                 "", "", "", ""])
    return _sheet(title, as_of, headers, rows, [28, 10, 10, 10, 10, 14, 14, 14, 14])


def overdue_xlsx(as_of: date, rows_in, phone_shown, progress: Progress | None = None) -> bytes:
    """Every overdue pair (`reports.overdue_rows`, streamed); `phone_shown(county_id)` says whether the
    viewer sees a row's phone in full."""
    headers = ["序号", "姓名", "角色", "县（市、区）", "乡镇（街道）、村（社区）", "手机号", "培训模块", "完成时限", "逾期天数"]
    names = {c.id: c.name for c in county_units()}

    def rows():
        for n, r in enumerate(rows_in, 1):
            yield [n, r.name, training_rules.post_label(r.post), names.get(r.county_id, ""), r.place,
                   training_rules.phone_as_shown(r.phone, phone_shown(r.county_id)), r.module, r.due, r.days(as_of)]

    return _sheet("培训逾期名单", as_of, headers, _told(rows(), progress), [6, 10, 12, 14, 24, 14, 30, 16, 10])


def coverage_xlsx(county_name: str, as_of: date, rows_in: list[training_rules.Coverage], roster: dict) -> bytes:
    headers = ["培训模块", "对象", "已培训人数", "花名册人数", "覆盖率(%)"]
    rows = [[c.module_title, training_rules.post_label(c.post), c.trained, c.on_roster,
             training_rules.sheet_percent(c.trained, c.on_roster)] for c in rows_in]
    rows.append(["花名册合计", "", "", sum(roster.values()), ""])
    return _sheet(f"{county_name}督导员和儿童主任业务培训覆盖情况", as_of, headers, rows, [34, 12, 12, 12, 12])


def initial_passwords_xlsx(as_of: date, accounts: list[tuple[str, str, str]]) -> bytes:
    """The accounts a roster import created, with their first passwords (to hand to each person)."""
    rows = [[n, name, account, password, "首次登录须修改"] for n, (name, account, password) in enumerate(accounts, 1)]
    return _sheet("学员账号初始密码", as_of, ["序号", "姓名", "登录账号", "初始密码", "说明"], rows, [6, 12, 18, 18, 16])
