"""The leadership board's data: rows from the database, who sees what, indicators, 批示, the queue.

Roll-ups are pure (`portal.board.rollup`); this module loads plain rows for them and applies
the access rules: leaders and admins see every row, a liaison their own unit's rows (plus city
totals), staff and trainers city totals only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import g, has_request_context

from portal import refdata
from portal.audit.services import record
from portal.board import rollup
from portal.capabilities import can
from portal.core import duty_rules
from portal.core.labels import ARRANGED_MARK
from portal.core.plan import PLAN_ID
from portal.core.time import to_local, today
from portal.duties.counts import checklist_counts_subquery
from portal.duties.services import DutyError, commit_or_stale, require, touch
from portal.extensions import db
from portal.limits import FIGURE_NOTE, too_long
from portal.models import (
    AssessmentSettings,
    ChecklistItem,
    Duty,
    DutyCooperator,
    DutyInstance,
    DutyNote,
    ExtensionRequest,
    IndicatorValue,
    MonthlyReport,
    Unit,
    User,
)
from portal.outbox import enqueue
from portal.training.figures import city_totals, city_totals_select, stamp_columns, tally_of

TRANSFER_DUTY = "transfer-children"   # the per-county transfer of 三（二）8 (content/duties.txt)
# 三（二）8 names two institutions beside the county bureaus: 闻喜县、新绛县儿童福利院 transfer their children too.
INST_TRANSFER_DUTY = "inst-transfer-children"
TRANSFER_DUTIES = (TRANSFER_DUTY, INST_TRANSFER_DUTY)
HANDOVER_DUTY = "handover-by-0901"    # 二: all children handed over by 2022年9月1日
INSTITUTION_KIND = "儿童福利机构"
INSTRUCTION = duty_rules.NOTE_INSTRUCTION  # DutyNote.kind of a leader's 批示
INDICATOR_MAX = 10_000_000


def task_area_titles() -> dict[str, str]:
    """The 方案's headings of the task areas (三（一）1 → 做好收留和抚养工作), for filters and columns."""
    found = refdata.clauses(PLAN_ID)
    return {cid: found[cid].title for cid in (rollup.GOALS_AREA, *rollup.TASK_AREAS) if cid in found and found[cid].title}


# ---- who sees what -----------------------------------------------------------------------------

FULL, OWN_UNIT, TOTALS = "full", "own_unit", "totals"


def scope_of(user: User) -> str:
    if can(user, "see_all_units"):
        return FULL
    if can(user, "act_for_own_unit") and user.unit_id is not None:
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
    """Every unit as the board files it (its county, department kind and matrix group), from the
    per-process reference data; derived once per request."""
    if not has_request_context():
        return _unit_infos()
    if "board_unit_infos" not in g:
        g.board_unit_infos = _unit_infos()
    return g.board_unit_infos


def _unit_infos() -> dict[int, UnitInfo]:
    units = {u.id: u for u in refdata.units()}

    def county_of(u) -> refdata.UnitRef | None:
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
    """The active county-level units without a parent (the 13 counties), in their order."""
    return [(u.code, u.name) for u in refdata.units() if u.level == "县级" and u.parent_id is None and u.active]


# ---- rows --------------------------------------------------------------------------------------

def load_rows(on: date | None = None, plan_id: int = 0) -> list[rollup.Row]:
    """Every live duty instance (of one plan when `plan_id` is given) as a board row, in one statement:
    the instance's and its duty's columns (plain values, no ORM objects: with many plans these are
    thousands of rows, and loading them as objects was most of an uncached board and of the 通报's first
    build), its live checklist counted and its cooperating units' ids aggregated by the database."""
    on = on or today()
    counts = checklist_counts_subquery()
    # "12,15*": a unit id, starred where the office arranged the unit's part (not named by the clause)
    marked_id = sa.cast(DutyCooperator.unit_id, sa.String) + sa.case((DutyCooperator.arranged, "*"), else_="")
    coop = (sa.select(DutyCooperator.instance_id.label("iid"),
                      sa.func.aggregate_strings(marked_id, ",").label("ids"))
            .group_by(DutyCooperator.instance_id).subquery())
    stmt = (sa.select(DutyInstance.id, DutyInstance.key, DutyInstance.unit_id, DutyInstance.state, DutyInstance.deadline,
                      DutyInstance.updated_at, DutyInstance.closed_at, Duty.key, Duty.title, Duty.clause_ids, Duty.start,
                      Duty.position, Duty.deadline_kind, Duty.period, Duty.plan_id, counts.c.done, counts.c.total,
                      coop.c.ids)
            .join(Duty, DutyInstance.duty_id == Duty.id)
            .outerjoin(counts, counts.c.iid == DutyInstance.id).outerjoin(coop, coop.c.iid == DutyInstance.id)
            .where(~DutyInstance.archived, ~Duty.archived))
    if plan_id:
        stmt = stmt.where(Duty.plan_id == plan_id)
    infos = unit_infos()
    rows = []
    for (iid, key, unit_id, state, deadline, updated_at, closed_at, duty_key, title, clause_ids, start, position,
         deadline_kind, period, row_plan, done, total, coop_ids) in db.session.execute(stmt):
        a = duty_rules.assess(state, deadline, start, int(done or 0), int(total or 0), on)
        u = infos[unit_id]
        clause_ids = clause_ids or []
        cooperators = sorted((int(i.rstrip("*")), i.endswith("*")) for i in coop_ids.split(",")) if coop_ids else []
        rows.append(rollup.Row(
            iid, key, duty_key, title, tuple(clause_ids), rollup.task_area(clause_ids),
            u.code, u.name, u.short, u.order, u.level, u.county_code, u.county_name, u.kind, u.group,
            state, a.light, a.progress, deadline, updated_at,
            tuple(infos[c].short + (ARRANGED_MARK if arranged else "") for c, arranged in cooperators),
            position, closed_at, deadline_kind, period or "", row_plan))
    rows.sort(key=lambda r: (r.unit_order, r.position))
    return rows


def _live_duty(key: str) -> refdata.DutyRef | None:
    duty = refdata.duty_by_key(key)
    return duty if duty is not None and not duty.archived else None


def transfer_duty() -> refdata.DutyRef | None:
    return _live_duty(TRANSFER_DUTY)


def indicator_names(duty: Duty | refdata.DutyRef | None) -> list[tuple[str, str]]:
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


def transfer_rows(on: date | None = None, rows: list[rollup.Row] | None = None) -> list[rollup.TransferRow]:
    """The 13 counties' transfer instances, then the two institutions' (闻喜县、新绛县儿童福利院), their
    seven steps, their reported figures. `rows` are the board's rows when the page has them already (the
    instances are among them)."""
    on = on or today()
    if transfer_duty() is None:
        return []
    rows = load_rows(on) if rows is None else rows
    mine = [r for r in rows if r.duty_key in TRANSFER_DUTIES]
    steps, figures = _transfer_details([r.instance_id for r in mine])
    order = {code: n for n, (code, _) in enumerate(counties())}
    inputs = [rollup.TransferInput(r.county_code, r.county_name if r.duty_key == TRANSFER_DUTY else r.unit_name,
                                   r.unit_code, r.instance_id, r.state, r.deadline,
                                   tuple(steps.get(r.instance_id, ())), figures.get(r.instance_id, {}),
                                   institution=r.duty_key != TRANSFER_DUTY)
              for r in sorted(mine, key=lambda r: (r.duty_key != TRANSFER_DUTY, order.get(r.county_code, len(order)),
                                                   r.unit_order, r.instance_id))]
    return rollup.transfer_tracker(inputs, on)


def _transfer_details(instance_ids: list[int]) -> tuple[dict[int, list[tuple[str, bool]]], dict[int, dict[str, int]]]:
    """The live checklist steps (in order) and the latest reported figures of the transfer
    instances, in one statement (UNION ALL of the two kinds of row)."""
    steps: dict[int, list[tuple[str, bool]]] = {}
    figures: dict[int, dict[str, int]] = {}
    if not instance_ids:
        return steps, figures
    items = (sa.select(sa.literal("step").label("kind"), ChecklistItem.instance_id.label("iid"),
                       ChecklistItem.position.label("pos"), ChecklistItem.id.label("id"),
                       ChecklistItem.title.label("name"),
                       sa.case((ChecklistItem.done, 1), else_=0).label("value"))
             .where(ChecklistItem.instance_id.in_(instance_ids), ~ChecklistItem.archived))
    values = (sa.select(sa.literal("figure"), IndicatorValue.instance_id, sa.literal(0), IndicatorValue.id,
                        IndicatorValue.name, IndicatorValue.value)
              .where(IndicatorValue.instance_id.in_(instance_ids)))
    both = sa.union_all(items, values).subquery()
    for kind, iid, _pos, _id, name, value in db.session.execute(
            sa.select(both).order_by(both.c.kind, both.c.iid, both.c.pos, both.c.id)):
        if kind == "step":
            steps.setdefault(iid, []).append((name, bool(value)))
        else:
            figures.setdefault(iid, {})[name] = value  # by id: the latest report wins
    return steps, figures


def transfer_milestones() -> list[dict]:
    """The three dates the 方案 gives for the transfer, read from the 任务分工表 with their clauses."""
    out = []
    duty = transfer_duty()
    handover = _live_duty(HANDOVER_DUTY)
    if duty and duty.start:
        out.append({"label": "移交工作启动", "when": f"{duty.start.year}年{duty.start.month}月", "clause": "3.2.8"})
    if handover and handover.deadline:
        d = handover.deadline
        out.append({"label": "儿童全部移交到位", "when": f"{d.year}年{d.month}月{d.day}日前", "clause": "2"})
    if duty and duty.deadline:
        d = duty.deadline
        out.append({"label": "移交工作结束", "when": f"{d.year}年{d.month}月底", "clause": "3.2.8"})
    return out


def training_coverage(tally=None) -> dict | None:
    """Training coverage for the headline (township 儿童督导员 / village 儿童主任, 三（二）10):
    assignments completed out of those assigned, city-wide; None while nothing is assigned."""
    tally = tally or city_totals()
    if not tally.assigned:
        return None
    return {"assigned": tally.assigned, "completed": tally.completed, "overdue": tally.overdue,
            "pct": tally.percent}  # the training rule (rules.percent), as on the training pages


@dataclass(frozen=True)
class Headline:
    """The board headline's figures beyond the rows: what waits for the office (how many, the
    longest wait in days) and training coverage."""

    closes: int
    close_wait: int
    extensions: int
    extension_wait: int
    training: dict | None


def headline(on: date, plan_id: int = 0) -> Headline:
    """One statement: pending 销号 requests, pending extension requests (of one plan's duties when
    `plan_id` is given), the training totals."""
    of_plan = [DutyInstance.duty_id.in_(sa.select(Duty.id).where(Duty.plan_id == plan_id))] if plan_id else []

    asked = (sa.select(sa.func.max(DutyNote.at)).where(DutyNote.instance_id == DutyInstance.id,
                                                        DutyNote.kind == "request_close")
             .correlate(DutyInstance).scalar_subquery())
    closes = (sa.select(sa.func.count(DutyInstance.id).label("n"),
                        sa.func.min(sa.func.coalesce(asked, DutyInstance.updated_at)).label("since"))
              .where(DutyInstance.state == duty_rules.REQUESTED, ~DutyInstance.archived, *of_plan).subquery())
    extensions = (sa.select(sa.func.count(ExtensionRequest.id).label("n"), sa.func.min(ExtensionRequest.at).label("since"))
                  .join(DutyInstance, DutyInstance.id == ExtensionRequest.instance_id)
                  .where(ExtensionRequest.status == "pending", ~DutyInstance.archived, *of_plan).subquery())
    training = city_totals_select().subquery()
    row = db.session.execute(
        sa.select(closes.c.n, closes.c.since, extensions.c.n, extensions.c.since,
                  training.c.assigned, training.c.completed, training.c.overdue)
        .select_from(closes.join(extensions, sa.true()).join(training, sa.true()))).one()
    n_closes, close_since, n_ext, ext_since, *tally = row
    return Headline(int(n_closes or 0), _days_since(_as_datetime(close_since), on), int(n_ext or 0),
                    _days_since(_as_datetime(ext_since), on), training_coverage(tally_of(*tally)))


def _as_datetime(value) -> datetime | None:
    """min() over a coalesce comes back as text on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def data_stamp(on: date) -> tuple:
    """Changes whenever anything the board shows may have changed: every write on a duty touches
    its instance (updated_at), sync touches duties and units, figures add rows; lights move with
    the date. Cheap (one round trip), so every worker can check it on every request."""
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
        # the 考核 ranking also reads monthly reports and the office's settings
        sa.select(sa.func.max(MonthlyReport.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(AssessmentSettings.version)).scalar_subquery(),
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
    """销号 requests awaiting the office: who asked (the latest request note's author), since when.
    One statement: the instances with their unit and duty, the latest request note and its author."""
    on = on or today()
    requested = sa.select(DutyInstance.id).where(DutyInstance.state == duty_rules.REQUESTED, ~DutyInstance.archived)
    # The latest request note of the requested instances only (found by instance): not a pass over
    # every note of every duty, which grows by thousands a year.
    latest = (sa.select(DutyNote.instance_id.label("iid"), sa.func.max(DutyNote.id).label("nid"))
              .where(DutyNote.kind == "request_close", DutyNote.instance_id.in_(requested))
              .group_by(DutyNote.instance_id).subquery())
    stmt = (sa.select(DutyInstance, DutyNote.at, User.display_name)
            .join(DutyInstance.unit).join(DutyInstance.duty)
            .outerjoin(latest, latest.c.iid == DutyInstance.id).outerjoin(DutyNote, DutyNote.id == latest.c.nid)
            .outerjoin(User, User.id == DutyNote.author_id)
            .where(DutyInstance.state == duty_rules.REQUESTED, ~DutyInstance.archived)
            .options(sa.orm.contains_eager(DutyInstance.unit), sa.orm.contains_eager(DutyInstance.duty),
                     sa.orm.lazyload(DutyInstance.items), sa.orm.lazyload(DutyInstance.cooperators)))
    out = []
    for inst, at, name in db.session.execute(stmt):
        since = at or inst.updated_at
        out.append(PendingClose(inst, name or "", since, _days_since(since, on)))
    return sorted(out, key=lambda p: p.since or datetime.max)


def pending_extension_requests(on: date | None = None) -> list[tuple[ExtensionRequest, int]]:
    """Pending extension requests of live duties, with requester, duty and unit (one statement)."""
    on = on or today()
    requester = sa.orm.aliased(User)
    stmt = (sa.select(ExtensionRequest).join(ExtensionRequest.instance).join(DutyInstance.unit)
            .join(DutyInstance.duty).outerjoin(requester, ExtensionRequest.requested_by)
            .where(ExtensionRequest.status == "pending", ~DutyInstance.archived).order_by(ExtensionRequest.at)
            .options(sa.orm.contains_eager(ExtensionRequest.requested_by.of_type(requester)).lazyload(requester.role_rows),
                     sa.orm.contains_eager(ExtensionRequest.instance).contains_eager(DutyInstance.unit),
                     sa.orm.contains_eager(ExtensionRequest.instance).contains_eager(DutyInstance.duty),
                     sa.orm.contains_eager(ExtensionRequest.instance).lazyload(DutyInstance.items),
                     sa.orm.contains_eager(ExtensionRequest.instance).lazyload(DutyInstance.cooperators)))
    return [(e, _days_since(e.at, on)) for e in db.session.scalars(stmt)]


def _days_since(at: datetime | None, on: date) -> int:
    if at is None:
        return 0

    return max(0, (on - to_local(at).date()).days)


# ---- indicators and 批示 ------------------------------------------------------------------------

def can_report_indicators(user: User, inst: DutyInstance) -> bool:
    """The lead unit's liaison (or the office) reports figures, also after the duty is closed:
    a count can be corrected without reopening the duty."""
    if inst.archived or not inst.duty.indicators:
        return False
    return can(user, "act_on_any_duty") or (can(user, "act_for_own_unit") and user.unit_id == inst.unit_id)


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
    problem = too_long("说明", note.strip(), FIGURE_NOTE)
    if problem:
        raise DutyError(problem)
    current = current_indicators([inst.id]).get(inst.id, {}).get(name)
    entry = IndicatorValue(instance_id=inst.id, name=name, value=value, note=note.strip(), by_id=user.id)
    db.session.add(entry)
    touch(inst)
    record("report_indicator", "duty_instance", inst.id, label=f"{inst.key}：{name}",
           before={"indicator": name, "value": current} if current is not None else None,
           after={"indicator": name, "value": value, "note": entry.note}, actor=user)
    commit_or_stale()
    return entry


def can_instruct(user: User, inst: DutyInstance) -> bool:
    return can(user, "give_instructions") and not inst.archived


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
    enqueue("instruction", subject=f"领导对「{inst.duty.title}」作出批示", body=body, units=[inst.unit],
            link=f"/tasks/{inst.id}")
    touch(inst)
    record("instruction", "duty_instance", inst.id, label=inst.key, after={"instruction": body[:200]}, actor=user)
    commit_or_stale()
    return note


def instructions(inst: DutyInstance) -> list[DutyNote]:
    return [n for n in inst.notes if n.kind == INSTRUCTION]
