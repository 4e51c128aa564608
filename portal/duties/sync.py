"""Load content/duties.txt (the 任务分工表) into duties and per-unit instances.

All or nothing: a file with any problem changes nothing. Duties are matched by key, instances
by instance key, checklist items by title; whatever disappears from the file is archived with
its history, never deleted.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from portal.audit.services import changed_fields, record
from portal.content import duties_file, duties_refs
from portal.content.policy_doc import read_document
from portal.content.problems import Problem, shown_path
from portal.content.units_file import parse_units
from portal.extensions import db
from portal.plan import PLAN_FILE
from portal.models import ChecklistItem, Duty, DutyCooperator, DutyInstance, Unit
from portal.units.services import SyncReport

DUTIES_FILE = "duties.txt"


def load_plan(content_dir: Path, display_root: Path | None = None):
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


def coverage_gaps(content_dir: Path) -> tuple[list[str], list[Problem]]:
    duties, no_duties, clauses, problems = load_plan(content_dir)
    if problems:
        return [], problems
    return duties_refs.uncovered_clauses(clauses, duties, no_duties), []


def sync_duties(content_dir: Path, display_root: Path | None = None) -> SyncReport:
    report = SyncReport()
    duties, _, _, problems = load_plan(content_dir, display_root)
    if problems:
        report.problems = problems
        return report
    units = {u.code: u for u in db.session.scalars(sa.select(Unit)) if u.active}
    counties = [u.code for u in units.values() if u.level == "县级" and u.parent is None]
    # The file was checked against units.csv; the database must have loaded those units too.
    shown = shown_path(Path(content_dir) / DUTIES_FILE, display_root)
    for spec in duties:
        for inst_spec in duties_refs.expand(spec, counties):
            missing = [c for c in (inst_spec.lead_unit, *inst_spec.cooperating) if c not in units]
            if missing:
                report.problems.append(Problem(shown, spec.line, f"unit {', '.join(missing)} is not loaded; sync units first"))
    if report.problems:
        return report
    existing = {d.key: d for d in db.session.scalars(sa.select(Duty))}
    instances = {i.key: i for i in db.session.scalars(sa.select(DutyInstance))}
    seen_duties, seen_instances = set(), set()
    touched: list[tuple[DutyInstance, dict | None]] = []
    for position, spec in enumerate(duties):
        duty = existing.get(spec.key)
        before = _duty_fields(duty) if duty else None
        if duty is None:
            duty = Duty(key=spec.key)
            db.session.add(duty)
        duty.title, duty.clause_ids, duty.scope, duty.area = spec.title, list(spec.clauses), spec.scope, spec.area
        duty.start, duty.deadline_kind, duty.deadline = spec.start, spec.deadline_kind, spec.deadline
        duty.period, duty.deadline_text, duty.note = spec.period or "", spec.deadline_text, spec.note
        duty.arrangement = spec.arrangement
        duty.indicators = [list(i) for i in spec.indicators]
        duty.position, duty.archived = position, False
        seen_duties.add(spec.key)
        after = _duty_fields(duty)
        if before is None:
            report.created.append(spec.key)
            record("create", "duty", spec.key, label=spec.title, after=after, actor_name="sync")
        elif before != after:
            report.updated.append(spec.key)
            old, new = changed_fields(before, after)
            record("update", "duty", spec.key, label=spec.title, before=old, after=new, actor_name="sync")
        for inst_spec in duties_refs.expand(spec, counties):
            seen_instances.add(inst_spec.key)
            touched.append(_sync_instance(duty, spec, inst_spec, instances, units))
    _audit_instances(touched)
    for key, duty in existing.items():
        if key not in seen_duties and not duty.archived:
            duty.archived = True
            report.retired.append(key)
            record("archive", "duty", key, label=duty.title, after={"archived": True}, actor_name="sync")
    for key, inst in instances.items():
        if key not in seen_instances and not inst.archived:
            inst.archived = True
            record("archive", "duty_instance", inst.id, label=key, after={"archived": True}, actor_name="sync")
    db.session.commit()
    return report


def _duty_fields(duty: Duty) -> dict:
    return {
        "title": duty.title, "clauses": list(duty.clause_ids or []), "scope": duty.scope, "area": duty.area,
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
    from portal.content.quotes import quoted_from

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


def _audit_instances(touched: list[tuple[DutyInstance, dict | None]]) -> None:
    db.session.flush()  # one flush for all instances: ids for the new ones
    for inst, before in touched:
        after = _instance_fields(inst)
        if before is None:
            record("create", "duty_instance", inst.id, label=inst.key, after=after, actor_name="sync")
        elif before != after:
            old, new = changed_fields(before, after)
            record("update", "duty_instance", inst.id, label=inst.key, before=old, after=new, actor_name="sync")
