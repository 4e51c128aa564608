"""Recurring work: a `periodic` duty (月报, 季度演练, 每年评估) has one record per period.

The instance is always the current period: its deadline is the period's last day, and its ticks,
notes, evidence, 销号, 延期 and lights work as for any duty (one state machine: `portal.core.duty_rules`).
When the period is over (`rules.period_over`: its last day has passed and it is closed or past its
deadline), `roll` keeps it as a `DutyPeriod` row — dates, final state and progress, the steps ticked,
when it was closed — and starts the next one: not started, checklist unticked, the next deadline.
Periods nobody worked in are kept too (未启动), so the history has no holes.

Rolling happens on read (the duty page) and daily (`flask portal roll-periods`, also run by `remind`),
and is idempotent: a second roll of the same day finds nothing over.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal import outbox, refdata
from portal.audit.services import record
from portal.core import duty_rules
from portal.core.time import to_local, utcnow
from portal.extensions import db
from portal.models import AssessmentSettings, ChecklistItem, Duty, DutyInstance, DutyNote, DutyPeriod, Evidence

MAX_PERIODS = 240  # twenty years of months in one roll; a longer gap means a broken clock


def is_periodic(duty) -> bool:
    return duty.deadline_kind == "periodic" and duty.period in duty_rules.PERIOD_MONTHS


def due(inst: DutyInstance, today: date) -> bool:
    """Whether `roll` would change this instance today (no database read)."""
    if inst.archived or not is_periodic(inst.duty):
        return False
    if inst.period_start is None:
        return True
    return duty_rules.period_over(inst.duty.period, inst.period_start, inst.deadline, inst.state, today)


def roll(inst: DutyInstance, today: date) -> list[DutyPeriod]:
    """Start the instance's first period, or close the periods that are over and start the current
    one (audited; the caller commits). Returns the periods kept."""
    if not due(inst, today):
        return []
    kind = inst.duty.period
    before = {"deadline": inst.deadline, "state": inst.state}
    kept: list[DutyPeriod] = []
    if inst.period_start is None:
        inst.period_start, inst.deadline = duty_rules.period_bounds(kind, max(today, inst.duty.start or today))
    while duty_rules.period_over(kind, inst.period_start, inst.deadline, inst.state, today) and len(kept) < MAX_PERIODS:
        kept.append(_keep(inst, kind))
        inst.period_start, inst.deadline = duty_rules.period_bounds(kind, kept[-1].ends + timedelta(days=1))
        inst.state, inst.state_reason, inst.closed_at = duty_rules.NOT_STARTED, "", None
        for item in inst.items:
            item.done, item.done_by_id, item.done_at = False, None, None
    db.session.add_all(kept)

    inst.updated_at = utcnow()
    label = duty_rules.period_label(kind, inst.period_start)
    record("roll_period", "duty_instance", inst.id, label=f"{inst.key}：{label}",
           before=before, after={"deadline": inst.deadline, "state": inst.state, "period": label})
    return kept


def _keep(inst: DutyInstance, kind: str) -> DutyPeriod:
    starts, ends = duty_rules.period_bounds(kind, inst.period_start)
    items = inst.active_items
    done = [i.title for i in items if i.done]
    return DutyPeriod(instance_id=inst.id, starts=starts, ends=ends, deadline=inst.deadline, state=inst.state,
                      progress=duty_rules.progress(len(done), len(items), inst.state), done_items=done,
                      closed_at=inst.closed_at)


def roll_on_read(inst: DutyInstance, today: date) -> None:
    """The duty page's roll: committed at once; someone else's roll (or edit) in between is theirs."""
    if not due(inst, today):
        return
    try:
        roll(inst, today)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
    db.session.refresh(inst)


def roll_all(today: date) -> int:
    """Every live periodic instance whose period is over (the daily command). Returns how many rolled."""
    stmt = (sa.select(DutyInstance).join(Duty)
            .where(~DutyInstance.archived, ~Duty.archived, Duty.deadline_kind == "periodic"))
    rolled = 0
    for inst in db.session.scalars(stmt).all():
        if due(inst, today):
            roll(inst, today)
            rolled += 1
    db.session.commit()
    return rolled


def history(inst: DutyInstance) -> list[DutyPeriod]:
    """The instance's finished periods, latest first."""
    return list(db.session.scalars(sa.select(DutyPeriod).where(DutyPeriod.instance_id == inst.id)
                                   .order_by(DutyPeriod.starts.desc())))


# ---- long-term duties: the office's check-in rhythm ----------------------------------------------

def checkin_kind() -> str:
    """The office's rhythm for 长期 duties ("" when none is asked): a setting of the 考核 page, kept
    per process like the reference data (a save of the settings moves the reference stamp)."""
    return refdata.cached(("checkin_period",), _load_checkin_kind)


def _load_checkin_kind() -> str:
    kind = db.session.scalar(sa.select(AssessmentSettings.checkin_period).where(AssessmentSettings.id == 1))
    return kind if kind in duty_rules.PERIOD_MONTHS else ""


def checkin_of(inst: DutyInstance, notes, evidence, today: date) -> duty_rules.Checkin | None:
    """A 长期 duty's check-in from what its page read already (newest notes first, its files, ticks)."""
    if inst.archived or inst.duty.deadline_kind != "none" or inst.state == duty_rules.CLOSED:
        return None
    kind = checkin_kind()
    if not kind:
        return None

    times = [n.at for n in notes if n.kind != duty_rules.NOTE_INSTRUCTION][:1] + [e.at for e in evidence][:1]
    times += [i.done_at for i in inst.items if i.done_at is not None]
    last = to_local(max(times)).date() if times else None
    return duty_rules.checkin(kind, last, today)


def checkin_reminders(today: date) -> list[str]:
    """Each unit whose open 长期 duties have no check-in this period (in its last days) or missed the
    previous one gets one message a day (through the outbox)."""
    kind = checkin_kind()
    if not kind:
        return []
    activity = sa.union_all(
        sa.select(DutyNote.instance_id.label("iid"), DutyNote.at.label("at")).where(DutyNote.kind != duty_rules.NOTE_INSTRUCTION),
        sa.select(Evidence.instance_id, Evidence.at),
        sa.select(ChecklistItem.instance_id, ChecklistItem.done_at).where(ChecklistItem.done_at.is_not(None))).subquery()
    last = sa.select(activity.c.iid, sa.func.max(activity.c.at).label("at")).group_by(activity.c.iid).subquery()
    stmt = (sa.select(DutyInstance, last.c.at).join(Duty).outerjoin(last, last.c.iid == DutyInstance.id)
            .where(~DutyInstance.archived, ~Duty.archived, Duty.deadline_kind == "none",
                   DutyInstance.state.in_(duty_rules.OPEN_STATES)))
    late: dict = defaultdict(list)
    for inst, at in db.session.execute(stmt):
        c = duty_rules.checkin(kind, to_local(_as_datetime(at)).date() if at else None, today)
        if c.status == duty_rules.CHECKIN_MISSED or (c.status == duty_rules.CHECKIN_DUE and (c.ends - today).days < duty_rules.CHECKIN_DAYS):
            late[inst.unit].append((inst, c))
    lines = []
    for unit, items in late.items():
        label = duty_rules.period_label(kind, items[0][1].starts)
        body = "\n".join(f"· {inst.duty.title}：" + ("上期未报告进展" if c.status == duty_rules.CHECKIN_MISSED
                                                   else f"本期尚未报告进展（{c.ends.month}月{c.ends.day}日前）")
                         for inst, c in items)
        outbox.enqueue("digest", subject=f"长期任务{label}进展报告：{len(items)} 项尚未报告", body=body, units=[unit],
                dedupe_key=f"checkin:{unit.id}:{today.isoformat()}")
        lines.append(f"{unit.code}: {len(items)} long-term duty check-in(s) asked")
    db.session.commit()
    return lines


def _as_datetime(value):
    """max() over a union comes back as text on SQLite."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
