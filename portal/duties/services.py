"""Working on duty instances: who may do what, ticking, notes, evidence, 销号, 延期."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal import locking
from portal.audit.services import record
from portal.capabilities import can
from portal.core import duty_rules
from portal.core.labels import zh_date, zh_datetime
from portal.core.refusals import NotAllowed, Refusal, Stale
from portal.core.time import today, utcnow
from portal.extensions import db
from portal.limits import NOTE, too_long
from portal.models import (
    AuditEntry,
    ChecklistItem,
    Duty,
    DutyInstance,
    DutyNote,
    ExtensionRequest,
    User,
)

STALE = "该任务已被他人修改，以下为最新状态，请确认后重新操作。"
CHECKLIST_LOCKED = "该任务已申请销号或已销号，清单不可再修改。"


class DutyError(Refusal, ValueError):
    """A user-facing reason why an action on a duty was refused."""


# The actions that move a duty's version (a state or deadline change): who did the last one is named
# when an action from an older page is refused.
VERSIONED_ACTIONS = ("request_close", "close", "return", "block", "unblock", "approve_extension", "reject_extension")


class StaleDuty(DutyError, Stale):
    def __init__(self, instance_id: int | None = None) -> None:
        by, at = locking.last_change("duty_instance", instance_id, VERSIONED_ACTIONS) if instance_id else (None, None)
        if by:
            super().__init__(f"{STALE}（最近一次修改：{by}，{zh_datetime(at)}）")
        else:
            super().__init__(STALE)



# ---- who may do what -------------------------------------------------------------------------

def can_view(user: User, inst: DutyInstance) -> bool:
    """Every signed-in user reads every duty: the plan is shared work across departments."""
    return user.is_authenticated


def _live(inst: DutyInstance) -> bool:
    """Archived duties (dropped from the 任务分工表) and closed ones (已销号) are read-only."""
    return not inst.archived and not inst.duty.archived and inst.state != duty_rules.CLOSED


def can_edit(user: User, inst: DutyInstance) -> bool:
    """Checklist, state and 销号 requests: the lead unit's liaison, or the supervision office."""
    return _live(inst) and (can(user, "act_on_any_duty") or (can(user, "act_for_own_unit") and inst.unit_id == user.unit_id))


def can_contribute(user: User, inst: DutyInstance) -> bool:
    """Notes and evidence: also cooperating units' liaisons."""
    return can_edit(user, inst) or (
        _live(inst) and can(user, "act_for_own_unit") and user.unit_id in inst.cooperating_unit_ids)


def can_download(user: User, inst: DutyInstance) -> bool:
    """Evidence may hold children's records: the units on the duty, the office and leadership."""
    return can(user, "see_all_units") or (can(user, "act_for_own_unit") and user.unit_id is not None and (
        inst.unit_id == user.unit_id or user.unit_id in inst.cooperating_unit_ids))


def part_of(user_unit_id: int | None, inst: DutyInstance) -> str:
    if inst.unit_id == user_unit_id:
        return "lead"
    if user_unit_id in inst.cooperating_unit_ids:
        return "cooperating"
    return ""


def require(ok: bool, message: str = "无权对该任务执行此操作。") -> None:
    if not ok:
        raise NotAllowed(message)


# ---- reading (the boards' rows live in ledger.py; re-exported here for their many callers) ------

from portal import outbox
from portal.duties.ledger import InstanceView, view_of  # noqa: E402, F401

# A duty page shows its latest notes and timeline entries; a duty worked for years shows the rest on
# request (its page and every tick's fragment stay the same size however long the history).
RECENT = 30


def timeline(inst: DutyInstance, limit: int | None = None) -> list[AuditEntry]:
    stmt = AuditEntry.of_object(sa.select(AuditEntry), "duty_instance", inst.id)
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def recent_notes(inst: DutyInstance, limit: int | None = None) -> list[DutyNote]:
    """The duty's notes, newest first, with their authors (one statement)."""
    stmt = (sa.select(DutyNote).where(DutyNote.instance_id == inst.id).order_by(DutyNote.id.desc())
            .options(sa.orm.joinedload(DutyNote.author).lazyload(User.role_rows)))
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


# ---- writing -----------------------------------------------------------------------------------

def _stale() -> StaleDuty:
    return StaleDuty()


def _check_version(inst: DutyInstance, expected: int | None) -> None:
    locking.check_version(inst.version, expected, lambda: StaleDuty(inst.id))


def commit_or_stale() -> None:
    locking.commit(_stale)


def touch(inst: DutyInstance) -> None:
    """Mark the duty as updated without moving its version: notes, evidence and ticks never conflict."""
    locking.touch(DutyInstance, inst.id, updated_at=utcnow())


def _start_if_new(inst: DutyInstance) -> None:
    """A first tick or note starts the duty; whoever gets there first does it, nobody conflicts.
    (No duty returns to 未启动, so one read started is started: no compare-and-set needed.)"""
    if inst.state != duty_rules.NOT_STARTED or not locking.set_if(DutyInstance, inst.id, {"state": duty_rules.NOT_STARTED},
                          state=duty_rules.IN_PROGRESS, updated_at=utcnow()):
        touch(inst)


def _touch_open(inst: DutyInstance, start: bool) -> None:
    """Ticks land only while the duty is open, even if a 销号 request landed since the page was read."""
    if start and inst.state == duty_rules.NOT_STARTED and locking.set_if(DutyInstance, inst.id, {"state": duty_rules.NOT_STARTED},
                                state=duty_rules.IN_PROGRESS, updated_at=utcnow()):
        return
    if not locking.set_if(DutyInstance, inst.id, {"state": duty_rules.WORK[duty_rules.TICK]}, updated_at=utcnow()):
        db.session.rollback()
        raise DutyError(CHECKLIST_LOCKED)


def _snapshot(inst: DutyInstance) -> dict:
    return {"state": inst.state, "deadline": inst.deadline, "reason": inst.state_reason}


def set_item(user: User, inst: DutyInstance, item_id: int, done: bool) -> ChecklistItem:
    """Tick or untick one item. The request says the wanted state, so ticks never conflict: ticks of
    different items are independent, and a tick of an item already in the wanted state (someone else
    got there first, even a moment ago in a parallel request) changes nothing and is not refused."""
    require(can_edit(user, inst))
    if not duty_rules.allows(inst.state, duty_rules.TICK):
        raise DutyError(CHECKLIST_LOCKED)
    item = next((i for i in inst.active_items if i.id == item_id), None)
    if item is None:
        raise DutyError("清单事项不存在。")
    if item.done == done:
        return item
    done_by, done_at = (user.id, utcnow()) if done else (None, None)
    if not locking.set_if(ChecklistItem, item.id, {"done": not done}, done=done, done_by_id=done_by, done_at=done_at):
        # A parallel request set the same item between our read and our write: it now holds what
        # this one wanted (the column has two values), so there is nothing to do and nothing to refuse.
        db.session.rollback()
        return item
    _touch_open(inst, start=done)
    record("tick" if done else "untick", "duty_instance", inst.id, label=f"{inst.key}：{item.title}",
           before={"item": item.title, "done": not done}, after={"item": item.title, "done": done}, actor=user)
    commit_or_stale()
    return item


def add_note(user: User, inst: DutyInstance, body: str, kind: str = duty_rules.NOTE) -> DutyNote:
    require(can_contribute(user, inst))
    body = body.strip()
    if not body:
        raise DutyError("请填写工作记录内容。")
    problem = too_long("工作记录", body, NOTE)
    if problem:
        raise DutyError(problem)
    note = DutyNote(instance_id=inst.id, author_id=user.id, body=body, kind=kind)
    db.session.add(note)
    if can_edit(user, inst):
        _start_if_new(inst)
    else:
        touch(inst)
    record("note", "duty_instance", inst.id, label=inst.key, after={"note": body[:200]}, actor=user)
    commit_or_stale()
    return note


def _transition(inst: DutyInstance, action: str) -> str:
    target = duty_rules.next_state(inst.state, action)
    if target is None:
        raise DutyError(f"当前状态（{duty_rules.STATE_LABELS[inst.state]}）不能执行此操作。")
    return target


def request_close(user: User, inst: DutyInstance, reason: str, expected_version: int | None) -> None:
    require(can_edit(user, inst), "只有牵头单位的联络员可以申请销号。")
    _check_version(inst, expected_version)
    target = _transition(inst, "request_close")
    items = inst.active_items
    own_record = any(n.kind == duty_rules.NOTE for n in inst.notes) or bool(inst.evidence)
    problem = duty_rules.close_request_problem(all(i.done for i in items), own_record, reason)
    if problem:
        raise DutyError(problem)
    before = _snapshot(inst)
    inst.state, inst.state_reason = target, ""
    db.session.add(DutyNote(instance=inst, author_id=user.id, kind=duty_rules.NOTE_REQUEST_CLOSE,
                            body=reason.strip() or "已完成全部事项，申请销号。"))
    inst.updated_at = utcnow()  # a versioned edit: concurrent edits of the state conflict
    record("request_close", "duty_instance", inst.id, label=inst.key, before=before,
           after={**_snapshot(inst), "reason": reason.strip()}, actor=user)
    commit_or_stale()


def decide_close(user: User, inst: DutyInstance, approve: bool, comment: str, expected_version: int | None) -> None:
    """The supervision office closes (销号) or returns (退回, with a reason) a request."""
    require(can(user, "supervise"), "只有督查室（管理员）可以核验销号。")
    _check_version(inst, expected_version)
    target = _transition(inst, "close" if approve else "return")
    requester = next((n.author_id for n in inst.notes if n.kind == duty_rules.NOTE_REQUEST_CLOSE), None)
    if requester == user.id:
        raise DutyError("销号申请人不能核验自己的申请，请由督查室其他人员核验。")
    if not approve and not comment.strip():
        raise DutyError("退回时请填写理由，便于单位整改。")
    before = _snapshot(inst)
    inst.state = target
    inst.state_reason = "" if approve else comment.strip()
    inst.closed_at = utcnow() if approve else None
    if approve:
        for ext in inst.extensions:
            if ext.status == duty_rules.PENDING:  # a closed duty needs no extension
                ext.status, ext.decided_by_id, ext.decided_at = duty_rules.REJECTED, user.id, utcnow()
                ext.decision_comment = "任务已销号，延期申请自动关闭。"
    db.session.add(DutyNote(instance=inst, author_id=user.id, kind=duty_rules.NOTE_CLOSED if approve else duty_rules.NOTE_RETURNED,
                            body=comment.strip() or ("核验通过，予以销号。" if approve else "")))
    _notify(inst, f"「{inst.duty.title}」已销号" if approve else f"「{inst.duty.title}」销号申请被退回",
            comment.strip())
    inst.updated_at = utcnow()  # a versioned edit: concurrent edits of the state conflict
    record("close" if approve else "return", "duty_instance", inst.id, label=inst.key, before=before,
           after={**_snapshot(inst), "comment": comment.strip()}, actor=user)
    commit_or_stale()


def set_blocked(user: User, inst: DutyInstance, blocked: bool, reason: str, expected_version: int | None) -> None:
    require(can_edit(user, inst))
    _check_version(inst, expected_version)
    target = _transition(inst, "block" if blocked else "unblock")
    if blocked and not reason.strip():
        raise DutyError("请说明受阻原因。")
    before = _snapshot(inst)
    inst.state, inst.state_reason = target, reason.strip() if blocked else ""
    db.session.add(DutyNote(instance=inst, author_id=user.id, kind=duty_rules.NOTE_BLOCKED if blocked else duty_rules.NOTE_UNBLOCKED,
                            body=reason.strip() or "问题已解决，恢复推进。"))
    inst.updated_at = utcnow()  # a versioned edit: concurrent edits of the state conflict
    record("block" if blocked else "unblock", "duty_instance", inst.id, label=inst.key, before=before,
           after=_snapshot(inst), actor=user)
    commit_or_stale()


def request_extension(user: User, inst: DutyInstance, reason: str, proposed: date | None) -> ExtensionRequest:
    require(can_edit(user, inst), "只有牵头单位的联络员可以申请延期。")
    if not duty_rules.allows(inst.state, duty_rules.EXTEND):
        raise DutyError("已销号的任务无需延期。")
    if not duty_rules.extendable(inst.state, inst.deadline):
        raise DutyError("该任务没有具体的完成日期（如长期任务），无需申请延期。")
    if not reason.strip():
        raise DutyError("请填写延期理由。")
    if proposed is None:
        raise DutyError("请填写拟延至的日期。")
    if proposed <= today() or (inst.deadline and proposed <= inst.deadline):
        raise DutyError("拟延至日期应晚于今天和当前完成时限。")
    if any(e.status == duty_rules.PENDING for e in inst.extensions):
        raise DutyError("已有一项延期申请待审批。")
    ext = ExtensionRequest(instance_id=inst.id, requested_by_id=user.id, reason=reason.strip(),
                           current_deadline=inst.deadline, proposed_deadline=proposed)
    db.session.add(ext)
    touch(inst)
    record("request_extension", "duty_instance", inst.id, label=inst.key,
           after={"reason": reason.strip(), "proposed_deadline": proposed}, actor=user)
    commit_or_stale()
    return ext


def decide_extension(user: User, ext: ExtensionRequest, approve: bool, comment: str) -> None:
    """An approved extension moves the deadline; the original stays on the instance."""
    require(can(user, "supervise"), "只有督查室（管理员）可以审批延期。")
    if ext.status != duty_rules.PENDING:
        raise DutyError("该延期申请已处理。")
    if not _live(ext.instance):
        raise DutyError("任务已销号或已归档，无需延期。")
    if not approve and not comment.strip():
        raise DutyError("不予延期时请填写理由。")
    inst = ext.instance
    before = _snapshot(inst)
    ext.status = duty_rules.APPROVED if approve else duty_rules.REJECTED
    ext.decided_by_id, ext.decided_at, ext.decision_comment = user.id, utcnow(), comment.strip()
    if approve:
        inst.deadline = ext.proposed_deadline

    body = f"同意延期至{zh_date(ext.proposed_deadline)}。" if approve else "不同意延期。"
    if comment.strip():
        body += f"意见：{comment.strip()}"
    db.session.add(DutyNote(instance=inst, author_id=user.id, kind=duty_rules.NOTE_EXTENSION, body=body))
    _notify(inst, f"「{inst.duty.title}」延期申请{'已批准' if approve else '未批准'}", body)
    inst.updated_at = utcnow()  # a versioned edit: concurrent edits of the state conflict
    record("approve_extension" if approve else "reject_extension", "duty_instance", inst.id, label=inst.key,
           before={"deadline": before["deadline"]},
           after={"deadline": inst.deadline, "proposed_deadline": ext.proposed_deadline, "comment": comment.strip()},
           actor=user)
    commit_or_stale()


def _notify(inst: DutyInstance, title: str, body: str) -> None:
    """A message to the lead unit (its home page at once, its channels through the outbox), so a
    decision does not wait to be discovered."""
    outbox.enqueue("decision", subject=title, body=body, units=[inst.unit], link=f"/tasks/{inst.id}")


def _of_plan(plan_id: int) -> list:
    return [DutyInstance.duty_id.in_(sa.select(Duty.id).where(Duty.plan_id == plan_id))] if plan_id else []


def pending_close_requests(plan_id: int = 0) -> list[InstanceView]:
    """The office's 销号 queue (every plan's, or one plan's), oldest first, each with its duty, unit and
    checklist (a few statements however long the queue)."""
    stmt = (sa.select(DutyInstance).where(DutyInstance.state == duty_rules.REQUESTED, ~DutyInstance.archived,
                                          *_of_plan(plan_id))
            .order_by(DutyInstance.updated_at)
            .options(sa.orm.joinedload(DutyInstance.duty), sa.orm.joinedload(DutyInstance.unit),
                     sa.orm.lazyload(DutyInstance.cooperators)))
    return [view_of(i) for i in db.session.scalars(stmt)]


def pending_extensions(plan_id: int = 0) -> list[ExtensionRequest]:
    """Pending 延期 requests (every plan's, or one plan's), oldest first, with their instance's duty and
    unit in the same statement."""
    instance = sa.orm.joinedload(ExtensionRequest.instance)
    of_plan = [ExtensionRequest.instance_id.in_(sa.select(DutyInstance.id).where(*_of_plan(plan_id)))] if plan_id else []
    return list(db.session.scalars(
        sa.select(ExtensionRequest).where(ExtensionRequest.status == duty_rules.PENDING, *of_plan)
        .order_by(ExtensionRequest.at)
        .options(instance.joinedload(DutyInstance.duty), instance.joinedload(DutyInstance.unit),
                 instance.lazyload(DutyInstance.cooperators), instance.lazyload(DutyInstance.items))))


def get_instance(instance_id: int) -> DutyInstance | None:
    """The instance with its duty, unit, cooperating units, checklist and who ticked each item: one
    statement (a handful of rows: items × cooperators)."""
    if not _INSTANCE:  # built once: building the statement cost more than running it
        _INSTANCE.append(
            sa.select(DutyInstance).where(DutyInstance.id == sa.bindparam("instance_id", type_=sa.Integer))
            .options(sa.orm.joinedload(DutyInstance.duty).joinedload(Duty.plan), sa.orm.joinedload(DutyInstance.unit),
                     sa.orm.joinedload(DutyInstance.cooperators),
                     sa.orm.joinedload(DutyInstance.items).joinedload(ChecklistItem.done_by).lazyload(User.role_rows))
            .execution_options(populate_existing=True))
    return db.session.execute(_INSTANCE[0], {"instance_id": instance_id}).unique().scalar_one_or_none()


_INSTANCE: list[sa.Select] = []


