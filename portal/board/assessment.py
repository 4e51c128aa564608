"""考核 (services): the office's settings, each unit's facts from the database, the ranking.

The score itself is pure (`portal.board.scoring`); this module gathers its facts in a few grouped
statements — the board's own rows (duties), returns of this year (notes by kind and time), monthly
reports of this year, the training summary (`portal.training.reports.figures`) — and keeps the
settings (one row, audited, edited with the version it was read at).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from portal.audit.services import record
from portal.board import rollup, scoring
from portal.duties import rules
from portal.extensions import db
from portal.models import AssessmentSettings, DutyInstance, DutyNote, MonthlyReport, User
from portal.models.reports import SUBMITTED
from portal.timeutil import day_start_utc, to_local

SETTING_FIELDS = ("w_on_time", "w_overdue", "w_returns", "w_reports", "w_training", "w_signoff",
                  "overdue_cap_days", "green_min", "yellow_min", "instruction_days")
SETTING_LABELS = {
    "w_on_time": "按时完成率权重", "w_overdue": "逾期天数权重", "w_returns": "销号退回权重",
    "w_reports": "月度报告权重", "w_training": "培训覆盖率权重", "w_signoff": "签收及时性权重",
    "overdue_cap_days": "逾期封顶天数", "green_min": "绿色最低分", "yellow_min": "黄色最低分",
    "instruction_days": "批示落实期限（天）",
}


class SettingsError(ValueError):
    """A user-facing message: the settings were not saved."""


def _defaults() -> dict[str, int]:
    return {f: AssessmentSettings.__table__.c[f].default.arg for f in SETTING_FIELDS}


def current_settings() -> AssessmentSettings:
    """The settings row, or its defaults (not stored, version 0) before anyone saved; once per request."""
    from flask import g, has_request_context

    if has_request_context() and "assessment_settings" in g:
        return g.assessment_settings
    row = db.session.get(AssessmentSettings, 1)
    if row is None:
        row = AssessmentSettings(id=1, **_defaults())
        row.version = 0
    if has_request_context():
        g.assessment_settings = row
    return row


def weights_of(s: AssessmentSettings) -> scoring.Weights:
    return scoring.Weights(on_time=s.w_on_time, overdue=s.w_overdue, returns=s.w_returns, reports=s.w_reports,
                           training=s.w_training, signoff=s.w_signoff, overdue_cap_days=s.overdue_cap_days)


def settings_problem(values: dict[str, int]) -> str | None:
    if not any(values[f] for f in SETTING_FIELDS if f.startswith("w_")):
        return "至少一项权重应大于 0。"
    if values["yellow_min"] > values["green_min"]:
        return "黄色最低分不能高于绿色最低分。"
    return None


STALE = "其他人刚刚修改了考核设置，请查看最新设置后再保存。"


def save_settings(user: User, values: dict[str, int], version: int) -> AssessmentSettings:
    """Save the office's settings, audited with what changed. `version` is what the editor saw
    (0 before the first save): someone else's save in between is refused, never overwritten."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from portal.timeutil import utcnow

    problem = settings_problem(values)
    if problem:
        raise SettingsError(problem)
    row = db.session.get(AssessmentSettings, 1)
    if (row.version if row is not None else 0) != version:
        raise SettingsError(STALE)
    before = _defaults() if row is None else {f: getattr(row, f) for f in SETTING_FIELDS}
    if row is None:
        row = AssessmentSettings(id=1)
        db.session.add(row)
    changed = [f for f in SETTING_FIELDS if before[f] != values[f]]
    for f in SETTING_FIELDS:
        setattr(row, f, values[f])
    row.updated_by_id, row.updated_at = user.id, utcnow()
    record("update", "assessment_settings", 1, label="考核设置",
           before={SETTING_LABELS[f]: before[f] for f in changed},
           after={SETTING_LABELS[f]: values[f] for f in changed}, actor=user)
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):  # a save in between (the first row made twice, or a newer version)
        db.session.rollback()
        raise SettingsError(STALE) from None
    return row


# ---- facts -------------------------------------------------------------------------------------

def duty_facts(rows: list[rollup.Row], on: date) -> dict[str, dict]:
    """Per unit code: dated, on time, overdue and its days — from the board's rows."""
    out: dict[str, dict] = defaultdict(Counter)
    for r in rows:
        c = out[r.unit_code]
        if r.deadline is None:
            continue
        closed_day = to_local(r.closed_at).date() if r.state == rules.CLOSED and r.closed_at else None
        if r.deadline < on or closed_day is not None:
            c["dated"] += 1
            c["on_time"] += closed_day is not None and closed_day <= r.deadline
        if r.state != rules.CLOSED and r.deadline < on:
            c["overdue"] += 1
            c["overdue_days"] += (on - r.deadline).days
    return out


def return_facts(on: date) -> dict[int, Counter]:
    """Per unit id: 销号 asked and returned this year (notes by kind and time: the (kind, at) index)."""
    since = day_start_utc(date(on.year, 1, 1))
    stmt = (sa.select(DutyInstance.unit_id, DutyNote.kind, sa.func.count())
            .join(DutyInstance, DutyInstance.id == DutyNote.instance_id)
            .where(DutyNote.kind.in_((rules.NOTE_REQUEST_CLOSE, rules.NOTE_RETURNED)), DutyNote.at >= since)
            .group_by(DutyInstance.unit_id, DutyNote.kind))
    out: dict[int, Counter] = defaultdict(Counter)
    for unit_id, kind, n in db.session.execute(stmt):
        out[unit_id][kind] += n
    return out


def report_months(on: date, due_day: int) -> list[tuple[str, date]]:
    """This year's months whose reporting day has passed, with that day."""
    from portal.reports.services import due_date

    months = [f"{on.year}-{m:02d}" for m in range(1, on.month + 1)]
    return [(m, due_date(m, due_day)) for m in months if due_date(m, due_day) < on]


def report_facts(on: date, due_day: int) -> tuple[int, dict[int, int]]:
    """(months due this year, per unit id: months reported by their day)."""
    months = report_months(on, due_day)
    if not months:
        return 0, {}
    due = dict(months)
    stmt = (sa.select(MonthlyReport.unit_id, MonthlyReport.month, MonthlyReport.submitted_at)
            .where(MonthlyReport.month.in_(list(due)), MonthlyReport.status == SUBMITTED))
    on_time: Counter = Counter()
    for unit_id, month, at in db.session.execute(stmt):
        if at is not None and at < day_start_utc(due[month] + timedelta(days=1)):
            on_time[unit_id] += 1
    return len(months), on_time


def training_facts() -> dict[str, int]:
    """Per county code: the share of its training assignments completed (the training summary)."""
    from portal.training.reports import figures

    return {row.key.code: row.total.percent for row in figures(None).counties if row.total.assigned}


# ---- the ranking -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ranked:
    code: str
    name: str
    county_name: str
    facts: scoring.Facts
    parts: dict
    score: float | None
    band: str
    rank: int | None


def ranking(rows: list[rollup.Row], on: date, due_day: int) -> list[Ranked]:
    """Every unit with live duties, scored and ranked (best first; unscored last, in unit order)."""
    from portal import refdata

    s = current_settings()
    w = weights_of(s)
    duties = duty_facts(rows, on)
    returns = return_facts(on)
    months, reported = report_facts(on, due_day)
    training = training_facts()
    ids = {u.code: u.id for u in refdata.units()}
    facts: dict[str, tuple[rollup.UnitSummary, scoring.Facts]] = {}
    for u in rollup.by_unit(rows):
        d, r, uid = duties.get(u.code, Counter()), returns.get(ids.get(u.code), Counter()), ids.get(u.code)
        facts[u.code] = (u, scoring.Facts(
            dated=d["dated"], on_time=d["on_time"], overdue=d["overdue"], overdue_days=d["overdue_days"],
            close_requests=r[rules.NOTE_REQUEST_CLOSE], returns=min(r[rules.NOTE_RETURNED], r[rules.NOTE_REQUEST_CLOSE]),
            reports_due=months, reports_on_time=min(reported.get(uid, 0), months),
            training_pct=training.get(u.county_code) if u.county_code else None))
    scores = {code: scoring.score(f, w) for code, (_, f) in facts.items()}
    places = scoring.ranks(scores)
    out = [Ranked(code, u.name, u.county_name, f, scoring.parts(f, w), scores[code],
                  scoring.band(scores[code], s.green_min, s.yellow_min), places[code])
           for code, (u, f) in facts.items()]
    return sorted(out, key=lambda x: (x.rank is None, x.rank or 0, facts[x.code][0].order))


def band_counts(ranked: list[Ranked]) -> dict[str, int]:
    c = Counter(r.band for r in ranked)
    return {b: c.get(b, 0) for b in (rules.GREEN, rules.YELLOW, rules.RED, rules.GREY)}
