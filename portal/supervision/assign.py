"""交办: the office (or a leader, through a 批示) assigns a matter without a plan.

A 交办事项 is a `Duty` of the office's 交办 plan (`Plan.kind == "assigned"`, made on the first 交办) with
one `DutyInstance` per lead unit, its cooperating units and checklist: so it is on the same 台账, board,
home pages, lights, 销号 and 延期, escalation ladder, snapshots, 考核 and 通报 as a plan's duties, and the
unit 签收s it like any new duty. `AssignedMatter` keeps where it came from (a 批示's words, a meeting, a
document, a file), its importance and its number in the year. Messages go through the outbox.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal import outbox
from portal.audit.services import record
from portal.capabilities import can
from portal.core.labels import zh_date
from portal.core.time import today
from portal.duties.evidence import check_upload
from portal.duties.services import DutyError
from portal.extensions import db
from portal.models import (
    AssignedMatter,
    ChecklistItem,
    Duty,
    DutyCooperator,
    DutyInstance,
    Plan,
    Unit,
    User,
)
from portal.supervision.forms import IMPORTANCE_CHOICES, SOURCE_CHOICES
from portal.supervision.services import NotAllowed, SupervisionError, link_to

ASSIGNED_KIND = "assigned"
PLAN_TITLE = "督查室交办事项"
SOURCE_LABELS = dict(SOURCE_CHOICES)
IMPORTANCE_LABELS = dict(IMPORTANCE_CHOICES)
MAX_STEPS = 30
MAX_UNITS = 60


@dataclass
class MatterInput:
    """A 交办 as the form gave it (unit ids, steps one a line already split)."""

    title: str
    source_kind: str
    source_text: str = ""
    source_ref: str = ""
    instructed_by: str = ""
    source_date: date | None = None
    lead_ids: list[int] = field(default_factory=list)
    cooperating_ids: list[int] = field(default_factory=list)
    deadline: date | None = None
    steps: list[str] = field(default_factory=list)
    importance: str = "normal"
    arrangement: str = ""
    attachment: tuple[str, bytes] | None = None


def may_assign(user: User) -> bool:
    return can(user, "supervise", "give_instructions")


def is_leader_only(user: User) -> bool:
    """A leader who is not the office: what they 交办 is their own 批示."""
    return can(user, "give_instructions") and not can(user, "supervise")


def assigned_plan(create_for: User | None = None) -> Plan | None:
    """The office's 交办 plan (made on the first 交办, by `create_for`)."""
    plan = db.session.scalar(sa.select(Plan).where(Plan.kind == ASSIGNED_KIND).order_by(Plan.id).limit(1))
    if plan is None and create_for is not None:
        plan = Plan(title=PLAN_TITLE, kind=ASSIGNED_KIND, state="published", version=1, issuer="督查室")
        db.session.add(plan)
        db.session.flush()
        record("create", "plan", plan.id, label=plan.title, after={"state": plan.state}, actor=create_for)
    return plan


def _units(ids: list[int]) -> list[Unit]:
    wanted = list(dict.fromkeys(ids))[:MAX_UNITS]
    found = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(wanted), Unit.active))}
    if len(found) != len(wanted):
        raise SupervisionError("所选单位不存在或已停用，请刷新页面后重新选择。")
    return [found[i] for i in wanted]


def _checked(user: User, data: MatterInput) -> MatterInput:
    """Refuse what cannot be assigned, with the reason; a leader's 交办 is their own 批示."""
    if not may_assign(user):
        raise NotAllowed("只有督查室或领导可以交办事项。")
    data.title = data.title.strip()
    if not data.title:
        raise SupervisionError("请填写交办事项的标题。")
    if is_leader_only(user):
        data.source_kind = "instruction"
        data.instructed_by = data.instructed_by.strip() or user.display_name
    if data.source_kind not in SOURCE_LABELS:
        raise SupervisionError("请选择交办来源。")
    if data.source_kind == "instruction" and not data.source_text.strip():
        raise SupervisionError("请填写领导批示的内容。")
    if data.importance not in IMPORTANCE_LABELS:
        raise SupervisionError("请选择重要程度。")
    if not data.lead_ids:
        raise SupervisionError("请选择牵头单位。")
    if data.deadline is not None and data.deadline < today():
        raise SupervisionError(f"完成时限{zh_date(data.deadline)}早于今天，请重新填写。")
    data.steps = [s.strip()[:200] for s in data.steps if s.strip()]
    if len(data.steps) > MAX_STEPS:
        raise SupervisionError(f"工作步骤最多 {MAX_STEPS} 项。")
    return data


def _next_serial(year: int) -> int:
    return (db.session.scalar(sa.select(sa.func.max(AssignedMatter.serial)).where(AssignedMatter.year == year)) or 0) + 1


def number_label(matter: AssignedMatter) -> str:
    return f"{matter.year}年第{matter.serial}号"


def create(user: User, data: MatterInput) -> AssignedMatter:
    """Assign a matter: its duty, one instance per lead unit, the source record, the audit entry and the
    messages to the lead and cooperating units, all in the caller's transaction (the caller commits)."""
    data = _checked(user, data)
    leads = _units(data.lead_ids)
    cooperating = [u for u in _units(data.cooperating_ids) if u.id not in {x.id for x in leads}]
    attachment = None
    if data.attachment is not None:
        try:
            attachment = (*check_upload(*data.attachment), data.attachment[1])
        except DutyError as exc:
            raise SupervisionError(str(exc)) from exc
    plan = assigned_plan(create_for=user)
    year = today().year
    for _ in range(5):
        serial = _next_serial(year)
        try:
            with db.session.begin_nested():
                matter = _write(user, data, plan, year, serial, leads, cooperating, attachment)
            break
        except IntegrityError:
            continue
    else:
        raise SupervisionError("编号冲突，请稍后重试。")
    _announce(matter, data, leads, cooperating)
    return matter


def _write(user, data: MatterInput, plan: Plan, year: int, serial: int, leads, cooperating, attachment):
    key = f"jiaoban-{year}-{serial}"
    duty = Duty(key=key, plan=plan, title=data.title[:120], clause_ids=[], scope="city" if len(leads) == 1 else "per-unit",
                theme="", start=today(), deadline_kind="date" if data.deadline else "none", deadline=data.deadline,
                deadline_text="", note="", arrangement=data.arrangement.strip(), position=serial, indicators=[])
    db.session.add(duty)
    for unit in leads:
        inst = DutyInstance(key=key if len(leads) == 1 else f"{key}@{unit.code}", duty=duty, unit=unit,
                            county="", original_deadline=data.deadline, deadline=data.deadline)
        inst.cooperators = [DutyCooperator(unit_id=u.id) for u in cooperating]
        inst.items = [ChecklistItem(title=s, position=i) for i, s in enumerate(data.steps)]
        db.session.add(inst)
    matter = AssignedMatter(
        duty=duty, year=year, serial=serial, source_kind=data.source_kind, source_text=data.source_text.strip(),
        source_ref=data.source_ref.strip()[:200], instructed_by=data.instructed_by.strip()[:60],
        instructed_by_id=user.id if is_leader_only(user) else None, source_date=data.source_date,
        importance=data.importance, created_by_id=user.id)
    if attachment is not None:
        name, content_type, blob = attachment
        matter.attachment_name, matter.attachment_type = name, content_type
        matter.attachment_size, matter.attachment_data = len(blob), blob
    db.session.add(matter)
    db.session.flush()
    record("assign_matter", "duty", key, label=duty.title, actor=user, after={
        "matter_number": number_label(matter), "source": SOURCE_LABELS[data.source_kind],
        "importance": IMPORTANCE_LABELS[data.importance], "lead": "、".join(u.name for u in leads),
        "cooperating": "、".join(u.name for u in cooperating), "deadline": data.deadline,
        "steps": len(data.steps)})
    return matter


def source_line(matter: AssignedMatter) -> str:
    """Where it came from, in one line: 市长张三2026年12月1日批示（《……》）."""
    label = SOURCE_LABELS[matter.source_kind]
    who = matter.instructed_by if matter.source_kind == "instruction" else ""
    when = zh_date(matter.source_date) if matter.source_date else ""
    ref = f"（{matter.source_ref}）" if matter.source_ref else ""
    return f"{label}：{who}{when}{ref}".rstrip("：")


def message_text(matter: AssignedMatter, unit: Unit, lead: bool, link: str, others: str) -> tuple[str, str]:
    """(subject, body) of the 交办 message to one unit."""
    duty = matter.duty
    urgent = "" if matter.importance == "normal" else f"【{IMPORTANCE_LABELS[matter.importance]}】"
    role = "牵头办理" if lead else f"配合{others}办理"
    lines = [f"{unit.name}：",
             f"现将「{duty.title}」交办你单位{role}（交办事项{number_label(matter)}，{source_line(matter)}）。"]
    if matter.source_text:
        quote = "批示" if matter.source_kind == "instruction" else "原文"
        lines.append(f"{quote}：“{matter.source_text}”")
    if duty.arrangement:
        lines.append(f"工作要求：{duty.arrangement}")
    lines.append(f"完成时限：{zh_date(duty.deadline)}。" if duty.deadline else "完成时限：未定。")
    lines.append("请在门户中签收，按时办理，上传佐证材料后申请销号。")
    lines.append(f"查看详情：{link}")
    return f"{urgent}交办：{duty.title}", "\n".join(lines)


def _announce(matter: AssignedMatter, data: MatterInput, leads: list[Unit], cooperating: list[Unit]) -> None:
    instances = {i.unit_id: i for i in matter.duty.instances}
    names = "、".join(u.name for u in leads)
    for unit in leads:
        link = link_to("duties.instance", instance_id=instances[unit.id].id)
        subject, body = message_text(matter, unit, True, link, names)
        outbox.enqueue("assignment", subject=subject, body=body, units=[unit], link=link,
                dedupe_key=f"assignment:{matter.year}:{matter.serial}:{unit.id}")
    for unit in cooperating:
        link = link_to("duties.instance", instance_id=instances[leads[0].id].id)
        subject, body = message_text(matter, unit, False, link, names)
        outbox.enqueue("assignment", subject=subject, body=body, units=[unit], link=link,
                dedupe_key=f"assignment:{matter.year}:{matter.serial}:{unit.id}")


# ---- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MatterRow:
    matter: AssignedMatter
    instances: list[DutyInstance]


def matters(limit: int, offset: int = 0) -> list[MatterRow]:
    """The 交办事项, newest first, each with its instances (two statements)."""
    rows = list(db.session.scalars(sa.select(AssignedMatter).options(sa.orm.joinedload(AssignedMatter.duty))
                                   .order_by(AssignedMatter.year.desc(), AssignedMatter.serial.desc())
                                   .limit(limit).offset(offset)))
    by_duty: dict[int, list[DutyInstance]] = {}
    if rows:
        for inst in db.session.scalars(sa.select(DutyInstance).options(sa.orm.joinedload(DutyInstance.unit),
                                                                    sa.orm.lazyload(DutyInstance.cooperators),
                                                                    sa.orm.lazyload(DutyInstance.items))
                                       .where(DutyInstance.duty_id.in_([m.duty_id for m in rows]))
                                       .order_by(DutyInstance.id)):
            by_duty.setdefault(inst.duty_id, []).append(inst)
    return [MatterRow(m, by_duty.get(m.duty_id, [])) for m in rows]


def matter_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AssignedMatter.id)))


def matter_of_duty(duty_id: int) -> AssignedMatter | None:
    return db.session.scalar(sa.select(AssignedMatter).where(AssignedMatter.duty_id == duty_id))


def attachment_of(matter_id: int) -> AssignedMatter | None:
    return db.session.scalar(sa.select(AssignedMatter).options(sa.orm.undefer(AssignedMatter.attachment_data))
                             .where(AssignedMatter.id == matter_id))
