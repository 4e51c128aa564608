"""Recurring work: a `periodic` duty (月报, 季度演练, 每年评估) has one record per period.

The instance is always the current period: its deadline is the period's last day, and its ticks,
notes, evidence, 销号, 延期 and lights work as for any duty (one state machine: `portal.duties.rules`).
When the period is over (`rules.period_over`: its last day has passed and it is closed or past its
deadline), `roll` keeps it as a `DutyPeriod` row — dates, final state and progress, the steps ticked,
when it was closed — and starts the next one: not started, checklist unticked, the next deadline.
Periods nobody worked in are kept too (未启动), so the history has no holes.

Rolling happens on read (the duty page) and daily (`flask portal roll-periods`, also run by `remind`),
and is idempotent: a second roll of the same day finds nothing over.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.audit.services import record
from portal.duties import rules
from portal.extensions import db
from portal.models import Duty, DutyInstance, DutyPeriod

MAX_PERIODS = 240  # twenty years of months in one roll; a longer gap means a broken clock


def is_periodic(duty) -> bool:
    return duty.deadline_kind == "periodic" and duty.period in rules.PERIOD_MONTHS


def due(inst: DutyInstance, today: date) -> bool:
    """Whether `roll` would change this instance today (no database read)."""
    if inst.archived or not is_periodic(inst.duty):
        return False
    if inst.period_start is None:
        return True
    return rules.period_over(inst.duty.period, inst.period_start, inst.deadline, inst.state, today)


def roll(inst: DutyInstance, today: date) -> list[DutyPeriod]:
    """Start the instance's first period, or close the periods that are over and start the current
    one (audited; the caller commits). Returns the periods kept."""
    if not due(inst, today):
        return []
    kind = inst.duty.period
    before = {"deadline": inst.deadline, "state": inst.state}
    kept: list[DutyPeriod] = []
    if inst.period_start is None:
        inst.period_start, inst.deadline = rules.period_bounds(kind, max(today, inst.duty.start or today))
    while rules.period_over(kind, inst.period_start, inst.deadline, inst.state, today) and len(kept) < MAX_PERIODS:
        kept.append(_keep(inst, kind))
        inst.period_start, inst.deadline = rules.period_bounds(kind, kept[-1].ends + timedelta(days=1))
        inst.state, inst.state_reason, inst.closed_at = rules.NOT_STARTED, "", None
        for item in inst.items:
            item.done, item.done_by_id, item.done_at = False, None, None
    db.session.add_all(kept)
    from portal.timeutil import utcnow

    inst.updated_at = utcnow()
    label = rules.period_label(kind, inst.period_start)
    record("roll_period", "duty_instance", inst.id, label=f"{inst.key}：{label}",
           before=before, after={"deadline": inst.deadline, "state": inst.state, "period": label})
    return kept


def _keep(inst: DutyInstance, kind: str) -> DutyPeriod:
    starts, ends = rules.period_bounds(kind, inst.period_start)
    items = inst.active_items
    done = [i.title for i in items if i.done]
    return DutyPeriod(instance_id=inst.id, starts=starts, ends=ends, deadline=inst.deadline, state=inst.state,
                      progress=rules.progress(len(done), len(items), inst.state), done_items=done,
                      closed_at=inst.closed_at)


def roll_on_read(inst: DutyInstance, today: date) -> None:
    """The duty page's roll: committed at once; someone else's roll (or edit) in between is theirs."""
    from sqlalchemy.orm.exc import StaleDataError
    from sqlalchemy.exc import IntegrityError

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
