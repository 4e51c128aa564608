"""The leadership board's data: rows from the database, who sees what, indicators, 批示, the queue.

Roll-ups are pure (`portal.board.rollup`); this module loads plain rows for them and applies
the access rules: leaders and admins see every row, a liaison their own unit's rows (plus city
totals), staff and trainers city totals only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from portal.audit.services import record
from portal.board import rollup
from portal.duties import rules
from portal.duties.services import DutyError, checklist_counts, commit_or_stale, require, today, touch, view_of
from portal.extensions import db
from portal.models import (
    Duty,
    DutyInstance,
    DutyNote,
    ExtensionRequest,
    IndicatorValue,
    Notice,
    PolicyClause,
    PolicyDocument,
    Unit,
    User,
)
from portal.plan import PLAN_ID
from portal.roles import ADMIN, LEADER, LIAISON

TRANSFER_DUTY = "transfer-children"   # the per-county transfer of 三（二）8 (content/duties.txt)
HANDOVER_DUTY = "handover-by-0901"    # 二: all children handed over by 2022年9月1日
INSTITUTION_KIND = "儿童福利机构"
INSTRUCTION = rules.NOTE_INSTRUCTION  # DutyNote.kind of a leader's 批示
INDICATOR_MAX = 10_000_000


def area_titles() -> dict[str, str]:
    """The 方案's headings of the task areas (三（一）1 → 做好收留和抚养工作), for filters and columns."""
    areas = (rollup.GOALS_AREA, *rollup.TASK_AREAS)
    rows = db.session.execute(
        sa.select(PolicyClause.clause_id, PolicyClause.title).join(PolicyDocument)
        .where(PolicyDocument.doc_id == PLAN_ID, PolicyClause.clause_id.in_(areas))).all()
    return {cid: title for cid, title in rows if title}


# ---- who sees what -----------------------------------------------------------------------------

FULL, OWN_UNIT, TOTALS = "full", "own_unit", "totals"


def scope_of(user: User) -> str:
    if user.has_role(ADMIN, LEADER):
        return FULL
    if user.has_role(LIAISON) and user.unit_id is not None:
        return OWN_UNIT
    return TOTALS


def visible(user: User, rows: list[rollup.Row]) -> list[rollup.Row]:
    scope = scope_of(user)
    if scope == FULL:
        return rows
    if scope == OWN_UNIT:
        code = user.unit.code
        return [r for r in rows if r.unit_code == code]
    return []


# ---- units -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    short: str
    level: str
    order: int
    county_code: str
    county_name: str
    kind: str
    group: str


def unit_infos() -> dict[int, UnitInfo]:
    units = {u.id: u for u in db.session.scalars(sa.select(Unit))}

    def county_of(u: Unit) -> Unit | None:
        seen = set()
        while u is not None and u.id not in seen:
            if u.level == "县级" and u.parent_id is None:
                return u
            seen.add(u.id)
            u = units.get(u.parent_id)
        return None

    out = {}
    for u in units.values():
        county = county_of(u)
        kind = INSTITUTION_KIND if u.level == "机构" else (u.alias_list[0] if u.alias_list else u.short_name)
        group = u.short_name
        if county is not None and group.startswith(county.name) and group != county.name:
            group = group[len(county.name):]
        out[u.id] = UnitInfo(u.code, u.name, u.short_name, u.level, u.sort_order,
                             county.code if county else "", county.name if county else "", kind, group)
    return out


def counties() -> list[tuple[str, str]]:
    return [(u.code, u.name) for u in db.session.scalars(
        sa.select(Unit).where(Unit.level == "县级", Unit.parent_id.is_(None), Unit.active).order_by(Unit.sort_order))]


# ---- rows --------------------------------------------------------------------------------------

def load_rows(on: date | None = None) -> list[rollup.Row]:
    """Every live duty instance as a board row, in three queries."""
    on = on or today()
    stmt = (sa.select(DutyInstance).join(Duty).where(~DutyInstance.archived, ~Duty.archived)
            .options(sa.orm.contains_eager(DutyInstance.duty), sa.orm.lazyload(DutyInstance.items),
                     sa.orm.selectinload(DutyInstance.cooperators)))
    instances = db.session.scalars(stmt).unique().all()
    counts = checklist_counts([i.id for i in instances])
    infos = unit_infos()
    rows = []
    for inst in instances:
        v = view_of(inst, on, counts.get(inst.id, (0, 0)))
        u = infos[inst.unit_id]
        duty = inst.duty
        rows.append(rollup.Row(
            inst.id, inst.key, duty.key, duty.title, tuple(duty.clause_ids), rollup.task_area(duty.clause_ids),
            u.code, u.name, u.short, u.order, u.level, u.county_code, u.county_name, u.kind, u.group,
            inst.state, v.light, v.progress, inst.deadline, inst.updated_at,
            tuple(infos[c.unit_id].short for c in inst.cooperators), duty.position))
    rows.sort(key=lambda r: (r.unit_order, r.position))
    return rows


def transfer_duty() -> Duty | None:
    return db.session.scalar(sa.select(Duty).where(Duty.key == TRANSFER_DUTY, ~Duty.archived))


def indicator_names(duty: Duty | None) -> list[tuple[str, str]]:
    return [(n, m) for n, m in (duty.indicators or [])] if duty else []


def current_indicators(instance_ids: list[int]) -> dict[int, dict[str, int]]:
    """instance id -> {indicator name: latest reported value}."""
    out: dict[int, dict[str, int]] = {}
    if not instance_ids:
        return out
    for iid, name, value in db.session.execute(
            sa.select(IndicatorValue.instance_id, IndicatorValue.name, IndicatorValue.value)
            .where(IndicatorValue.instance_id.in_(instance_ids)).order_by(IndicatorValue.id)):
        out.setdefault(iid, {})[name] = value
    return out


def transfer_rows(on: date | None = None) -> list[rollup.TransferRow]:
    """The 13 counties' transfer instances, their seven steps, their reported figures."""
    on = on or today()
    duty = transfer_duty()
    if duty is None:
        return []
    infos = unit_infos()
    instances = [i for i in duty.instances if not i.archived]
    figures = current_indicators([i.id for i in instances])
    inputs = []
    for inst in instances:
        u = infos[inst.unit_id]
        inputs.append(rollup.TransferInput(
            u.county_code, u.county_name, u.code, inst.id, inst.state, inst.deadline,
            tuple((i.title, i.done) for i in inst.active_items), figures.get(inst.id, {})))
    order = {code: n for n, (code, _) in enumerate(counties())}
    inputs.sort(key=lambda t: order.get(t.county_code, len(order)))
    return rollup.transfer_tracker(inputs, on)


def transfer_milestones() -> list[dict]:
    """The three dates the 方案 gives for the transfer, read from the 任务分工表 with their clauses."""
    out = []
    duty = transfer_duty()
    handover = db.session.scalar(sa.select(Duty).where(Duty.key == HANDOVER_DUTY, ~Duty.archived))
    if duty and duty.start:
        out.append({"label": "移交工作启动", "when": f"{duty.start.year}年{duty.start.month}月", "clause": "3.2.8"})
    if handover and handover.deadline:
        d = handover.deadline
        out.append({"label": "儿童全部移交到位", "when": f"{d.year}年{d.month}月{d.day}日前", "clause": "2"})
    if duty and duty.deadline:
        d = duty.deadline
        out.append({"label": "移交工作结束", "when": f"{d.year}年{d.month}月底", "clause": "3.2.8"})
    return out


def training_coverage() -> dict | None:
    """Training coverage for the headline (township 儿童督导员 / village 儿童主任, 三（二）10):
    assignments completed out of those assigned, city-wide; None while nothing is assigned."""
    from portal.training.reports import city_totals

    tally = city_totals()
    if not tally.assigned:
        return None
    return {"assigned": tally.assigned, "completed": tally.completed, "overdue": tally.overdue,
            "pct": tally.completed * 100 // tally.assigned}


def data_stamp(on: date) -> tuple:
    """Changes whenever anything the board shows may have changed: every write on a duty touches
    its instance (updated_at), sync touches duties and units, figures add rows; lights move with
    the date. Cheap (one round trip), so every worker can check it on every request."""
    from portal.training.reports import stamp_columns

    row = db.session.execute(sa.select(
        sa.select(sa.func.max(DutyInstance.updated_at)).scalar_subquery(),
        sa.select(sa.func.count(DutyInstance.id)).scalar_subquery(),
        sa.select(sa.func.max(Duty.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(Unit.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(IndicatorValue.id)).scalar_subquery(),
        sa.select(sa.func.max(ExtensionRequest.id)).scalar_subquery(),
        sa.select(sa.func.max(ExtensionRequest.decided_at)).scalar_subquery(),
        sa.select(sa.func.max(DutyNote.id)).scalar_subquery(),
        *stamp_columns(),  # training coverage is on the headline too
    )).one()
    return (on.isoformat(), *(str(v) for v in row))


def scope_key(user: User) -> str:
    scope = scope_of(user)
    return f"{scope}:{user.unit.code}" if scope == OWN_UNIT else scope


# ---- the decision queue (read-only for leaders) ------------------------------------------------

@dataclass
class PendingClose:
    instance: DutyInstance
    requester: str
    since: datetime | None
    waited_days: int


def pending_closes(on: date | None = None) -> list[PendingClose]:
    """销号 requests awaiting the office: who asked (the latest request note's author), since when."""
    on = on or today()
    stmt = (sa.select(DutyInstance).where(DutyInstance.state == rules.REQUESTED, ~DutyInstance.archived)
            .options(sa.orm.selectinload(DutyInstance.unit), sa.orm.selectinload(DutyInstance.duty),
                     sa.orm.lazyload(DutyInstance.items), sa.orm.lazyload(DutyInstance.cooperators)))
    instances = db.session.scalars(stmt).all()
    latest: dict[int, tuple[datetime, str]] = {}
    if instances:
        for iid, at, name in db.session.execute(
                sa.select(DutyNote.instance_id, DutyNote.at, User.display_name)
                .outerjoin(User, User.id == DutyNote.author_id)
                .where(DutyNote.kind == "request_close", DutyNote.instance_id.in_([i.id for i in instances]))
                .order_by(DutyNote.id)):
            latest[iid] = (at, name or "")
    out = []
    for inst in instances:
        since, who = latest.get(inst.id, (inst.updated_at, ""))
        out.append(PendingClose(inst, who, since, _days_since(since, on)))
    return sorted(out, key=lambda p: p.since or datetime.max)


def pending_extension_requests(on: date | None = None) -> list[tuple[ExtensionRequest, int]]:
    on = on or today()
    stmt = (sa.select(ExtensionRequest).where(ExtensionRequest.status == "pending").order_by(ExtensionRequest.at)
            .options(sa.orm.selectinload(ExtensionRequest.requested_by),
                     sa.orm.selectinload(ExtensionRequest.instance).selectinload(DutyInstance.unit)))
    return [(e, _days_since(e.at, on)) for e in db.session.scalars(stmt) if not e.instance.archived]


def _days_since(at: datetime | None, on: date) -> int:
    if at is None:
        return 0
    from portal.timeutil import to_local

    return max(0, (on - to_local(at).date()).days)


# ---- indicators and 批示 ------------------------------------------------------------------------

def can_report_indicators(user: User, inst: DutyInstance) -> bool:
    """The lead unit's liaison (or the office) reports figures, also after the duty is closed:
    a count can be corrected without reopening the duty."""
    if inst.archived or not inst.duty.indicators:
        return False
    return user.has_role(ADMIN) or (user.has_role(LIAISON) and user.unit_id == inst.unit_id)


def indicator_history(inst: DutyInstance) -> list[IndicatorValue]:
    return list(db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.instance_id == inst.id)
                                   .order_by(IndicatorValue.id.desc())))


def report_indicator(user: User, inst: DutyInstance, name: str, value: int, note: str = "") -> IndicatorValue:
    require(can_report_indicators(user, inst), "只有牵头单位的联络员可以填报该任务的指标。")
    names = {n: m for n, m in indicator_names(inst.duty)}
    if name not in names:
        raise DutyError("该任务没有这项指标。")
    if not 0 <= value <= INDICATOR_MAX:
        raise DutyError(f"{name}应为 0 到 {INDICATOR_MAX} 之间的整数。")
    current = current_indicators([inst.id]).get(inst.id, {}).get(name)
    entry = IndicatorValue(instance_id=inst.id, name=name, value=value, note=note.strip()[:200], by_id=user.id)
    db.session.add(entry)
    touch(inst)
    record("report_indicator", "duty_instance", inst.id, label=f"{inst.key}：{name}",
           before={"indicator": name, "value": current} if current is not None else None,
           after={"indicator": name, "value": value, "note": entry.note}, actor=user)
    commit_or_stale()
    return entry


def can_instruct(user: User, inst: DutyInstance) -> bool:
    return user.has_role(LEADER, ADMIN) and not inst.archived


def add_instruction(user: User, inst: DutyInstance, body: str) -> DutyNote:
    """A leader's 批示 on a duty: kept with the duty's notes, shown to the unit, noticed, audited."""
    require(can_instruct(user, inst), "只有领导可以作出批示。")
    body = body.strip()
    if not body:
        raise DutyError("请填写批示内容。")
    if len(body) > 2000:
        raise DutyError("批示不能超过 2000 字。")
    note = DutyNote(instance=inst, author_id=user.id, kind=INSTRUCTION, body=body)
    db.session.add(note)
    db.session.add(Notice(unit_id=inst.unit_id, title=f"领导对「{inst.duty.title}」作出批示", body=body))
    touch(inst)
    record("instruction", "duty_instance", inst.id, label=inst.key, after={"instruction": body[:200]}, actor=user)
    commit_or_stale()
    return note


def instructions(inst: DutyInstance) -> list[DutyNote]:
    return [n for n in inst.notes if n.kind == INSTRUCTION]
