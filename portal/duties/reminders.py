"""Reminders: each unit's due-soon and overdue duties as an in-app notice, and by email if configured."""
from __future__ import annotations

import smtplib
from collections import defaultdict
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from portal.audit.services import record
from portal.duties import rules
from portal.duties.services import today, view_of
from portal.extensions import db
from portal.labels import zh_date
from portal.models import Duty, DutyInstance, Notice, Unit


def due_lists(days: int) -> dict[Unit, tuple[list, list]]:
    """unit -> (overdue views, due-soon views) over open instances."""
    on = today()
    stmt = sa.select(DutyInstance).join(Duty).where(
        ~DutyInstance.archived, ~Duty.archived, DutyInstance.state.in_(rules.OPEN_STATES),
        DutyInstance.deadline.is_not(None))
    result: dict[Unit, tuple[list, list]] = defaultdict(lambda: ([], []))
    for inst in db.session.scalars(stmt):
        remaining = (inst.deadline - on).days
        if remaining < 0:
            result[inst.unit][0].append(view_of(inst, on))
        elif remaining <= days:
            result[inst.unit][1].append(view_of(inst, on))
    return result


def notice_text(overdue: list, due_soon: list) -> str:
    lines = []
    if overdue:
        lines.append(f"已逾期 {len(overdue)} 项：")
        lines += [f"  · {v.duty.title}（时限 {zh_date(v.inst.deadline)}，进度 {v.progress}%）" for v in overdue]
    if due_soon:
        lines.append(f"即将到期 {len(due_soon)} 项：")
        lines += [f"  · {v.duty.title}（时限 {zh_date(v.inst.deadline)}，进度 {v.progress}%）" for v in due_soon]
    return "\n".join(lines)


def send_reminders(days: int = 30) -> list[str]:
    """Safe to run from cron: one notice per unit per day; notices are stored before any email
    goes out, and a failing mail relay only costs the emails."""
    from portal.timeutil import day_start_utc, local_today

    today_start = day_start_utc(local_today())
    already = set(db.session.scalars(sa.select(Notice.unit_id).where(Notice.at >= today_start)))
    report, outgoing = [], []
    for unit, (overdue, due_soon) in sorted(due_lists(days).items(), key=lambda kv: kv[0].sort_order):
        if unit.id in already:
            report.append(f"{unit.code} {unit.name}: already reminded today")
            continue
        title = f"任务提醒：逾期 {len(overdue)} 项，即将到期 {len(due_soon)} 项"
        body = notice_text(overdue, due_soon)
        db.session.add(Notice(unit_id=unit.id, title=title, body=body))
        record("remind", "unit", unit.code, label=unit.name, after={"overdue": len(overdue), "due_soon": len(due_soon)},
               actor_name="remind")
        report.append(f"{unit.code} {unit.name}: overdue {len(overdue)}, due soon {len(due_soon)}")
        outgoing.append((unit, title, body))
    db.session.commit()
    for unit, title, body in outgoing:
        try:
            _email(unit, title, body)
        except (OSError, smtplib.SMTPException) as exc:
            report.append(f"{unit.code}: email not sent ({exc}); the in-app notice stands")
    return report or ["no unit has overdue or due-soon duties"]


def _email(unit: Unit, subject: str, body: str) -> None:
    """Only when PORTAL_SMTP_HOST is configured; addresses are the unit's active liaisons' usernames@domain."""
    host = current_app.config.get("SMTP_HOST")
    domain = current_app.config.get("SMTP_DOMAIN")
    if not host or not domain:
        return
    from portal.capabilities import roles_with
    from portal.models import User, UserRole

    recipients = db.session.scalars(sa.select(User.username).where(
        User.unit_id == unit.id, User.active, User.role_rows.any(UserRole.role.in_(roles_with("act_for_own_unit"))))).all()
    if not recipients:
        return
    message = EmailMessage()
    message["Subject"], message["From"] = subject, current_app.config.get("SMTP_FROM", f"portal@{domain}")
    message["To"] = ", ".join(f"{name}@{domain}" for name in recipients)
    message.set_content(body)
    with smtplib.SMTP(host, int(current_app.config.get("SMTP_PORT", 25)), timeout=10) as smtp:
        smtp.send_message(message)


def notices_for(unit_id: int | None, limit: int = 5) -> list[Notice]:
    if unit_id is None:
        return []
    return list(db.session.scalars(sa.select(Notice).where(Notice.unit_id == unit_id).order_by(Notice.id.desc()).limit(limit)))
