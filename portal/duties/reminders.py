"""Reminders: each unit's due-soon and overdue duties, a daily digest through the outbox (portal/outbox)."""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from portal import outbox
from portal.audit.services import record
from portal.core import duty_rules
from portal.core.labels import zh_date
from portal.core.time import local_today, today
from portal.duties.ledger import view_of
from portal.extensions import db
from portal.models import Duty, DutyInstance, Notice, Unit
from portal.reports.reminders import queue_missing_reports


def due_lists(days: int) -> dict[Unit, tuple[list, list]]:
    """unit -> (overdue views, due-soon views) over open instances."""
    on = today()
    stmt = sa.select(DutyInstance).join(Duty).where(
        ~DutyInstance.archived, ~Duty.archived, DutyInstance.state.in_(duty_rules.OPEN_STATES),
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
    """Safe to run from cron: each unit's digest goes into the outbox once a day (its dedupe key), with
    the in-app notice at once; `flask portal deliver` sends the email and robot messages. Reports not
    filed by the due day go out too (portal/reports/reminders.py)."""
    on = local_today()
    report = []
    for unit, (overdue, due_soon) in sorted(due_lists(days).items(), key=lambda kv: kv[0].sort_order):
        title = f"任务提醒：{unit.name}逾期 {len(overdue)} 项，即将到期 {len(due_soon)} 项"
        body = f"{unit.name}：\n" + notice_text(overdue, due_soon)
        message = outbox.enqueue("digest", subject=title, body=body, units=[unit], link=f"/tasks/?unit={unit.code}",
                          dedupe_key=f"digest:{on.isoformat()}:{unit.code}")
        if message is None:
            report.append(f"{unit.code} {unit.name}: already reminded today")
            continue
        record("remind", "unit", unit.code, label=unit.name, after={"overdue": len(overdue), "due_soon": len(due_soon)},
               actor_name="remind")
        report.append(f"{unit.code} {unit.name}: overdue {len(overdue)}, due soon {len(due_soon)}")
    report += queue_missing_reports()
    db.session.commit()
    return report or ["no unit has overdue or due-soon duties"]


def notices_for(unit_id: int | None, limit: int = 5, user_id: int | None = None) -> list[Notice]:
    """The latest notices to the unit (a liaison's) and to the person."""
    mine = [Notice.unit_id == unit_id] if unit_id is not None else []
    mine += [Notice.user_id == user_id] if user_id is not None else []
    if not mine:
        return []
    return list(db.session.scalars(sa.select(Notice).where(sa.or_(*mine)).order_by(Notice.id.desc()).limit(limit)))
