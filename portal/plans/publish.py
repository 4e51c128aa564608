"""Publishing a reviewed draft: its duties become the plan's duty definitions and instances, by stable
key, through the same rule `flask portal sync` uses (portal.duties.sync.apply_specs): created, updated
or archived, never deleted, every change audited. Also opening the next version of a published plan."""
from __future__ import annotations

import sqlalchemy as sa

from portal import refdata
from portal.audit.services import record
from portal.content.duties_file import COUNTY, DutySpec
from portal.content.problems import Problem
from portal.core import duty_rules
from portal.core.plan import PLAN_ID
from portal.duties.sync import apply_specs
from portal.extensions import db
from portal.models import Duty, Plan, PlanDraftDuty
from portal.plans import drafts
from portal.plans.services import commit_plan_change
from portal.units.services import SyncReport


def publish(plan: Plan, actor) -> list[str]:
    """Publish the plan's open draft; the reasons it cannot be (in Chinese), else []."""
    if not plan.drafting:
        return ["该方案没有待发布的草稿。"]
    problems = _check(plan)
    if problems:
        return problems
    kept = {d.key: d for d in db.session.scalars(sa.select(Duty).where(Duty.plan_id == plan.id))}
    specs = [spec_of(d, position, kept.get(d.key)) for position, d in enumerate(plan.drafts)]
    report = SyncReport()
    failed = apply_specs(plan, specs, report, lambda spec: Problem(plan.title, spec.line, ""), actor=actor)
    if failed:
        db.session.rollback()
        return [f"第{p.line}项任务：{p.reason}" for p in failed]
    before = {"state": plan.state, "version": plan.version}
    plan.state, plan.version, plan.drafting = "published", plan.version + 1, False
    plan.drafts.clear()  # the published duties now hold what the draft said (each change audited above)
    record("publish", "plan", plan.id, label=plan.title, before=before,
           after={"state": plan.state, "version": plan.version, "created": len(report.created),
                  "updated": len(report.updated), "archived_count": len(report.retired)}, actor=actor)
    changed = commit_plan_change()
    return [changed] if changed else []


def _check(plan: Plan) -> list[str]:
    problems = []
    unknown = drafts.unknown_names(plan)
    if unknown:
        problems.append("尚有单位名称未对应到单位：" + "、".join(unknown) + "。请先在「单位名称」中逐一对应。")
    counties = _counties()
    for position, d in enumerate(plan.drafts, start=1):
        if not d.lead_ids:
            problems.append(f"第{position}项任务「{d.title}」没有牵头单位。")
        elif d.scope == "per-county":
            missing = [c.name for c in counties if refdata.unit_by_code(_county_code(d.lead_ids[0], c.code)) is None]
            if missing:
                problems.append(f"第{position}项任务「{d.title}」的牵头单位在{'、'.join(missing)}没有对应单位。")
    # Coverage gaps do not block: which clauses are tasks is the office's judgement, and the review page
    # and the plan's page keep showing them until each has a duty or a reason.
    return problems


def _counties():
    return [u for u in refdata.active_units() if u.level == "县级" and u.parent_id is None]


def _template(unit_id: int) -> str:
    """A per-county duty's unit as the 任务分工表 writes it: `{county}-mz` for 民政部门 in each county.
    A county's own unit gives its code's suffix; a city unit the suffix of the county units sharing one
    of its aliases (市民政局 and 盐湖区民政局 are both 民政部门); otherwise the county itself."""
    unit = refdata.unit(unit_id)
    if unit is None:
        return COUNTY
    parent = refdata.unit(unit.parent_id) if unit.parent_id else None
    if unit.level == "县级" and parent is None:
        return COUNTY
    if parent is not None and parent.level == "县级" and parent.parent_id is None and unit.code.startswith(parent.code):
        return COUNTY + unit.code[len(parent.code):]
    aliases = set(unit.alias_list)
    for other in refdata.active_units():
        county = refdata.unit(other.parent_id) if other.parent_id else None
        if county is not None and county.level == "县级" and aliases & set(other.alias_list) \
                and other.code.startswith(county.code):
            return COUNTY + other.code[len(county.code):]
    return COUNTY


def _county_code(unit_id: int, county: str) -> str:
    return _template(unit_id).replace(COUNTY, county)


def spec_of(d: PlanDraftDuty, position: int, published: Duty | None = None) -> DutySpec:
    """A reviewed draft duty as the 任务分工表's row (unit codes; `{county}` in a per-county duty). What
    the review page does not edit (task area, start, a periodic schedule, reported figures) is kept from
    the `published` duty of the same key; a dateless 完成时限 naming a period (「每年」) makes it periodic."""
    arranged_ids = set(d.arranged_cooperating_ids or ())
    if d.scope == "per-county":
        scope, lead = "per-county", (_template(d.lead_ids[0]),)

        def code(u: int) -> str:
            return _template(u) if _is_county_unit(u) else _code(u)
    else:
        scope, code = "city" if len(d.lead_ids) == 1 else "per-unit", _code
        lead = tuple(_code(u) for u in d.lead_ids)
    cooperating = tuple(code(u) for u in d.cooperating_ids)
    arranged = tuple(dict.fromkeys(code(u) for u in d.cooperating_ids if u in arranged_ids))
    kept = published is not None and published.deadline_kind == "periodic"
    named = None if d.deadline else duty_rules.period_named(d.deadline_text)  # 「每年」: a new periodic duty
    periodic = kept or bool(named)
    return DutySpec(
        line=position + 1, key=d.key, title=d.title, clauses=tuple(d.clause_ids), lead=lead,
        cooperating=tuple(c for c in dict.fromkeys(cooperating) if c not in lead), scope=scope,
        theme=published.theme if published else "", start=published.start if published else None,
        deadline_kind="periodic" if periodic else "date" if d.deadline else "none", deadline=d.deadline,
        period=(published.period or None) if kept else named, deadline_text=d.deadline_text,
        checklist=tuple(d.checklist), note=d.quote, arrangement=d.arrangement,
        arranged_cooperating=tuple(c for c in arranged if c not in lead),
        indicators=tuple(tuple(i) for i in (published.indicators or ())) if published else ())


def _code(unit_id: int) -> str:
    unit = refdata.unit(unit_id)
    return unit.code if unit else ""


def _is_county_unit(unit_id: int) -> bool:
    unit = refdata.unit(unit_id)
    return unit is not None and unit.level == "县级"


def open_next_version(plan: Plan, actor) -> str | None:
    """Start the next version of a published plan: its live duties copied into a draft to edit (the
    published duties keep running until the draft is published). A message when it cannot be."""
    if plan.state != "published":
        return "只有已发布的方案可以修订。"
    if plan.doc_id == PLAN_ID:
        # Plan one's decomposition is the reviewed seed in content/duties.txt: `flask portal sync` loads it,
        # and would overwrite what a portal revision published.
        return "本方案的任务分工由随门户发布的任务分工表维护，不在此修订。"
    if plan.drafting:
        return "该方案已有待发布的草稿。"
    duties = db.session.query(Duty).filter(Duty.plan_id == plan.id, ~Duty.archived).order_by(Duty.position).all()
    for position, duty in enumerate(duties):
        plan.drafts.append(_draft_of(duty, position))
    plan.drafting = True
    record("revise", "plan", plan.id, label=plan.title, after={"version": plan.version + 1, "drafts": len(duties)},
           actor=actor)
    return commit_plan_change()


def _draft_of(duty: Duty, position: int) -> PlanDraftDuty:
    live = [i for i in duty.instances if not i.archived]
    first = live[0] if live else None
    lead_ids = sorted({i.unit_id for i in live}) if duty.scope == "per-unit" else ([first.unit_id] if first else [])
    coop_ids = sorted(first.cooperating_unit_ids) if first else []
    arranged_ids = sorted(c.unit_id for c in first.cooperators if c.arranged) if first else []
    checklist = [("安排：" if item.arranged else "") + item.title for item in (first.active_items if first else [])]
    return PlanDraftDuty(
        key=duty.key, position=position, clause_ids=list(duty.clause_ids or []), title=duty.title,
        lead=[drafts._unit_name(u) for u in lead_ids], cooperating=[drafts._unit_name(u) for u in coop_ids],
        lead_ids=lead_ids, cooperating_ids=coop_ids, arranged_cooperating_ids=arranged_ids,
        scope="per-county" if duty.scope == "per-county" else "city",
        deadline_text=duty.deadline_text, deadline=duty.deadline, quote=duty.note, checklist=checklist,
        arrangement=duty.arrangement or "", sources={})
