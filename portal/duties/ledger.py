"""Reading the 任务台账: instances filtered, lit and sorted (boards, home page, exports, API).

`read_ledger` is one statement: the instance, duty and unit columns a row shows, the checklist
counted in the same statement (a grouped sub-select over the filtered instances), and whether the
filtered unit cooperates on it. Unit and duty names come from `portal.refdata`. `views_for` turns
rows into ORM views where a caller needs whole objects (exports).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal import refdata
from portal.core import duty_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import ChecklistItem, Duty, DutyCooperator, DutyInstance, Unit, User


@dataclass
class InstanceView:
    """One duty instance with what the board shows: progress, schedule and warning light."""

    inst: DutyInstance
    progress: int
    light: str
    schedule: str | None
    done: int
    total: int

    @property
    def duty(self) -> Duty:
        return self.inst.duty


def view_of(inst: DutyInstance, on: date | None = None, counts: tuple[int, int] | None = None) -> InstanceView:
    """`counts` (done, total) spares loading the checklist when a board already counted it."""
    on = on or today()
    if counts is None:
        items = inst.active_items
        counts = (sum(1 for i in items if i.done), len(items))
    done, total = counts
    a = duty_rules.assess(inst.state, inst.deadline, inst.duty.start, done, total, on)
    return InstanceView(inst, a.progress, a.light, a.schedule, done, total)


@dataclass
class LedgerFilter:
    unit_code: str = ""
    state: str = ""
    light: str = ""
    theme: str = ""  # a 工作领域 (?area= on /tasks/)
    part: str = ""  # lead | cooperating: the unit's part (?role= on /tasks/)
    text: str = ""
    sort: str = "light"
    plan_id: int = 0  # one plan's duties (portal.models.Plan id); 0: every plan


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One 台账 row from plain columns: enough to filter by light, count, sort and show, no ORM object."""

    id: int
    unit_id: int
    light: str
    progress: int
    schedule: str | None
    done: int
    total: int
    key: str = ""
    duty_id: int = 0
    state: str = ""
    deadline: date | None = None
    original_deadline: date | None = None
    responsible_name: str = ""
    cooperating: bool = False  # the filtered unit is a cooperating unit, not the lead

    @property
    def duty(self) -> refdata.DutyRef | None:
        return refdata.duty(self.duty_id)

    @property
    def unit(self) -> refdata.UnitRef | None:
        return refdata.unit(self.unit_id)


def _conditions(f: LedgerFilter, unit) -> list:
    where = [~DutyInstance.archived, ~Duty.archived]
    if unit is not None:
        ids = refdata.unit_ids_within(unit)
        lead = DutyInstance.unit_id.in_(ids)
        coop = DutyInstance.cooperators.any(DutyCooperator.unit_id.in_(ids))
        where.append(lead if f.part == "lead" else coop if f.part == "cooperating" else sa.or_(lead, coop))
    if f.state in duty_rules.STATE_LABELS:
        where.append(DutyInstance.state == f.state)
    if f.theme:
        where.append(Duty.theme == f.theme)
    if f.plan_id:
        where.append(Duty.plan_id == f.plan_id)
    if f.text:
        where.append(sa.or_(Duty.title.icontains(f.text, autoescape=True), Duty.key.icontains(f.text, autoescape=True)))
    return where


def read_ledger(user: User, f: LedgerFilter, on: date | None = None) -> list[LedgerRow]:
    """The instances the user may see, filtered and sorted, from one statement; lights are
    computed, so the light filter applies after."""
    on = on or today()
    unit = refdata.unit_by_code(f.unit_code) if f.unit_code else None
    if f.unit_code and unit is None:
        return []
    where = _conditions(f, unit)
    # The checklist counted for the filtered instances only, named by the same filter as a
    # sub-select (not a list of hundreds of bound ids, which costs more to compile than to run).
    filtered = sa.select(DutyInstance.id).join(Duty, DutyInstance.duty_id == Duty.id).where(*where)
    counts = (sa.select(ChecklistItem.instance_id, sa.func.sum(sa.case((ChecklistItem.done, 1), else_=0)).label("done"),
                        sa.func.count(ChecklistItem.id).label("total"))
              .where(~ChecklistItem.archived, ChecklistItem.instance_id.in_(filtered))
              .group_by(ChecklistItem.instance_id).subquery())
    cooperating = (sa.exists().where(DutyCooperator.instance_id == DutyInstance.id, DutyCooperator.unit_id == unit.id)
                   if unit is not None else sa.false())
    stmt = (sa.select(DutyInstance.id, DutyInstance.unit_id, DutyInstance.state, DutyInstance.deadline, Duty.start,
                      Duty.position, Unit.sort_order, DutyInstance.key, DutyInstance.duty_id,
                      DutyInstance.original_deadline, DutyInstance.responsible_name, cooperating.label("cooperating"),
                      counts.c.done, counts.c.total)
            .join(Duty, DutyInstance.duty_id == Duty.id).join(Unit, DutyInstance.unit_id == Unit.id)
            .outerjoin(counts, counts.c.instance_id == DutyInstance.id)
            .where(*where).order_by(DutyInstance.id))
    keyed = []
    for (iid, unit_id, state, deadline, start, position, unit_order, key, duty_id, original, responsible, coop,
         done, total) in db.session.execute(stmt):
        done, total = int(done or 0), int(total or 0)
        a = duty_rules.assess(state, deadline, start, done, total, on)
        if f.light in duty_rules.LIGHT_LABELS and a.light != f.light:
            continue
        sort_key = duty_rules.sort_key(f.sort, a.light, deadline, a.progress, position, unit_order)
        keyed.append((sort_key, LedgerRow(iid, unit_id, a.light, a.progress, a.schedule, done, total, key, duty_id,
                                         state, deadline, original, responsible or "",
                                         bool(coop) and unit is not None and unit_id != unit.id)))
    keyed.sort(key=lambda kr: kr[0])
    return [row for _, row in keyed]


def views_for(rows: list[LedgerRow], cooperators: bool = True) -> list[InstanceView]:
    """Full ORM objects for these rows (in their order): duty, unit and cooperating units loaded
    with the instances, the checklist left unloaded (the rows already counted it)."""
    if not rows:
        return []
    stmt = (sa.select(DutyInstance).join(Duty).where(DutyInstance.id.in_([r.id for r in rows]))
            .options(sa.orm.contains_eager(DutyInstance.duty), sa.orm.selectinload(DutyInstance.unit),
                     sa.orm.lazyload(DutyInstance.items),
                     *(() if cooperators else (sa.orm.lazyload(DutyInstance.cooperators),))))
    by_id = {inst.id: inst for inst in db.session.scalars(stmt)}
    return [InstanceView(by_id[r.id], r.progress, r.light, r.schedule, r.done, r.total)
            for r in rows if r.id in by_id]  # a row deleted between the two queries is left out


def ledger_views(user: User, f: LedgerFilter, on: date | None = None, cooperators: bool = True) -> list[InstanceView]:
    """Instances the user may see, filtered and sorted, as full views (exports, overviews).
    A paged list shows `read_ledger` one page at a time instead."""
    return views_for(read_ledger(user, f, on), cooperators)


def checklist_counts(instance_ids: list[int] | sa.Select) -> dict[int, tuple[int, int]]:
    """instance id -> (done, total) over live checklist items, in one query. The ids are a list or
    a select of instance ids."""
    if isinstance(instance_ids, list) and not instance_ids:
        return {}
    rows = db.session.execute(
        sa.select(ChecklistItem.instance_id, sa.func.sum(sa.case((ChecklistItem.done, 1), else_=0)),
                  sa.func.count(ChecklistItem.id))
        .where(~ChecklistItem.archived, ChecklistItem.instance_id.in_(instance_ids))
        .group_by(ChecklistItem.instance_id)).all()
    return {iid: (int(done or 0), int(total)) for iid, done, total in rows}


def themes() -> list[str]:
    return refdata.themes()
