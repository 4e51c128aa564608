"""The escalation ladder run by `flask portal remind`, the office's settings, each unit's 分管领导.

`run_escalations(today)` looks at every open duty with a deadline and takes the step the pure rules
(`portal.supervision.rules.next_step`) say is due. A step is one `Urge` row whose `step_key` is unique:
running twice on a day, or two hosts at once, takes each step once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal import outbox
from portal.audit.services import record
from portal.core import duty_rules
from portal.core.time import to_local, utcnow
from portal.extensions import db
from portal.locking import check_version
from portal.models import Duty, DutyInstance, SupervisionSettings, Unit, UnitLeader, Urge, User
from portal.supervision import rules
from portal.supervision.services import SupervisionError, add_urge
from portal.supervision.targets import duty_facts
from portal.workdays import fallback_message, working_days_between

DEFAULT_ISSUER = "运城市民政局"   # the 方案's issuing body (运民发〔2021〕74号); the office may change it
DEFAULT_PREFIX = "运民督"


def settings() -> SupervisionSettings:
    """The one settings row, or (before the office first saves it) the defaults, not stored: reading
    the settings never writes (a GET of 督办设置, the ladder, a 通报)."""
    row = db.session.get(SupervisionSettings, 1)
    if row is None:
        row = SupervisionSettings(id=1, issuer=DEFAULT_ISSUER, number_prefix=DEFAULT_PREFIX, remind_days=3,
                                  order_days=5, red_days=5, version=1, bulletin_day=0, bulletin_to=[])
    return row


def _stored_settings() -> SupervisionSettings:
    """The settings row to change, made with the defaults on the office's first save."""
    row = db.session.get(SupervisionSettings, 1)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(settings())
        except IntegrityError:  # another save made it first
            pass
        row = db.session.get(SupervisionSettings, 1)
    return row


def thresholds(row: SupervisionSettings) -> rules.Thresholds:
    return rules.Thresholds(row.remind_days, row.order_days, row.red_days)


def leaders() -> dict[int, UnitLeader]:
    return {r.unit_id: r for r in db.session.scalars(sa.select(UnitLeader).options(sa.orm.joinedload(UnitLeader.user)))}


def leader_label(leader: UnitLeader | None) -> str:
    """How a 分管领导 is named on a 督办单: 职务 and 姓名 (the account's name when one is chosen)."""
    if leader is None:
        return ""
    name = leader.user.display_name if leader.user is not None else leader.name
    return f"{leader.title}{name}" if name else ""


def _taken() -> dict[tuple[int, date], dict[str, date]]:
    """(instance, deadline) -> {level: local day taken} for every ladder step on record."""
    out: dict[tuple[int, date], dict[str, date]] = {}
    rows = db.session.execute(sa.select(Urge.instance_id, Urge.deadline, Urge.level, Urge.step_on, Urge.at)
                              .where(Urge.step_key.is_not(None)))
    for instance_id, deadline, level, step_on, at in rows:
        out.setdefault((instance_id, deadline), {})[level] = step_on or to_local(at).date()
    return out


def _open_with_deadline():
    return (sa.select(DutyInstance).join(Duty, Duty.id == DutyInstance.duty_id)
            .options(sa.orm.joinedload(DutyInstance.duty), sa.orm.joinedload(DutyInstance.unit))
            .where(~DutyInstance.archived, ~Duty.archived, DutyInstance.state.in_(duty_rules.OPEN_STATES),
                   DutyInstance.deadline.is_not(None))
            .order_by(DutyInstance.deadline, DutyInstance.id))


def run_escalations(on: date) -> list[str]:
    """Take every ladder step due on `on` (idempotent), commit, and say what was done."""
    config = settings()
    limits = thresholds(config)
    taken = _taken()
    heads = leaders()
    report: list[str] = []
    days = [on]
    outgoing: dict[tuple[int, str], list[Message]] = {}
    for inst in db.session.scalars(_open_with_deadline()).unique():
        days.append(inst.deadline)
        step = rules.next_step(inst.deadline, on, taken.get((inst.id, inst.deadline), {}), limits)
        if step is None:
            continue
        message = _take(inst, step, on, heads.get(inst.unit_id), duty_facts(inst))
        if message is not None:
            outgoing.setdefault((inst.unit_id, step.level), []).append(message)
            report.append(f"{rules.LEVEL_LABELS[step.level]}：{inst.unit.name} · {inst.duty.title}")
    _send(outgoing, on)
    db.session.commit()
    note = fallback_message(*days)
    return report + ([note] if note else [])


@dataclass(frozen=True)
class Message:
    unit: Unit
    subject: str
    body: str
    users: tuple[User, ...]


def _take(inst: DutyInstance, step: rules.Step, on: date, leader: UnitLeader | None,
          facts: rules.Facts) -> Message | None:
    """Record the step (its `Urge` and the duty's trace); None when a concurrent run took it first."""
    copy_to = leader_label(leader) if step.level == rules.RED else ""
    subject, body = rules.step_text(step.level, facts, on, step.reply_by, copy_to,
                                    working_days_left=working_days_between(on, inst.deadline))
    key = rules.step_key(step.level, inst.id, inst.deadline)
    try:
        add_urge(level=step.level, topic="duty", unit_id=inst.unit_id, instance_id=inst.id, subject=subject[:200],
                 body=body, deadline=inst.deadline, reply_by=step.reply_by, step_key=key, step_on=on,
                 copy_to=copy_to[:200])
    except IntegrityError:
        return None
    after = {"title": subject[:200]}
    if step.reply_by:
        after["reply_by"] = step.reply_by.isoformat()
    if copy_to:
        after["copy_to"] = copy_to
    record("escalate", "duty_instance", inst.id, label=inst.key, after=after, actor_name="remind")
    users = (leader.user,) if copy_to and leader is not None and leader.user is not None else ()
    return Message(inst.unit, subject, body, users)


def _send(outgoing: dict[tuple[int, str], list[Message]], on: date) -> None:
    """One message per unit and step level a day: a unit with thirty late duties gets one 督办通知 listing
    them, not thirty (each duty keeps its own numbered 督办单 and trace)."""
    for (unit_id, level), messages in outgoing.items():
        first = messages[0]
        if len(messages) == 1:
            subject, body = first.subject, first.body
        else:
            subject = f"{rules.LEVEL_LABELS[level]}：{first.unit.name}{len(messages)}项任务"
            body = "\n\n".join(m.body for m in messages)
        users = list({u.id: u for m in messages for u in m.users}.values())
        outbox.enqueue("escalation", subject=subject, body=body, units=[first.unit], users=users,
                dedupe_key=f"escalation:{unit_id}:{level}:{on.isoformat()}")


def save_settings(user, remind_days: int, order_days: int, red_days: int, issuer: str, prefix: str,
                  version: int | None) -> SupervisionSettings:
    row = _stored_settings()
    check_version(row.version, version, lambda: SupervisionError("督办设置已被他人修改，请刷新页面后再保存。"))
    before = {"remind_days": row.remind_days, "order_days": row.order_days, "red_days": row.red_days,
              "issuer": row.issuer, "number_prefix": row.number_prefix}
    row.remind_days, row.order_days, row.red_days = remind_days, order_days, red_days
    row.issuer, row.number_prefix = issuer.strip(), prefix.strip()
    after = {"remind_days": remind_days, "order_days": order_days, "red_days": red_days,
             "issuer": row.issuer, "number_prefix": row.number_prefix}
    record("update", "supervision_settings", 1, label="督办设置", before=before, after=after, actor=user)
    return row


def set_leader(user, unit_id: int, account_id: int | None, name: str, title: str) -> UnitLeader | None:
    """Name a unit's 分管领导 (an account, or a name and 职务); an empty choice clears it."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise ValueError("unit")
    row = db.session.get(UnitLeader, unit_id)
    before = {"name": leader_label(row)} if row is not None else None
    if account_id is None and not name.strip():
        if row is not None:
            db.session.delete(row)
        record("update", "unit", unit.code, label=unit.name, before=before, after={"name": ""}, actor=user)
        return None
    if row is None:
        row = UnitLeader(unit_id=unit_id)
        db.session.add(row)
    row.user_id, row.name, row.title, row.updated_at = account_id, name.strip(), title.strip(), utcnow()
    db.session.flush()
    db.session.refresh(row)
    record("update", "unit", unit.code, label=unit.name, before=before, after={"name": leader_label(row)}, actor=user)
    return row


def save_bulletin_schedule(user, day: int, recipients: list[int], version: int | None) -> SupervisionSettings:
    """When the 通报 is emailed (day of the month, 0: never) and to whom (accounts)."""
    row = _stored_settings()
    check_version(row.version, version, lambda: SupervisionError("督办设置已被他人修改，请刷新页面后再保存。"))
    wanted = sorted(set(recipients))
    names = dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(wanted), User.active)).all())
    if len(names) != len(wanted):
        raise SupervisionError("所选接收人不存在或已停用，请刷新页面后重新选择。")
    before = {"bulletin_day": row.bulletin_day, "bulletin_to": _names(row.bulletin_to or [])}
    row.bulletin_day, row.bulletin_to = day, wanted
    record("update", "supervision_settings", 1, label="通报定时发送", before=before,
           after={"bulletin_day": day, "bulletin_to": "、".join(names[i] for i in wanted)}, actor=user)
    return row


def _names(ids: list[int]) -> str:
    if not ids:
        return ""
    rows = db.session.execute(sa.select(User.display_name).where(User.id.in_(ids)).order_by(User.display_name))
    return "、".join(r[0] for r in rows)
