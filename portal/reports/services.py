"""Monthly 进展报告: one per unit and month, drafted, then submitted by a fixed day."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal import locking, refdata
from portal.audit.services import record
from portal.capabilities import can
from portal.core.labels import ACTION_LABELS
from portal.core.refusals import Refusal, Stale
from portal.core.time import month_bounds_utc, to_local, today, utcnow
from portal.extensions import db
from portal.limits import REPORT_FIELD, too_long
from portal.models import AuditEntry, Duty, DutyInstance, MonthlyReport, Unit, User
from portal.models.reports import DRAFT, SUBMITTED

MONTH_RE = re.compile(r"^(20\d{2})-(0[1-9]|1[0-2])$")
STALE = "该报告已被他人修改，您的修改尚未保存：请对照下方两个版本后再保存。"
FIELDS = ("progress", "problems", "next_steps")
STATUS_LABELS = {DRAFT: "草稿", SUBMITTED: "已提交"}
LABELS = {"progress": "进展情况", "problems": "存在问题", "next_steps": "下步打算"}


class ReportError(Refusal, ValueError):
    pass


class StaleReport(ReportError, Stale):
    """Someone saved the report after this edit's form was opened (shown as a `locking.Conflict`)."""

    def __init__(self) -> None:
        super().__init__(STALE)


def _stale() -> ReportError:
    return StaleReport()


def parse_month(value: str) -> str | None:
    return value if MONTH_RE.match(value or "") else None


def current_month() -> str:
    return f"{today():%Y-%m}"


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """Stored-time (UTC) bounds of a local calendar month."""
    year, mon = map(int, month.split("-"))
    return month_bounds_utc(year, mon)


def due_date(month: str, due_day: int) -> date:
    year, mon = map(int, month.split("-"))
    return date(year, mon, min(due_day, 28))


def can_edit(user: User, unit: Unit) -> bool:
    return can(user, "act_for_own_unit") and user.unit_id == unit.id


def can_read(user: User, unit: Unit) -> bool:
    return can_edit(user, unit) or can(user, "see_all_units")


def reporting_units() -> list[Unit]:
    """Units that lead at least one live duty instance."""
    return list(db.session.scalars(
        sa.select(Unit).where(Unit.active, Unit.id.in_(
            sa.select(DutyInstance.unit_id).where(~DutyInstance.archived))).order_by(Unit.sort_order)))


def get_report(unit: Unit, month: str) -> MonthlyReport | None:
    return db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.unit_id == unit.id, MonthlyReport.month == month))


# What counts as the unit's work in a month: its own steps and the office's decisions on them.
# Content syncs (新建, 修改, 归档) and demo clean-ups are not the unit's doing.
WORK_ACTIONS = ("tick", "untick", "note", "upload", "request_close", "close", "return", "block", "unblock",
                "request_extension", "approve_extension", "reject_extension")


def month_activity(unit: Unit, month: str, plan_id: int = 0) -> list[str]:
    """What the unit did on its duties that month (and the office decided), as lines to pre-fill 进展情况:
    every plan's duties, under a line naming each plan when there are several, or one plan's (`plan_id`)."""
    start, end = month_bounds(month)
    of_plan = [Duty.plan_id == plan_id] if plan_id else []
    duties = {str(iid): (title, pid) for iid, title, pid in db.session.execute(
        sa.select(DutyInstance.id, Duty.title, Duty.plan_id).join(Duty, DutyInstance.duty_id == Duty.id)
        .where(DutyInstance.unit_id == unit.id, *of_plan))}
    if not duties:
        return []
    titles = {iid: title for iid, (title, _) in duties.items()}
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "duty_instance", AuditEntry.object_id.in_(titles),
                                    AuditEntry.action.in_(WORK_ACTIONS), AuditEntry.actor_id.is_not(None),
                                    AuditEntry.at >= start, AuditEntry.at < end).order_by(AuditEntry.id)).all()
    by_plan: dict[int, list[str]] = {}
    for e in entries:
        what = ACTION_LABELS.get(e.action, e.action)
        detail = (e.after or {}).get("item") or (e.after or {}).get("note") or (e.after or {}).get("file") or ""
        detail = f"「{str(detail)[:60]}」" if detail else ""
        local = to_local(e.at)
        by_plan.setdefault(duties[e.object_id][1], []).append(
            f"{local.month}月{local.day}日 {titles[e.object_id]}：{what}{detail}")
    if len(by_plan) <= 1:
        return next(iter(by_plan.values()), [])
    lines = []
    for pid in sorted(by_plan):
        plan = refdata.plan(pid)
        lines.append(f"【{plan.number or plan.title if plan else '其他'}】")
        lines += by_plan[pid]
    return lines


def prefill(unit: Unit, month: str, plan_id: int = 0) -> dict[str, str]:
    lines = month_activity(unit, month, plan_id)
    return {"progress": "\n".join(lines) if lines else "本月暂无任务变动。", "problems": "", "next_steps": ""}


@dataclass
class ReportInput:
    progress: str
    problems: str
    next_steps: str


def checked_values(data: ReportInput) -> dict[str, str]:
    """The three boxes as stored; a box longer than its limit refuses the save (nothing is cut)."""
    values = {f: getattr(data, f).strip() for f in FIELDS}
    for f, v in values.items():
        problem = too_long(LABELS[f], v, REPORT_FIELD)
        if problem:
            raise ReportError(problem)
    return values


def save(user: User, unit: Unit, month: str, data: ReportInput, submit: bool, expected_version: int | None) -> MonthlyReport:
    if not can_edit(user, unit):
        raise PermissionError
    values = checked_values(data)
    if submit and not values["progress"]:
        raise ReportError("提交前请填写进展情况。")
    report = get_report(unit, month)
    # The form says which version it was edited from; 0 means "there was no report yet".
    locking.check_version(report.version if report else 0, expected_version or 0, _stale)
    if report is None:
        report = MonthlyReport(unit_id=unit.id, month=month)
        db.session.add(report)
    if report.status == SUBMITTED:
        raise ReportError("该月报告已提交，不能再修改。")
    before = {f: getattr(report, f) or "" for f in FIELDS}
    for f, v in values.items():
        setattr(report, f, v)
    report.updated_by_id, report.updated_at = user.id, utcnow()
    if submit:
        report.status, report.submitted_at = SUBMITTED, utcnow()
    try:
        with locking.stale_as(_stale):  # another save of the same version won the race
            db.session.flush()
    except IntegrityError:  # another first save of the same month won the race
        db.session.rollback()
        raise StaleReport() from None
    record("submit_report" if submit else "save_report", "report", report.id, label=f"{unit.name} {month}",
           before=before, after={**values, "status": report.status}, actor=user)
    locking.commit(_stale)
    return report


def submitted_late(report: MonthlyReport, due_day: int) -> bool:
    return report.submitted_at is not None and to_local(report.submitted_at).date() > due_date(report.month, due_day)


@dataclass
class SubmissionRow:
    unit: Unit
    report: MonthlyReport | None
    late: bool


def submissions(month: str, due_day: int) -> list[SubmissionRow]:
    reports = {r.unit_id: r for r in db.session.scalars(sa.select(MonthlyReport).where(MonthlyReport.month == month))}
    past_due = today() > due_date(month, due_day)
    rows = []
    for unit in reporting_units():
        report = reports.get(unit.id)
        submitted = report is not None and report.status == SUBMITTED
        rows.append(SubmissionRow(unit, report, past_due and not submitted))
    return rows


RECENT_REPORTS = 12


def unit_reports(unit: Unit, limit: int = RECENT_REPORTS) -> list[MonthlyReport]:
    """The unit's latest reports (month, status, submission time only: not their texts); older months
    are opened from the month picker — after ten years a unit has 120."""
    return list(db.session.scalars(
        sa.select(MonthlyReport).where(MonthlyReport.unit_id == unit.id).order_by(MonthlyReport.month.desc())
        .options(sa.orm.load_only(MonthlyReport.month, MonthlyReport.status, MonthlyReport.submitted_at))
        .limit(limit)))
