"""Monthly reports not filed by the due day: a message (kind report_missing) to each late unit, once a
month (its dedupe key), through the outbox; `flask portal remind` queues them with the daily digest."""
from __future__ import annotations

from flask import current_app

from portal.core.labels import zh_date
from portal.outbox import enqueue
from portal.reports.services import current_month, due_date, submissions


def queue_missing_reports(month: str | None = None) -> list[str]:
    """Queue the messages (no commit); lines saying what was queued."""
    month = month or current_month()
    due_day = int(current_app.config.get("REPORT_DUE_DAY", 25))
    due = due_date(month, due_day)
    year, mon = map(int, month.split("-"))
    lines = []
    for row in submissions(month, due_day):
        if not row.late:
            continue
        unit = row.unit
        message = enqueue(
            "report_missing", subject=f"月度进展报告未报：{unit.name}{year}年{mon}月",
            body=f"{unit.name}：{year}年{mon}月的月度进展报告应于{zh_date(due)}前提交，目前尚未提交，请尽快填报。",
            units=[unit], link=f"/reports/{unit.code}/{month}", dedupe_key=f"report_missing:{month}:{unit.code}")
        if message is not None:
            lines.append(f"{unit.code} {unit.name}: report for {month} not filed by {due.isoformat()}")
    return lines
