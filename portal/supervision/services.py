"""签收, 催办 and replies, the office's lists, notice read receipts: the database side of 督办.

Who may do what: the office (capability `supervise`) sends 催办 and reads every list; a unit's liaison
(`act_for_own_unit`) signs for and replies to what was sent to their own unit; leaders
(`see_all_units`) read. The ladder's automatic steps are in `portal.supervision.ladder`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.exc import IntegrityError

from portal import outbox
from portal.audit.services import record
from portal.capabilities import can
from portal.core import duty_rules
from portal.core.refusals import NotAllowed, Refusal
from portal.core.time import to_local, today, utcnow
from portal.extensions import db
from portal.models import Acknowledgement, AssignedMatter, Duty, DutyInstance, DutyNote, Notice, NoticeRead, Unit, Urge, User
from portal.supervision import rules


class SupervisionError(Refusal, ValueError):
    """A user-facing reason an action was refused (shown beside the form)."""


def link_to(endpoint: str, **values) -> str:
    """A page's address for a message: absolute inside a request, the path otherwise (the remind command)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


# ---- 签收 ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pending:
    """One thing a unit has not signed for: what, since when."""

    kind: str          # duty | instruction | urge
    object_id: int
    unit_id: int
    unit_name: str
    title: str
    since: datetime
    instance_id: int | None
    level: str = ""    # an urge's level

    @property
    def kind_label(self) -> str:
        if self.kind == "urge":
            return rules.level_label(self.level)
        return rules.ACK_KIND_LABELS[self.kind]

    def waiting(self, on: date) -> int:
        return rules.waiting_days(to_local(self.since).date(), on)


def _not_signed(kind: str, object_id, unit_id):
    return ~sa.exists().where(Acknowledgement.kind == kind, Acknowledgement.object_id == object_id,
                              Acknowledgement.unit_id == unit_id)


_PENDING_COLUMNS = ("kind", "object_id", "unit_id", "unit_name", "title", "since", "instance_id", "level")


def _labelled(*columns):
    return [c.label(name) for c, name in zip(columns, _PENDING_COLUMNS, strict=True)]


def _of_plan(plan_id: int):
    """The ids of one plan's duty instances: a 催办 belongs to a plan through its duty (one about a unit,
    a report or training belongs to none)."""
    return (sa.select(DutyInstance.id).join(Duty, Duty.id == DutyInstance.duty_id).where(Duty.plan_id == plan_id)
            .correlate(None))


def _pending_statement(unit_id: int | None, newest_first: bool, kind: str = "", plan_id: int = 0):
    duties = (sa.select(*_labelled(sa.literal("duty"), DutyInstance.id, DutyInstance.unit_id, Unit.name,
                                   Duty.title, DutyInstance.created_at, DutyInstance.id, sa.literal("")))
              .join(Duty, Duty.id == DutyInstance.duty_id).join(Unit, Unit.id == DutyInstance.unit_id)
              .where(~DutyInstance.archived, ~Duty.archived, DutyInstance.state.in_(duty_rules.OPEN_STATES),
                     _not_signed("duty", DutyInstance.id, DutyInstance.unit_id)))
    notes = (sa.select(*_labelled(sa.literal("instruction"), DutyNote.id, DutyInstance.unit_id, Unit.name,
                                  Duty.title, DutyNote.at, DutyInstance.id, sa.literal("")))
             .join(DutyInstance, DutyInstance.id == DutyNote.instance_id).join(Duty, Duty.id == DutyInstance.duty_id)
             .join(Unit, Unit.id == DutyInstance.unit_id)
             .where(DutyNote.kind == duty_rules.NOTE_INSTRUCTION, ~DutyInstance.archived,
                    _not_signed("instruction", DutyNote.id, DutyInstance.unit_id)))
    urges = (sa.select(*_labelled(sa.literal("urge"), Urge.id, Urge.unit_id, Unit.name, Urge.subject, Urge.at,
                                  Urge.instance_id, Urge.level))
             .join(Unit, Unit.id == Urge.unit_id)
             .where(_not_signed("urge", Urge.id, Urge.unit_id), Urge.closed_at.is_(None)))
    if unit_id is not None:
        duties = duties.where(DutyInstance.unit_id == unit_id)
        notes = notes.where(DutyInstance.unit_id == unit_id)
        urges = urges.where(Urge.unit_id == unit_id)
    if plan_id:  # one plan's duties, 批示 and 催办
        duties, notes = duties.where(Duty.plan_id == plan_id), notes.where(Duty.plan_id == plan_id)
        urges = urges.where(Urge.instance_id.in_(_of_plan(plan_id)))
    parts = {"duty": duties, "instruction": notes, "urge": urges}
    union = sa.union_all(*([parts[kind]] if kind in parts else parts.values())).subquery()
    order = union.c.since.desc() if newest_first else union.c.since.asc()
    return sa.select(union).order_by(order, union.c.kind, union.c.object_id)


def pending(unit_id: int | None = None, newest_first: bool = False, limit: int | None = None,
            offset: int = 0, kind: str = "", plan_id: int = 0) -> list[Pending]:
    """What is not signed for (one unit's, or every unit's for the office; of one kind or all; of one
    plan or every plan), longest waiting first."""
    stmt = _pending_statement(unit_id, newest_first, kind, plan_id)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return [Pending(r.kind, r.object_id, r.unit_id, r.unit_name, r.title, r.since, r.instance_id, r.level)
            for r in db.session.execute(stmt)]


def pending_count(unit_id: int | None = None, kind: str = "", plan_id: int = 0) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        _pending_statement(unit_id, False, kind, plan_id).subquery()))


def _target_of(kind: str, object_id: int) -> tuple[int, int | None, str]:
    """(unit id, instance id, what) of a thing one signs for; SupervisionError when there is none."""
    if kind == "duty":
        row = db.session.execute(sa.select(DutyInstance.unit_id, DutyInstance.id, Duty.title).join(Duty)
                                 .where(DutyInstance.id == object_id)).first()
    elif kind == "instruction":
        row = db.session.execute(sa.select(DutyInstance.unit_id, DutyInstance.id, Duty.title)
                                 .select_from(DutyNote).join(DutyInstance, DutyInstance.id == DutyNote.instance_id)
                                 .join(Duty).where(DutyNote.id == object_id,
                                                   DutyNote.kind == duty_rules.NOTE_INSTRUCTION)).first()
    elif kind == "urge":
        row = db.session.execute(sa.select(Urge.unit_id, Urge.instance_id, Urge.subject)
                                 .where(Urge.id == object_id)).first()
    else:
        row = None
    if row is None:
        raise SupervisionError("要签收的事项不存在，请刷新页面后重试。")
    return row[0], row[1], row[2]


def acknowledge(user: User, kind: str, object_id: int) -> bool:
    """The user's unit signs for a thing sent to it; False when it was signed already (by anyone of the
    unit: two liaisons signing at once is one 签收, never an error)."""
    unit_id, instance_id, what = _target_of(kind, object_id)
    if not (can(user, "act_for_own_unit") and user.unit_id == unit_id):
        raise NotAllowed("只有责任单位的联络员可以签收。")
    try:
        with db.session.begin_nested():
            db.session.add(Acknowledgement(kind=kind, object_id=object_id, unit_id=unit_id, by_id=user.id))
    except IntegrityError:
        return False
    obj_type, obj_id = ("duty_instance", instance_id) if instance_id else ("unit", unit_id)
    record("acknowledge", obj_type, obj_id, label=what,
           after={"what": rules.ACK_KIND_LABELS[kind] + ("：" + what if kind == "urge" else "")}, actor=user)
    return True


# ---- 催办 ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """One unit to 催办 about one thing, with the facts its message names."""

    topic: str                 # duty | unit | report | training
    unit: Unit
    facts: rules.Facts
    instance_id: int | None = None
    about: str = ""            # a report's month, a training group's id


def next_serial(year: int) -> int:
    return (db.session.scalar(sa.select(sa.func.max(Urge.serial)).where(Urge.year == year)) or 0) + 1


def add_urge(**values) -> Urge:
    """Insert an urge with the next 文号 serial of its year, retried when a concurrent send took it."""
    year = today().year
    for _ in range(5):
        urge = Urge(year=year, serial=next_serial(year), **values)
        try:
            with db.session.begin_nested():
                db.session.add(urge)
            return urge
        except IntegrityError:
            if values.get("step_key") and db.session.scalar(
                    sa.select(Urge.id).where(Urge.step_key == values["step_key"])):
                raise
            continue
    raise SupervisionError("编号冲突，请稍后重试。")


def send_urges(user: User, targets: list[Target], subject: str, body: str) -> list[Urge]:
    """One 催办 per target, each recorded on its duty's (or unit's) trace and put in the outbox.
    `body` may carry 〔单位〕〔事项〕〔时限〕〔链接〕 for a message written once for several units."""
    if not can(user, "supervise"):
        raise NotAllowed("只有督查室可以催办。")
    if not targets:
        raise SupervisionError("没有要催办的单位。")
    sent = []
    for t in targets:
        text, title = rules.fill(body, t.facts), rules.fill(subject, t.facts)
        urge = add_urge(level=rules.URGE, topic=t.topic, unit_id=t.unit.id, instance_id=t.instance_id,
                        about=t.about[:200], subject=title[:200], body=text, deadline=t.facts.deadline,
                        sent_by_id=user.id)
        obj_type, obj_id = ("duty_instance", t.instance_id) if t.instance_id else ("unit", t.unit.code)
        record("urge", obj_type, obj_id, label=t.facts.matter, after={"unit": t.unit.name, "title": title[:200]},
               actor=user)
        outbox.enqueue("urge", subject=title, body=text, units=[t.unit], dedupe_key=f"urge:{urge.year}:{urge.serial}")
        sent.append(urge)
    return sent


def reply(user: User, urge_id: int, text: str) -> Urge:
    """The unit's reply to a 催办 or 督办单 (a later reply is added below, never replacing one); replying
    signs for it too."""
    urge = db.session.get(Urge, urge_id)
    if urge is None:
        raise SupervisionError("该催办不存在。")
    if not (can(user, "act_for_own_unit") and user.unit_id == urge.unit_id):
        raise NotAllowed("只有被催办单位的联络员可以回复。")
    text = text.strip()
    if not text:
        raise SupervisionError("请填写回复内容。")
    stamp = f"（{user.display_name}）"
    db.session.execute(sa.update(Urge).where(Urge.id == urge_id).values(
        reply=sa.case((Urge.reply == "", text + stamp), else_=Urge.reply + "\n" + text + stamp),
        replied_at=utcnow(), replied_by_id=user.id).execution_options(synchronize_session=False))
    acknowledge(user, "urge", urge_id)
    obj_type, obj_id = ("duty_instance", urge.instance_id) if urge.instance_id else ("unit", urge.unit.code)
    record("urge_reply", obj_type, obj_id, label=urge.subject, after={"title": urge.subject, "reply": text[:200]},
           actor=user)
    db.session.expire(urge)
    return urge


def close_urge(user: User, urge_id: int) -> bool:
    """The office closes (办结) a 催办 or 督办单: answered, nothing more is waited for. False when it was
    closed already (two clicks, two people)."""
    if not can(user, "supervise"):
        raise NotAllowed("只有督查室可以办结催办。")
    urge = db.session.get(Urge, urge_id)
    if urge is None:
        raise SupervisionError("该催办不存在。")
    done = db.session.execute(sa.update(Urge).where(Urge.id == urge_id, Urge.closed_at.is_(None))
                              .values(closed_at=utcnow(), closed_by_id=user.id)
                              .execution_options(synchronize_session=False)).rowcount
    if not done:
        return False
    obj_type, obj_id = ("duty_instance", urge.instance_id) if urge.instance_id else ("unit", urge.unit.code)
    record("urge_close", obj_type, obj_id, label=urge.subject, after={"title": urge.subject}, actor=user)
    db.session.expire(urge)
    return True


def urges(unit_id: int | None = None, replied: bool | None = None, instance_id: int | None = None,
          limit: int = 50, offset: int = 0, plan_id: int = 0) -> list[tuple[Urge, Acknowledgement | None]]:
    """Sent 催办 and ladder steps (on one plan's duties when `plan_id` is given), newest first, each
    with its 签收 (None: not signed)."""
    ack = sa.orm.aliased(Acknowledgement)
    stmt = (sa.select(Urge, ack).outerjoin(ack, sa.and_(ack.kind == "urge", ack.object_id == Urge.id,
                                                         ack.unit_id == Urge.unit_id))
            .options(sa.orm.joinedload(Urge.unit)).order_by(Urge.id.desc()))
    if unit_id is not None:
        stmt = stmt.where(Urge.unit_id == unit_id)
    if instance_id is not None:
        stmt = stmt.where(Urge.instance_id == instance_id)
    if plan_id:
        stmt = stmt.where(Urge.instance_id.in_(_of_plan(plan_id)))
    if replied is True:
        stmt = stmt.where(Urge.replied_at.is_not(None))
    elif replied is False:
        stmt = stmt.where(Urge.replied_at.is_(None))
    return [(u, a) for u, a in db.session.execute(stmt.limit(limit).offset(offset))]


@dataclass(frozen=True)
class Signed:
    by_name: str
    at: datetime


def duty_panel_rows(inst) -> tuple[Signed | None, list[tuple[Urge, Acknowledgement | None]], AssignedMatter | None]:
    """The duty page's 督办 panel in one statement: the lead unit's 签收 of the duty (who, when), the
    催办 and ladder steps on it, newest first, each with its 签收, and the 交办事项 it is (None for a plan's)."""
    duty_ack, step_ack = sa.orm.aliased(Acknowledgement), sa.orm.aliased(Acknowledgement)
    signer = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(duty_ack.at, signer.display_name, Urge, step_ack, AssignedMatter).select_from(DutyInstance)
        .outerjoin(AssignedMatter, AssignedMatter.duty_id == DutyInstance.duty_id)
        .outerjoin(duty_ack, sa.and_(duty_ack.kind == "duty", duty_ack.object_id == DutyInstance.id,
                                     duty_ack.unit_id == DutyInstance.unit_id))
        .outerjoin(signer, signer.id == duty_ack.by_id)
        .outerjoin(Urge, Urge.instance_id == DutyInstance.id)
        .outerjoin(step_ack, sa.and_(step_ack.kind == "urge", step_ack.object_id == Urge.id,
                                     step_ack.unit_id == Urge.unit_id))
        .where(DutyInstance.id == inst.id).order_by(Urge.id.desc())).all()
    signed = Signed(rows[0][1] or "", rows[0][0]) if rows and rows[0][0] is not None else None
    matter = rows[0][4] if rows else None
    return signed, [(r[2], r[3]) for r in rows if r[2] is not None], matter


def can_read_urge(user: User, urge: Urge) -> bool:
    return can(user, "see_all_units", "supervise") or (can(user, "act_for_own_unit") and user.unit_id == urge.unit_id)


# ---- notices' read receipts ----------------------------------------------------------------------

def _own_notice(user: User, notice: Notice) -> bool:
    """A notice is a unit's (its liaisons read it) or, since the outbox, one person's."""
    if notice.user_id is not None:
        return notice.user_id == user.id
    return notice.unit_id is not None and can(user, "act_for_own_unit") and user.unit_id == notice.unit_id


def open_notice(user: User, notice_id: int) -> tuple[Notice, NoticeRead | None, bool]:
    """(the notice, this reader's receipt or None, whether it is theirs to mark read): reading writes
    nothing (the page asks for the receipt by a POST, `mark_read`). The office and leaders read any
    notice without a receipt."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise SupervisionError("该通知不存在。")
    own = _own_notice(user, notice)
    if not own and not can(user, "see_all_units", "supervise"):
        raise NotAllowed("无权查看该通知。")
    receipt = db.session.get(NoticeRead, (notice.id, user.id)) if own else None
    return notice, receipt, own


def mark_read(user: User, notice_id: int) -> NoticeRead:
    """The reader's receipt (once, audited; a second call returns the first). The caller commits."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise SupervisionError("该通知不存在。")
    if not _own_notice(user, notice):
        raise NotAllowed("只有通知的接收人可以确认已读。")
    try:
        with db.session.begin_nested():
            receipt = NoticeRead(notice_id=notice.id, user_id=user.id)
            db.session.add(receipt)
    except IntegrityError:
        return db.session.get(NoticeRead, (notice.id, user.id))  # read before
    if notice.read_at is None:
        notice.read_at = utcnow()
    if notice.unit_id is not None:
        record("read_notice", "unit", notice.unit.code, label=notice.title, after={"title": notice.title}, actor=user)
    else:
        record("read_notice", "user", user.username, label=notice.title, after={"title": notice.title}, actor=user)
    return receipt


def receipts(notice_ids: list[int]) -> dict[int, list[tuple[str, datetime]]]:
    """notice id -> [(reader's name, when)], first readers first."""
    if not notice_ids:
        return {}
    out: dict[int, list[tuple[str, datetime]]] = {}
    rows = db.session.execute(sa.select(NoticeRead.notice_id, User.display_name, NoticeRead.at)
                              .join(User, User.id == NoticeRead.user_id)
                              .where(NoticeRead.notice_id.in_(notice_ids)).order_by(NoticeRead.at))
    for notice_id, name, at in rows:
        out.setdefault(notice_id, []).append((name, at))
    return out


def recent_notices(limit: int, offset: int = 0) -> list[Notice]:
    return list(db.session.scalars(sa.select(Notice).options(sa.orm.joinedload(Notice.unit))
                                   .order_by(Notice.id.desc()).limit(limit).offset(offset)))


def notice_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Notice.id)))
