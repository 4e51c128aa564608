"""Load content/duties.txt (the 任务分工表) into duties and per-unit instances.

All or nothing: a file with any problem changes nothing. Duties are matched by key, instances
by instance key, checklist items by title; whatever disappears from the file is archived with
its history, never deleted.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from portal.audit.services import changed_fields, record
from portal.content import duties_file, duties_refs
from portal.content.policy_doc import read_document
from portal.content.problems import Problem, shown_path
from portal.content.quotes import quoted_from
from portal.content.units_file import parse_units
from portal.core.plan import PLAN_FILE, PLAN_ID, PLAN_NUMBER
from portal.extensions import db
from portal.models import ChecklistItem, Duty, DutyCooperator, DutyInstance, Plan, Unit
from portal.units.services import SyncReport

DUTIES_FILE = "duties.txt"
# Plan one as its 方案 names itself (content/policy/yunmin-2021-74.md); migration 0020_plans writes the same.
SEED_TITLE = "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案"
SEED_ISSUER = "运城市民政局等13个部门"
SEED_ISSUED = date(2021, 12, 30)


def load_duty_table(content_dir: Path, display_root: Path | None = None):
    """Parse and fully validate the duties file; returns (duties, no_duties, clauses, problems)."""
    path = Path(content_dir) / DUTIES_FILE
    shown = shown_path(path, display_root)
    if not path.exists():
        return [], [], [], [Problem(shown, 1, "file not found")]
    duties, no_duties, problems = duties_file.parse_duties(path.read_bytes(), shown)
    units, unit_problems = parse_units((Path(content_dir) / "units.csv").read_bytes(), "units.csv")
    plan = read_document(Path(content_dir) / PLAN_FILE)
    clauses = [(c.id, c.parent) for c in plan.clauses]
    problems += unit_problems
    if not problems:
        county_codes = county_codes_of(units)
        problems += duties_refs.validate_references(
            duties, no_duties, shown, {u.code for u in units}, county_codes, {c for c, _ in clauses})
    return duties, no_duties, clauses, problems


def county_codes_of(units) -> list[str]:
    return [u.code for u in units if u.level == "县级" and not u.parent]


def clause_coverage_gaps(content_dir: Path) -> tuple[list[str], list[Problem]]:
    duties, no_duties, clauses, problems = load_duty_table(content_dir)
    if problems:
        return [], problems
    return duties_refs.uncovered_clauses(clauses, duties, no_duties), []


def seed_plan() -> Plan:
    """Plan one, 运民发〔2021〕74号, whose duties content/duties.txt holds (migration 0020_plans creates it
    on an upgraded database; a database made by create_all gets it at its first sync)."""
    plan = db.session.scalar(sa.select(Plan).where(Plan.doc_id == PLAN_ID))
    if plan is None:
        plan = Plan(title=SEED_TITLE, number=PLAN_NUMBER, issuer=SEED_ISSUER, issued=SEED_ISSUED, state="published",
                    doc_id=PLAN_ID, version=1)
        db.session.add(plan)
        db.session.flush()
        record("create", "plan", plan.id, label=plan.title, after={"number": plan.number, "state": plan.state},
               actor_name="sync")
    return plan


def sync_duties(content_dir: Path, display_root: Path | None = None) -> SyncReport:
    report = SyncReport()
    duties, _, _, problems = load_duty_table(content_dir, display_root)
    if problems:
        report.problems = problems
        return report
    shown = shown_path(Path(content_dir) / DUTIES_FILE, display_root)
    plan = seed_plan()
    if plan.state == "archived":
        return report  # archived in the portal: its duties stay archived (the file would bring them back)
    report.problems = apply_specs(plan, duties, report, lambda spec: Problem(shown, spec.line, ""))
    if not report.problems:
        db.session.commit()
    return report


def apply_specs(plan: Plan, duties, report: SyncReport, problem_at, actor=None) -> list[Problem]:
    """Make `plan`'s duties and instances what `duties` (DutySpecs, unit codes) say: create, update,
    archive by stable key, never delete. The one home of this rule: `flask portal sync` (the seed plan
    from content/duties.txt) and publishing a reviewed draft (portal.plans.publish) both call it.
    Only this plan's duties are retired. Returns problems (nothing is changed then); the caller commits.
    `problem_at(spec)` gives a Problem placed at that spec, whose reason is filled in here."""
    who = {"actor": actor} if actor is not None else {"actor_name": "sync"}
    units = {u.code: u for u in db.session.scalars(sa.select(Unit)) if u.active}
    counties = [u.code for u in units.values() if u.level == "县级" and u.parent is None]
    existing = {d.key: d for d in db.session.scalars(sa.select(Duty))}
    problems = _spec_problems(plan, duties, existing, units, counties, problem_at)
    if problems:
        return problems
    instances = {i.key: i for i in db.session.scalars(sa.select(DutyInstance))}
    seen_duties, seen_instances = set(), set()
    touched: list[tuple[DutyInstance, dict | None]] = []
    for position, spec in enumerate(duties):
        duty = _write_duty(plan, spec, position, existing.get(spec.key), report, who)
        seen_duties.add(spec.key)
        for inst_spec in duties_refs.expand(spec, counties):
            seen_instances.add(inst_spec.key)
            touched.append(_sync_instance(duty, spec, inst_spec, instances, units))
    _audit_instances(touched, who)
    _retire(plan, existing, instances, seen_duties, seen_instances, report, who)
    return []


def _spec_problems(plan: Plan, duties, existing: dict, units: dict, counties: list[str], problem_at
                   ) -> list[Problem]:
    """A duty key another plan owns, a unit not loaded: apply_specs changes nothing then."""
    problems = []
    for spec in duties:
        owner = existing.get(spec.key)
        if owner is not None and owner.plan_id != plan.id:
            problems.append(_at(problem_at(spec), f"duty key {spec.key} belongs to another plan"))
        for inst_spec in duties_refs.expand(spec, counties):
            missing = [c for c in (inst_spec.lead_unit, *inst_spec.cooperating) if c not in units]
            if missing:
                problems.append(_at(problem_at(spec), f"unit {', '.join(missing)} is not loaded; sync units first"))
    return problems


def _write_duty(plan: Plan, spec, position: int, duty: Duty | None, report: SyncReport, who: dict) -> Duty:
    """Create or update one duty from its spec, audited and counted in the report."""
    before = _duty_fields(duty) if duty else None
    if duty is None:
        duty = Duty(key=spec.key, plan=plan)
        db.session.add(duty)
    duty.title, duty.clause_ids, duty.scope, duty.theme = spec.title, list(spec.clauses), spec.scope, spec.theme
    duty.start, duty.deadline_kind, duty.deadline = spec.start, spec.deadline_kind, spec.deadline
    duty.period, duty.deadline_text, duty.note = spec.period or "", spec.deadline_text, spec.note
    duty.arrangement = spec.arrangement
    duty.indicators = [list(i) for i in spec.indicators]
    duty.position, duty.archived = position, False
    after = _duty_fields(duty)
    if before is None:
        report.created.append(spec.key)
        record("create", "duty", spec.key, label=spec.title, after=after, **who)
    elif before != after:
        report.updated.append(spec.key)
        old, new = changed_fields(before, after)
        record("update", "duty", spec.key, label=spec.title, before=old, after=new, **who)
    return duty


def _retire(plan: Plan, existing: dict, instances: dict, seen_duties: set, seen_instances: set,
            report: SyncReport, who: dict) -> None:
    """Archive this plan's duties and instances the specs no longer name."""
    for key, duty in existing.items():
        if duty.plan_id == plan.id and key not in seen_duties and not duty.archived:
            duty.archived = True
            report.retired.append(key)
            record("archive", "duty", key, label=duty.title, after={"archived": True}, **who)
    for key, inst in instances.items():
        if inst.duty.plan_id == plan.id and key not in seen_instances and not inst.archived:
            inst.archived = True
            record("archive", "duty_instance", inst.id, label=key, after={"archived": True}, **who)


def _at(problem: Problem, reason: str) -> Problem:
    return Problem(problem.file, problem.line, reason)


def _duty_fields(duty: Duty) -> dict:
    return {
        "title": duty.title, "clauses": list(duty.clause_ids or []), "scope": duty.scope, "theme": duty.theme,
        "start": duty.start, "deadline": duty.deadline, "deadline_kind": duty.deadline_kind,
        "deadline_text": duty.deadline_text, "note": duty.note, "arrangement": duty.arrangement or "",
        "archived": duty.archived,
        "indicators": [list(i) for i in duty.indicators or []],
    }


def _instance_fields(inst: DutyInstance) -> dict:
    return {
        "unit": inst.unit.code if inst.unit else "",
        "deadline": inst.deadline,
        "original_deadline": inst.original_deadline,
        "cooperators": sorted(c.unit.code for c in inst.cooperators if c.unit),
        "arranged_cooperators": sorted(c.unit.code for c in inst.cooperators if c.unit and c.arranged),
        "checklist": [i.title for i in inst.items if not i.archived],
        "archived": inst.archived,
    }


def _sync_instance(duty, spec, inst_spec, instances, units) -> tuple[DutyInstance, dict | None]:
    inst = instances.get(inst_spec.key)
    before = _instance_fields(inst) if inst is not None and inst.id else None
    if inst is None:
        inst = DutyInstance(key=inst_spec.key, duty=duty, original_deadline=spec.deadline, deadline=spec.deadline)
        db.session.add(inst)
        instances[inst_spec.key] = inst
    elif inst.original_deadline != spec.deadline:
        # The file's deadline changed: an approved extension keeps its later date.
        extended = inst.deadline != inst.original_deadline
        inst.original_deadline = spec.deadline
        if not extended:
            inst.deadline = spec.deadline
    inst.duty = duty
    inst.unit = units[inst_spec.lead_unit]
    inst.county = inst_spec.county or ""
    inst.archived = False
    wanted = [units[c].id for c in inst_spec.cooperating if c in units]
    have = {c.unit_id: c for c in inst.cooperators}
    inst.cooperators = [have.get(uid) or DutyCooperator(unit_id=uid) for uid in dict.fromkeys(wanted)]
    arranged = {units[c].id for c in inst_spec.arranged_cooperating if c in units}
    for cooperator in inst.cooperators:
        cooperator.arranged = cooperator.unit_id in arranged
    _sync_checklist(inst, spec.checklist)
    return inst, before


def _sync_checklist(inst: DutyInstance, checklist) -> None:
    """Items by title; a step reworded to quote more of its clause (the old title cut from the new one,
    e.g. 设立医疗科室 → 鼓励支持设立医疗科室) keeps its item, so its tick and who ticked stay."""
    by_title = {i.title: i for i in inst.items}
    entries = [duties_file.split_arranged(entry) for entry in checklist]
    wanted = {title for title, _ in entries}
    leftovers = [i for i in inst.items if i.title not in wanted and not i.archived]
    for position, (title, arranged) in enumerate(entries):
        item = by_title.pop(title, None)
        if item is None:
            item = next((i for i in leftovers if quoted_from(i.title, title)), None)
            if item is not None:
                leftovers.remove(item)
                by_title.pop(item.title, None)
                item.title = title
        if item is None:
            item = ChecklistItem(title=title)
            inst.items.append(item)
        item.position, item.archived, item.arranged = position, False, arranged
    for item in by_title.values():
        item.archived = True


def _audit_instances(touched: list[tuple[DutyInstance, dict | None]], who: dict) -> None:
    db.session.flush()  # one flush for all instances: ids for the new ones
    for inst, before in touched:
        after = _instance_fields(inst)
        if before is None:
            record("create", "duty_instance", inst.id, label=inst.key, after=after, **who)
        elif before != after:
            old, new = changed_fields(before, after)
            record("update", "duty_instance", inst.id, label=inst.key, before=old, after=new, **who)
