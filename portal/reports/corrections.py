"""Correcting a submitted 进展报告 until the 督查室 has read it.

A correction is a new version of the report: the submitted text it replaces is kept as a
superseded revision (shown under the report), and both steps are in the audit log. Once an admin
of the office opens the submitted report it counts as read, and corrections stop: from then on
the office and the unit talk about the same text.
"""
from __future__ import annotations

from portal import locking
from portal.audit.services import record
from portal.capabilities import can
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import MonthlyReport, ReportRevision, Unit, User
from portal.models.reports import SUBMITTED
from portal.reports.services import FIELDS, ReportError, ReportInput, StaleReport, can_edit, checked_values, get_report


def _stale() -> ReportError:
    return StaleReport()


def can_correct(user: User, unit: Unit, report: MonthlyReport | None) -> bool:
    return (report is not None and report.status == SUBMITTED and report.read_at is None
            and can_edit(user, unit))


def correct(user: User, unit: Unit, month: str, data: ReportInput, expected_version: int | None) -> MonthlyReport:
    if not can_edit(user, unit):
        raise PermissionError
    report = get_report(unit, month)
    if report is None or report.status != SUBMITTED:
        raise ReportError("只有已提交的报告需要更正；草稿可直接修改。")
    locking.check_version(report.version, expected_version or 0, _stale)
    if report.read_at is not None:
        raise ReportError("督查室已阅读该报告，不能再更正；如需补充，请在下月报告中说明。")
    values = checked_values(data)
    if not values["progress"]:
        raise ReportError("提交前请填写进展情况。")
    before = {f: getattr(report, f) or "" for f in FIELDS}
    if values == before:
        raise ReportError("更正内容与已提交的报告相同。")
    report.superseded.append(ReportRevision(
        revision=report.revision, submitted_at=report.submitted_at, submitted_by_id=report.updated_by_id, **before))
    for f, v in values.items():
        setattr(report, f, v)
    now = utcnow()
    report.revision += 1
    report.updated_by_id, report.updated_at, report.submitted_at = user.id, now, now
    with locking.stale_as(_stale):
        db.session.flush()
    record("correct_report", "report", report.id, label=f"{unit.name} {month}", before=before,
           after={**values, "revision": report.revision}, actor=user)
    locking.commit(_stale)
    return report


def mark_read(user: User, report: MonthlyReport | None) -> None:
    """The office opening a submitted report reads it (once); corrections end there."""
    if report is None or report.status != SUBMITTED or report.read_at is not None or not can(user, "supervise"):
        return
    report.read_at, report.read_by_id = utcnow(), user.id
    record("read_report", "report", report.id, label=f"{report.unit.name} {report.month}",
           after={"revision": report.revision}, actor=user)
    try:
        locking.commit(_stale)
    except ReportError:  # a correction landed at the same moment: the next opening reads it
        db.session.rollback()
