"""考核 (services): the office's settings, each unit's facts from the database, the ranking.

The score itself is pure (`portal.board.scoring`); this module gathers its facts in a few grouped
statements — the board's own rows (duties), returns of this year (notes by kind and time), monthly
reports of this year, the training summary (`portal.training.figures.figures`) — and keeps the
settings (one row, audited, edited with the version it was read at).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.expression import FunctionElement

from portal import refdata
from portal.audit.services import record
from portal.board import rollup, scoring
from portal.core import duty_rules
from portal.core.labels import FIELD_LABELS
from portal.core.refusals import Refusal
from portal.core.time import day_start_utc, to_local, utcnow
from portal.core.training_rules import percent
from portal.extensions import db
from portal.models import (
    Acknowledgement,
    AssessmentSettings,
    Duty,
    DutyInstance,
    DutyNote,
    MonthlyReport,
    TrainingModule,
    TrainingTally,
    Urge,
    User,
)
from portal.models.reports import SUBMITTED
from portal.reports.services import due_date

SETTING_FIELDS = ("w_on_time", "w_overdue", "w_returns", "w_reports", "w_training", "w_signoff",
                  "overdue_cap_days", "green_min", "yellow_min", "instruction_days", "checkin_period")
NUMBER_FIELDS = SETTING_FIELDS[:-1]
SETTING_LABELS = {f: FIELD_LABELS[f] for f in SETTING_FIELDS}  # the form's and the audit log's words


class SettingsError(Refusal, ValueError):
    """A user-facing message: the settings were not saved."""


def _defaults() -> dict[str, int]:
    return {f: AssessmentSettings.__table__.c[f].default.arg for f in SETTING_FIELDS}


def current_settings() -> AssessmentSettings:
    """The settings row, or its defaults (not stored, version 0) before anyone saved; once per request."""
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
    if not any(values[f] for f in NUMBER_FIELDS if f.startswith("w_")):
        return "至少一项权重应大于 0。"
    if values["yellow_min"] > values["green_min"]:
        return "黄色最低分不能高于绿色最低分。"
    return None


STALE = "其他人刚刚修改了考核设置，请查看最新设置后再保存。"


def save_settings(user: User, values: dict[str, int], version: int) -> AssessmentSettings:
    """Save the office's settings, audited with what changed. `version` is what the editor saw
    (0 before the first save): someone else's save in between is refused, never overwritten."""
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
           before={f: before[f] for f in SETTING_FIELDS if f in changed},
           after={f: values[f] for f in SETTING_FIELDS if f in changed}, actor=user)
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
        closed_day = to_local(r.closed_at).date() if r.state == duty_rules.CLOSED and r.closed_at else None
        if r.deadline < on or closed_day is not None:
            c["dated"] += 1
            c["on_time"] += closed_day is not None and closed_day <= r.deadline
        if r.state != duty_rules.CLOSED and r.deadline < on:
            c["overdue"] += 1
            c["overdue_days"] += (on - r.deadline).days
    return out


def report_months(on: date, due_day: int) -> list[tuple[str, date]]:
    """This year's months whose reporting day has passed, with that day."""
    months = [f"{on.year}-{m:02d}" for m in range(1, on.month + 1)]
    return [(m, due_date(m, due_day)) for m in months if due_date(m, due_day) < on]


@dataclass
class StoredFacts:
    """What the ranking reads beside the board's rows, and the settings it scores with."""

    settings: AssessmentSettings
    asked: Counter      # unit id -> 销号 asked this year
    returned: Counter   # unit id -> of them returned
    months: int         # months this year past their reporting day
    reported: Counter   # unit id -> months reported by their day
    training: dict      # county unit id -> (assigned, completed)
    signoff: dict = None  # unit id -> (hours to 签收 summed, 催办 judged): this year's 催办 and 督办单


class hours_of(FunctionElement):
    """A timestamp as hours on one scale (differences are what count): SQLite's julianday, PostgreSQL's epoch."""

    type = sa.Float()
    inherit_cache = True


@compiles(hours_of)
def _hours_sqlite(element, compiler, **kw):
    return f"(julianday({compiler.process(element.clauses, **kw)}) * 24.0)"


@compiles(hours_of, "postgresql")
def _hours_postgresql(element, compiler, **kw):
    return f"(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) / 3600.0)"


def _signoff_part(since, cap_hours: int, plan_id: int = 0) -> sa.Select:
    """Per unit: the hours from each 催办 or 督办单 sent this year to its 签收, capped at `cap_hours`, summed,
    and how many were judged — those signed, and those unsigned for `cap_hours` or longer (counted at the
    cap); one still inside its first `cap_hours` unsigned is not judged yet. One plan chosen: the 催办 on
    that plan's duties only (one about a unit, a report or training belongs to no plan)."""
    signed = hours_of(Acknowledgement.at)
    waited = sa.func.coalesce(signed, hours_of(sa.literal(utcnow(), sa.DateTime()))) - hours_of(Urge.at)
    capped = sa.case((waited > cap_hours, sa.literal(float(cap_hours))), else_=waited)
    ack = sa.and_(Acknowledgement.kind == "urge", Acknowledgement.object_id == Urge.id,
                  Acknowledgement.unit_id == Urge.unit_id)
    stmt = (_part("sign", Urge.unit_id, sa.literal(""), sa.func.sum(capped), sa.func.count())
            .select_from(Urge).outerjoin(Acknowledgement, ack)
            .where(Urge.at >= since, sa.or_(signed.is_not(None), waited >= cap_hours)))
    if plan_id:
        stmt = stmt.where(Urge.instance_id.in_(plan_instances(plan_id)))
    return stmt.group_by(Urge.unit_id)


def plan_instances(plan_id: int) -> sa.Select:
    """The ids of one plan's duty instances (a subquery the figures scope themselves by)."""
    return (sa.select(DutyInstance.id).join(Duty, Duty.id == DutyInstance.duty_id).where(Duty.plan_id == plan_id)
            .correlate(None))


def _part(tag: str, key, name, a, b) -> sa.Select:
    return sa.select(sa.literal(tag).label("tag"), sa.cast(key, sa.Integer).label("k"),
                     sa.cast(name, sa.String).label("name"), sa.cast(a, sa.Integer).label("a"),
                     sa.cast(b, sa.Integer).label("b"))


def stored_facts(on: date, due_day: int, plan_id: int = 0) -> StoredFacts:
    """The settings, this year's returns, this year's monthly reports on time, and each county's
    training summary — one statement (UNION ALL of tagged rows), whatever the size of the history:
    notes by (kind, at), reports by month, the training summary's few hundred rows. One plan chosen
    (`plan_id`): returns and 催办 of that plan's duties; reports and training belong to no plan."""
    since = day_start_utc(date(on.year, 1, 1))
    parts = [_part("set", 0, sa.literal(f), getattr(AssessmentSettings, f), 0).where(AssessmentSettings.id == 1)
             for f in (*NUMBER_FIELDS, "version")]
    parts.append(_part("text", 0, AssessmentSettings.checkin_period, 0, 0).where(AssessmentSettings.id == 1))
    parts.append(_part("note", DutyInstance.unit_id, DutyNote.kind, sa.func.count(), 0)
                 .select_from(DutyNote).join(DutyInstance, DutyInstance.id == DutyNote.instance_id)
                 .where(DutyNote.kind.in_((duty_rules.NOTE_REQUEST_CLOSE, duty_rules.NOTE_RETURNED)), DutyNote.at >= since,
                        *([DutyInstance.id.in_(plan_instances(plan_id))] if plan_id else []))
                 .group_by(DutyInstance.unit_id, DutyNote.kind))
    months = report_months(on, due_day)
    if months:
        in_time = sa.or_(*[sa.and_(MonthlyReport.month == m, MonthlyReport.submitted_at < day_start_utc(d + timedelta(days=1)))
                           for m, d in months])
        parts.append(_part("report", MonthlyReport.unit_id, sa.literal(""), sa.func.count(), 0)
                     .where(MonthlyReport.status == SUBMITTED, in_time).group_by(MonthlyReport.unit_id))
    parts.append(_part("train", TrainingTally.county_id, sa.literal(""), sa.func.sum(TrainingTally.assigned),
                       sa.func.sum(TrainingTally.completed))
                 .join(TrainingModule, TrainingModule.id == TrainingTally.module_id).where(~TrainingModule.retired)
                 .group_by(TrainingTally.county_id))
    parts.append(_signoff_part(since, scoring.Weights().signoff_cap_hours, plan_id))
    stored: dict[str, int] = {}
    asked, returned, reported, training, signoff = Counter(), Counter(), Counter(), {}, {}
    for tag, key, name, a, b in db.session.execute(sa.union_all(*parts)):
        if tag == "set":
            stored[name] = a
        elif tag == "text":
            stored["checkin_period"] = name
        elif tag == "note":
            (asked if name == duty_rules.NOTE_REQUEST_CLOSE else returned)[key] += a
        elif tag == "report":
            reported[key] += a
        elif tag == "sign":
            signoff[key] = (int(a or 0), int(b))
        elif a:
            training[key] = (int(a), int(b or 0))
    return StoredFacts(_remember(stored), asked, returned, len(months), reported, training, signoff)


def _remember(stored: dict[str, int]) -> AssessmentSettings:
    """The settings as read (defaults when none saved), kept for the rest of the request."""
    values = {**_defaults(), **{f: v for f, v in stored.items() if f in SETTING_FIELDS}}
    row = AssessmentSettings(id=1, **values)
    row.version = stored.get("version", 0)
    if has_request_context():
        g.assessment_settings = row
    return row


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


def ranking(rows: list[rollup.Row], on: date, due_day: int, plan_id: int = 0) -> list[Ranked]:
    """Every unit with live duties in `rows`, scored and ranked (best first; unscored last, in unit
    order). `plan_id`: the one plan `rows` hold (0: every plan), so returns and 催办 are that plan's too."""
    stored = stored_facts(on, due_day, plan_id)
    s = stored.settings
    w = weights_of(s)
    duties = duty_facts(rows, on)
    ids = {u.code: u.id for u in refdata.units()}
    facts: dict[str, tuple[rollup.UnitSummary, scoring.Facts]] = {}
    for u in rollup.by_unit(rows):
        d, uid = duties.get(u.code, Counter()), ids.get(u.code)
        asked = stored.asked.get(uid, 0)
        train = stored.training.get(ids.get(u.county_code)) if u.county_code else None
        facts[u.code] = (u, scoring.Facts(
            dated=d["dated"], on_time=d["on_time"], overdue=d["overdue"], overdue_days=d["overdue_days"],
            close_requests=asked, returns=min(stored.returned.get(uid, 0), asked),
            reports_due=stored.months, reports_on_time=min(stored.reported.get(uid, 0), stored.months),
            training_pct=percent(train[1], train[0]) if train else None,
            signoff_hours=_average_hours(stored.signoff.get(uid))))
    scores = {code: scoring.score(f, w) for code, (_, f) in facts.items()}
    places = scoring.ranks(scores)
    out = [Ranked(code, u.name, u.county_name, f, scoring.parts(f, w), scores[code],
                  scoring.band(scores[code], s.green_min, s.yellow_min), places[code])
           for code, (u, f) in facts.items()]
    return sorted(out, key=lambda x: (x.rank is None, x.rank or 0, facts[x.code][0].order))


def _average_hours(summed: tuple[int, int] | None) -> float | None:
    return summed[0] / summed[1] if summed and summed[1] else None


def band_counts(ranked: list[Ranked]) -> dict[str, int]:
    c = Counter(r.band for r in ranked)
    return {b: c.get(b, 0) for b in (duty_rules.GREEN, duty_rules.YELLOW, duty_rules.RED, duty_rules.GREY)}
