"""The 通报: period and scope in, one plain structure out — rendered as A4 HTML, .xlsx and .docx."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from portal import refdata
from portal.board import assessment, changes, comparison, pages, rollup, scoring
from portal.content.policy_doc import label_for
from portal.core.plan import PLAN_ID
from portal.core.time import day_start_utc
from portal.extensions import db
from portal.models import PolicyDocument, User
from portal.web.zhcontrols import date_problem, parse_zh_date


@dataclass
class Bulletin:
    basis: list[tuple[str, str]]  # the plans whose duties it reports: (title, 文号), by id
    as_of: date
    start: date
    end: date
    scope_label: str
    totals: rollup.Counts
    closed_in_period: int
    due_in_period: int
    units: list[rollup.UnitSummary]
    departments: list[rollup.DepartmentGroup]
    red: list[rollup.Row]
    yellow: list[rollup.Row]
    transfer: list[rollup.TransferRow]
    transfer_totals: dict
    indicator_names: list[tuple[str, str]]
    rows: list[rollup.Row] = field(repr=False, default_factory=list)
    problems: list[str] = field(default_factory=list)
    data: pages.BoardData | None = field(default=None, repr=False)
    comparison: changes.Comparison | None = field(default=None, repr=False)  # 本期与上期相比
    ranking: list[assessment.Ranked] = field(default_factory=list, repr=False)  # 考核
    formula: list[str] = field(default_factory=list, repr=False)

    @property
    def red_by_unit(self):
        return rollup.group_by_unit(self.red)

    @property
    def yellow_by_unit(self):
        return rollup.group_by_unit(self.yellow)

    plan_id: int = 0  # the plan chosen (0: every plan)
    seed_title: str = field(default="", repr=False)  # 运民发〔2021〕74号's title

    @property
    def basis_text(self) -> str:
        """依据: each plan reported on, 《title》（文号）."""
        return "、".join(f"《{t}》（{n}）" if n else f"《{t}》" for t, n in self.basis)

    @property
    def title(self) -> str:
        if len(self.basis) > 1:
            return f"{self.scope_label}各项督办方案落实工作推进情况通报"
        if self.basis and self.basis[0][0] != self.seed_title:
            return f"{self.scope_label}《{self.basis[0][0]}》落实工作推进情况通报"
        return f"{self.scope_label}儿童福利机构优化提质和创新转型工作推进情况通报"


# Until this day of a month a 通报 covers the previous month by default (this month has barely begun).
PREVIOUS_MONTH_UNTIL_DAY = 5


def default_period(on: date) -> tuple[date, date]:
    """This month so far; in a month's first days (a day or two of data) the whole previous month."""
    start, end = on.replace(day=1), on
    if on.day <= PREVIOUS_MONTH_UNTIL_DAY:
        end = start - timedelta(days=1)
        start = end.replace(day=1)
    return start, end


def period(args, on: date, problems: list[str]) -> tuple[date, date]:
    """The period asked for, else the default one. A date that is not a date is reported and the
    whole default period used (half a typed period and half a default one made no sense)."""
    raw = {name: args.get(name, "").strip()[:20] for name in ("start", "end")}
    parsed = {name: parse_zh_date(value) if value else None for name, value in raw.items()}
    bad = [label for name, label in (("start", "起始日期"), ("end", "截止日期")) if raw[name] and parsed[name] is None]
    if bad or not (parsed["start"] or parsed["end"]):
        for label in bad:
            name = "start" if label == "起始日期" else "end"
            problems.append(f"{label}“{raw[name]}”：{date_problem(raw[name]).rstrip('。')}；已按默认统计期间处理。")
        return default_period(on)
    end = parsed["end"] or on
    start = parsed["start"] or end.replace(day=1)
    if start > end:
        problems.append("起始日期晚于截止日期，已互换。")
        start, end = end, start
    return start, end


def scope_label(f: rollup.Filters, counties: list[tuple[str, str]]) -> str:
    parts = []
    if f.county:
        parts.append(dict(counties).get(f.county, ""))
    if f.level:
        parts.append(f.level)
    if f.kind:
        parts.append(f.kind)
    if f.area:
        parts.append(f"{label_for(f.area)}领域")
    return "".join(parts) or "全市"


def build(user: User, args, on: date) -> Bulletin:
    data = pages.load(user, args, on)
    problems = list(data.query.problems)
    start, end = period(args, on, problems)
    seed_title, seed_number = refdata.cached(("plan_document", PLAN_ID), _plan_document)
    since, until = day_start_utc(start), day_start_utc(end) + _one_day()
    closed = sum(1 for r in data.rows if r.closed_at is not None and since <= r.closed_at < until)
    due = sum(1 for r in data.rows if r.deadline and start <= r.deadline <= end)
    names = [n for n, _ in data.indicator_names]
    ranking = assessment.ranking(data.rows, on, current_app.config["REPORT_DUE_DAY"], data.query.filters.plan_id)
    return Bulletin(
        basis=_basis(data, seed_title, seed_number), plan_id=data.query.filters.plan_id, seed_title=seed_title,
        as_of=on, start=start, end=end,
        scope_label=scope_label(data.query.filters, data.counties), totals=data.totals,
        closed_in_period=closed, due_in_period=due, units=rollup.by_unit(data.rows),
        departments=rollup.department_matrix(data.rows), red=rollup.red_list(data.rows, on),
        yellow=rollup.yellow_list(data.rows), transfer=data.transfer,
        transfer_totals=rollup.transfer_totals(data.transfer, names), indicator_names=data.indicator_names,
        rows=data.rows, problems=problems, data=data,
        ranking=ranking,  # read first: it reads the office's settings the comparison also uses
        comparison=comparison.for_period(data.rows, start, end, on),
        formula=scoring.formula_lines(*_weights()))


def _basis(data: pages.BoardData, seed_title: str, seed_number: str) -> list[tuple[str, str]]:
    """The plans the 通报 reports on: the one chosen, else each plan with a duty in it (plan one by its
    library document's title and 文号, as the 方案 itself writes them)."""
    chosen = data.query.filters.plan_id
    ids = [chosen] if chosen else sorted({r.plan_id for r in data.rows})
    out = []
    for plan in filter(None, map(refdata.plan, ids)):
        out.append((seed_title, seed_number) if plan.number == seed_number and seed_title else (plan.title, plan.number))
    return out or [(seed_title, seed_number)]


def _plan_document() -> tuple[str, str]:
    """The plan's title and 文号 (a reference table: kept per process until a library write)."""
    row = db.session.execute(sa.select(PolicyDocument.title, PolicyDocument.number)
                             .where(PolicyDocument.doc_id == PLAN_ID)).first()
    return (row.title, row.number or "") if row else ("", "")


def _weights():
    s = assessment.current_settings()
    return assessment.weights_of(s), s.green_min, s.yellow_min


def _one_day():
    return timedelta(days=1)
