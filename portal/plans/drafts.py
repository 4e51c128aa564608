"""A plan's open draft: the drafted duties stored, edited, added and dropped, unknown unit names mapped,
and the coverage check. Every change is audited with before and after (publishing is portal.plans.publish)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from portal import locking, refdata
from portal.audit.services import changed_fields, record
from portal.content import duties_refs
from portal.content.duties_file import ARRANGED_PREFIX, split_arranged
from portal.core.refusals import Stale
from portal.extensions import db
from portal.models import Duty, Plan, PlanDraftDuty, Unit, UnitAlias
from portal.plan_text.model import DraftDuty, PlanDocument, UnitName
from portal.plan_text.units import county_kind, is_county_wide, names_each_county, normalise
from portal.plans.services import commit_plan_change

LEVELS = {"市级": "city", "县级": "county", "机构": "inst"}
SCOPE_OF_DRAFT = {"city": "city", "county": "per-county"}  # DraftDuty.scope -> PlanDraftDuty.scope


def unit_names() -> list[UnitName]:
    """The register as the drafter matches names against it: names, short names, aliases, and the
    names the office mapped while reviewing earlier drafts."""
    mapped: dict[int, list[str]] = {}
    for name, uid in db.session.execute(sa.select(UnitAlias.name, UnitAlias.unit_id)):
        mapped.setdefault(uid, []).append(name)
    return [UnitName(u.id, u.name, u.short_name, tuple(u.alias_list) + tuple(mapped.get(u.id, ())),
                     LEVELS.get(u.level, "city")) for u in refdata.active_units()]


def clause_tree(document: PlanDocument) -> list[list]:
    """[[id, parent, number, heading, text], ...] in document order (the parent from the id: 3.1.2 → 3.1)."""
    return [[c.id, c.id.rsplit(".", 1)[0] if "." in c.id else None, c.number, c.heading, c.text]
            for c in document.clauses]


def create_plan(document: PlanDocument, drafted: list[DraftDuty], actor) -> Plan:
    """A new plan in state draft holding the drafted duties; the caller's transaction is committed."""
    plan = Plan(title=document.title[:300] or "未命名方案", number=document.number[:80], issued=document.issued,
                state="draft", drafting=True, version=0, clause_tree=clause_tree(document), no_duty={},
                created_by_id=actor.id if actor is not None else None)
    db.session.add(plan)
    db.session.flush()
    for position, d in enumerate(drafted):
        plan.drafts.append(_row(plan, d, position))
    record("create", "plan", plan.id, label=plan.title, actor=actor,
           after={"number": plan.number, "state": plan.state, "drafts": len(drafted)})
    db.session.commit()
    return plan


def _row(plan: Plan, d: DraftDuty, position: int) -> PlanDraftDuty:
    return PlanDraftDuty(
        key=new_key(plan, position), position=position, clause_ids=[d.clause] if d.clause else [], title=d.title[:120],
        lead=list(d.lead), cooperating=list(d.cooperating), lead_ids=_drafted_ids(d.lead_ids, d.lead),
        cooperating_ids=_drafted_ids(d.cooperating_ids, d.cooperating), scope=SCOPE_OF_DRAFT.get(d.scope, "city"),
        deadline_text=d.deadline_text[:200], deadline=d.deadline, quote=d.quote, checklist=list(d.checklist),
        sources=dict(d.sources))


def _ids(ids: list, names: list[str]) -> list:
    """One id (or None) per name, whatever length the drafter returned."""
    return [(ids[i] if i < len(ids) else None) for i in range(len(names))]


def _drafted_ids(ids: list, names: list[str]) -> list:
    """The drafter's ids as stored; a county-wide name it leaves unmatched (各县（市、区）民政局, 县级民政部门)
    stands for a county unit of its kind."""
    return [county_unit_id(name) if uid is None and is_county_wide(name) else uid
            for name, uid in zip(names, _ids(ids, names), strict=True)]


def county_unit_id(name: str) -> int | None:
    """The county unit a county-wide name stands for (各县（市、区）民政局 → the first county's 民政局): a
    per-county duty keeps one county's unit as its lead, and publishing repeats it in every county."""
    if names_each_county(name):  # 各县（市、区）（人民政府）: each county itself
        return next((u.id for u in refdata.active_units() if u.level == "县级" and u.parent_id is None), None)
    kind = county_kind(name)
    if not kind:
        return None
    for unit in refdata.active_units():
        if unit.level == "县级" and unit.parent_id and (
                normalise(unit.short_name).endswith(kind) or kind in map(normalise, unit.alias_list)):
            return unit.id
    return None


def new_key(plan: Plan, position: int) -> str:
    """A stable key for a drafted duty, unique across plans (instances are keyed from it)."""
    taken = {d.key for d in plan.drafts}
    if plan.id is not None:  # nor a published duty's (one dropped from the draft must not come back under it)
        taken |= set(db.session.scalars(sa.select(Duty.key).where(Duty.plan_id == plan.id)))
    n = position + 1
    while f"p{plan.id}-{n}" in taken:
        n += 1
    return f"p{plan.id}-{n}"


def draft_fields(d: PlanDraftDuty) -> dict:
    return {"title": d.title, "clauses": list(d.clause_ids), "lead": list(d.lead), "cooperating": list(d.cooperating),
            "lead_ids": list(d.lead_ids), "cooperating_ids": list(d.cooperating_ids),
            "arranged_cooperating": [_unit_name(i) for i in d.arranged_cooperating_ids or []], "scope": d.scope,
            "deadline_text": d.deadline_text, "deadline": d.deadline, "checklist": list(d.checklist),
            "arrangement": d.arrangement}


@dataclass
class DraftEdit:
    """What the review form sends for one duty. Units are ids from the register (the names shown)."""

    title: str
    clauses: list[str]
    lead_ids: list[int]
    cooperating_ids: list[int]
    scope: str
    deadline_text: str
    deadline: date | None
    checklist: list[str]  # the 方案's steps
    arranged: list[str] = field(default_factory=list)  # the office's own steps (工作安排)
    arrangement: str = ""
    arranged_cooperating_ids: list[int] = field(default_factory=list)  # of cooperating_ids, the office's own


class DraftStale(Stale):
    """The duty was saved by someone else since the form was opened."""

    def __init__(self, message: str = "这项任务刚被他人修改，未作改动：请核对后再试。"):
        super().__init__(message)


def edit_draft(draft: PlanDraftDuty, edit: DraftEdit, actor, expected_version: int | None = None) -> None:
    """Save the review form of one drafted duty; DraftStale when it changed since the form was opened."""
    locking.check_version(draft.version, expected_version, DraftStale)
    before = draft_fields(draft)
    draft.title, draft.clause_ids, draft.scope = edit.title, edit.clauses, edit.scope
    draft.lead_ids, draft.lead = edit.lead_ids, [_unit_name(i) for i in edit.lead_ids]
    draft.cooperating_ids, draft.cooperating = edit.cooperating_ids, [_unit_name(i) for i in edit.cooperating_ids]
    draft.arranged_cooperating_ids = [i for i in edit.arranged_cooperating_ids if i in edit.cooperating_ids]
    draft.deadline_text, draft.deadline = edit.deadline_text, edit.deadline
    draft.checklist = list(edit.checklist) + [ARRANGED_PREFIX + s for s in edit.arranged]
    draft.arrangement = edit.arrangement
    old, new = changed_fields(before, draft_fields(draft))
    if new:
        record("update", "plan_draft", draft.key, label=draft.title, before=old, after=new, actor=actor)
    locking.commit(DraftStale)


def _unit_name(unit_id: int) -> str:
    unit = refdata.unit(unit_id)
    return unit.name if unit else ""


def steps(draft: PlanDraftDuty) -> tuple[list[str], list[str]]:
    """The checklist split by the marking rule: (the 方案's steps, the office's 安排 steps)."""
    said, arranged = [], []
    for entry in draft.checklist:
        title, by_office = split_arranged(entry)
        (arranged if by_office else said).append(title)
    return said, arranged


def add_draft(plan: Plan, actor) -> PlanDraftDuty:
    position = max((d.position for d in plan.drafts), default=-1) + 1
    draft = PlanDraftDuty(key=new_key(plan, position), position=position, title="新增任务", clause_ids=[], lead=[],
                          cooperating=[], lead_ids=[], cooperating_ids=[], scope="city", checklist=[], sources={})
    plan.drafts.append(draft)
    record("create", "plan_draft", draft.key, label=f"{plan.title}：{draft.title}", after=draft_fields(draft), actor=actor)
    db.session.commit()
    return draft


def drop_draft(draft: PlanDraftDuty, actor) -> None:
    record("delete", "plan_draft", draft.key, label=draft.title, before=draft_fields(draft), actor=actor)
    db.session.delete(draft)
    db.session.commit()


def unmatched(names: list[str], ids: list) -> list[str]:
    """The names of one list the register does not know yet."""
    return [name for name, uid in zip(names, _ids(ids, names), strict=True) if uid is None]


def shown_units(names: list[str], ids: list, arranged: list | None = None) -> list[str]:
    """A drafted duty's units as the review page reads them: the register's name where mapped, else
    the name as the plan wrote it; those the office added (`arranged`) marked （工作安排）."""
    marked = set(arranged or ())
    return [(_unit_name(uid) if uid else name) + ("（工作安排）" if uid and uid in marked else "")
            for name, uid in zip(names, _ids(ids, names), strict=True)]


def unknown_names(plan: Plan) -> list[str]:
    """Names the drafter could not match to the register, in order of first appearance."""
    seen: dict[str, None] = {}
    for d in plan.drafts:
        for name in unmatched(d.lead, d.lead_ids) + unmatched(d.cooperating, d.cooperating_ids):
            seen.setdefault(name, None)
    return list(seen)


def map_name(plan: Plan, name: str, unit_id: int, actor) -> int:
    """Map a name the plan uses to a unit: remembered as an alias (for later drafts) and filled into
    every duty of this draft naming it. Returns how many duties changed."""
    alias = db.session.scalar(sa.select(UnitAlias).where(UnitAlias.name == name))
    if alias is None:
        db.session.add(UnitAlias(name=name, unit_id=unit_id, created_by_id=actor.id if actor else None))
        record("create", "unit_alias", name, label=f"{name} → {_unit_name(unit_id)}",
               after={"name": name, "unit": _unit_name(unit_id)}, actor=actor)
    changed = 0
    for d in plan.drafts:
        lead = _fill(d.lead, d.lead_ids, name, unit_id)
        coop = _fill(d.cooperating, d.cooperating_ids, name, unit_id)
        if lead != list(d.lead_ids) or coop != list(d.cooperating_ids):
            d.lead_ids, d.cooperating_ids = lead, coop
            changed += 1
    record("update", "plan", plan.id, label=plan.title, after={"mapped": name, "unit": _unit_name(unit_id),
                                                               "duties": changed}, actor=actor)
    db.session.commit()
    return changed


UNIT_LEVELS = {"市级": "市级单位", "县级": "县（市、区）单位", "机构": "机构"}


def create_unit(plan: Plan, name: str, level: str, parent_id: int | None, actor) -> int:
    """A unit the register lacks, made by the office for a name the plan uses (then mapped to it).
    Its code is internal and never shown; units.csv's sync never retires it. Returns its id."""
    count = db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.created_in_portal)) or 0
    unit = Unit(code=f"office-{count + 1}", name=name[:120], short_name=name[:60], level=level, parent_id=parent_id,
                aliases="", sort_order=10_000 + count, active=True, created_in_portal=True)
    while db.session.scalar(sa.select(Unit.id).where(Unit.code == unit.code)) is not None:
        count += 1
        unit.code = f"office-{count + 1}"
    db.session.add(unit)
    db.session.flush()
    record("create", "unit", unit.code, label=unit.name, after={"name": unit.name, "level": level}, actor=actor)
    map_name(plan, name, unit.id, actor)  # commits
    return unit.id


def _fill(names: list[str], ids: list, name: str, unit_id: int) -> list:
    return [unit_id if n == name and uid is None else uid for n, uid in zip(names, _ids(ids, names), strict=True)]


def clauses_of(plan: Plan) -> list[tuple[str, str | None]]:
    """(clause id, parent) in document order: the library's text when the plan has one there, else the
    tree kept when it was read."""
    if plan.doc_id:
        return [(c.id, c.parent) for c in refdata.clauses(plan.doc_id).values() if not c.retired and c.kind == "section"]
    return [(row[0], row[1]) for row in plan.clause_tree or []]


@dataclass(frozen=True)
class _Covers:
    clauses: tuple[str, ...]


def clauses_without_duty(plan: Plan, published: list | None = None) -> list[str]:
    """Task clauses with neither a duty nor a reason (as `flask portal coverage` checks the seed plan):
    the draft's duties when a draft is open, else the published ones (`published`: their clause ids,
    when the caller has them already)."""
    tree = clauses_of(plan)
    roots = [cid for cid, parent in tree if parent is None]
    if plan.drafting:
        covering = [_Covers(tuple(d.clause_ids)) for d in plan.drafts]
    else:
        if published is None:
            published = list(db.session.scalars(sa.select(Duty.clause_ids).where(Duty.plan_id == plan.id,
                                                                                  ~Duty.archived)))
        covering = [_Covers(tuple(ids or ())) for ids in published]
    reasons = [_Covers((cid,)) for cid in (plan.no_duty or {})]
    return duties_refs.uncovered_clauses(tree, covering, reasons, roots=roots)


def set_no_duty(plan: Plan, clause_id: str, reason: str, actor) -> None:
    """Record (or, with an empty reason, withdraw) why a clause needs no duty. Two reviewers giving
    reasons for different clauses at once both keep theirs: a save that lost the race is made again on
    the plan as it now is."""
    plan_id = plan.id
    for _attempt in range(3):
        _set_no_duty(plan, clause_id, reason, actor)
        if commit_plan_change() is None:
            return
        plan = db.session.get(Plan, plan_id)


def _set_no_duty(plan: Plan, clause_id: str, reason: str, actor) -> None:
    before = dict(plan.no_duty or {})
    after = dict(before)
    if reason:
        after[clause_id] = reason
    else:
        after.pop(clause_id, None)
    plan.no_duty = after
    old, new = changed_fields({"no_duty": before}, {"no_duty": after})
    record("update", "plan", plan.id, label=plan.title, before=old, after=new, actor=actor)
