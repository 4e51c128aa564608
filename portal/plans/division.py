"""A plan's 任务分工表 round trip: its decomposition (the published duties, or the open draft) written as
the table offices exchange (portal.duties.division, one home for the format), and an edited table read
back (portal.plan_text.division_table) into the plan's open draft. A table with any problem changes
nothing; otherwise each row updates the drafted duty of the same title (else the only one citing the same
clauses), rows matching none are added, and drafted duties the table no longer lists are dropped."""
from __future__ import annotations

from dataclasses import dataclass, field

from portal import locking, refdata
from portal.audit.services import changed_fields, record
from portal.content.duties_file import deadline_text_arranged
from portal.core.refusals import Stale
from portal.duties.division import division_rows, draft_division_rows
from portal.duties.exports import duty_table_duties
from portal.models import Plan, PlanDraftDuty
from portal.plan_text.division_table import read_division_table
from portal.plan_text.drafting import MAX_STEPS, quoted_steps
from portal.plan_text.model import DraftDuty, Problem
from portal.plan_text.units import is_county_wide
from portal.plans import drafts, publish

SUFFIXES = (".xlsx", ".docx")
MAX_BYTES = 5 * 1024 * 1024
COMPARED = ("title", "clauses", "lead", "cooperating", "arranged_cooperating", "scope", "deadline_kind", "deadline")
ARRANGED_DEADLINE_WORDS = "（督查室工作安排）"  # a 完成时限 the table marks as the office's (deadline_text_arranged)


def rows_for(plan: Plan, draft: bool) -> list[list]:
    """The table's rows: the open draft's (``draft``), else the published duties'."""
    if draft:
        return draft_division_rows(plan.drafts)
    return division_rows(duty_table_duties(plan.id))


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0


class ImportStale(Stale):
    """A drafted duty was saved by someone else while the table was read in."""

    def __init__(self, message: str = "导入期间有任务被他人修改，未导入任何内容，请刷新后重试。"):
        super().__init__(message)


def import_table(plan: Plan, filename: str, data: bytes, actor) -> ImportReport:
    """Read an edited 任务分工表 into the plan's open draft (see the module's rule)."""
    rows, problems = read_division_table(filename, drafts.unit_names(), name=filename, data=data)
    report = ImportReport(problems=list(problems))
    if not rows and not problems:
        report.problems.append(Problem(filename, 0, "表格中没有任务"))
    known = {cid for cid, _ in drafts.clauses_of(plan)}
    candidates = []
    for row in rows:
        candidate = _candidate(row, known, filename, report.problems)
        candidates.append(candidate)
    if report.problems:
        return report
    _merge(plan, candidates, report, actor)
    return report


def _candidate(row: DraftDuty, known: set[str], filename: str, problems: list[Problem]) -> PlanDraftDuty:
    """A row as the drafted duty it asks for (not stored); what it cannot be, a problem of its row."""
    per_county = row.scope == "county"

    def resolve(names: list[str], ids: list) -> list:
        out = []
        for i, name in enumerate(names):
            uid = ids[i] if i < len(ids) else None
            if uid is None and is_county_wide(name):
                uid = drafts.county_unit_id(name)
                if uid is None:
                    problems.append(Problem(filename, row.line, f"单位名册中没有“{name}”这类县级单位"))
            out.append(uid)
        return out

    unknown = [c for c in row.clauses if c not in known]
    if unknown:
        problems.append(Problem(filename, row.line, "方案中没有来源条款 " + "、".join(unknown)))
    lead_ids = resolve(row.lead, row.lead_ids)
    resolved = resolve(row.cooperating, row.cooperating_ids)
    coop_ids = [u for u in resolved if u not in lead_ids]
    marked = set(row.arranged_cooperating)  # 「（督查室安排）」: the office's, not the 方案's
    arranged = [u for name, u in zip(row.cooperating, resolved, strict=True) if name in marked and u in coop_ids]
    deadline_text = row.deadline_text
    if row.deadline_arranged and not deadline_text_arranged(deadline_text):
        deadline_text += ARRANGED_DEADLINE_WORDS  # the office's choice stays marked as its 工作安排
    return PlanDraftDuty(
        title=row.title[:120], clause_ids=list(row.clauses), lead=[drafts._unit_name(u) for u in lead_ids if u],
        lead_ids=[u for u in lead_ids if u], cooperating=[drafts._unit_name(u) for u in coop_ids if u],
        cooperating_ids=[u for u in coop_ids if u], arranged_cooperating_ids=list(dict.fromkeys(arranged)),
        scope="per-county" if per_county else "city", deadline=row.deadline, deadline_text=deadline_text[:200],
        quote="", checklist=[], arrangement="", sources={})


def _compared(d: PlanDraftDuty) -> dict:
    """What the table says of a duty, as publishing would write it (unit codes; a per-county duty's unit
    by kind), so one county's unit and another's of the same kind compare equal."""
    if d.scope == "per-county" and not d.lead_ids:
        return {"title": d.title, "lead": ()}
    spec = publish.spec_of(d, 0)
    got = {k: getattr(spec, k) for k in COMPARED}
    for k in ("cooperating", "arranged_cooperating"):  # a set: the table and the portal may list them apart
        got[k] = tuple(sorted(got[k]))
    return got


def _match(plan: Plan, candidates: list[PlanDraftDuty]) -> list[PlanDraftDuty | None]:
    """Each row's drafted duty: the one of the same title; failing that the only one left citing the
    same clauses (a renamed duty); else None (a new duty)."""
    free = list(plan.drafts)
    found: list[PlanDraftDuty | None] = []
    for c in candidates:
        match = next((d for d in free if d.title == c.title), None)
        if match is not None:
            free.remove(match)
        found.append(match)
    for n, c in enumerate(candidates):
        if found[n] is None and c.clause_ids:
            same = [d for d in free if sorted(d.clause_ids) == sorted(c.clause_ids)]
            if len(same) == 1:
                found[n] = same[0]
                free.remove(same[0])
    return found


def _merge(plan: Plan, candidates: list[PlanDraftDuty], report: ImportReport, actor) -> None:
    matched = _match(plan, candidates)
    kept = {id(d) for d in matched if d is not None}
    gone = [d for d in plan.drafts if id(d) not in kept]
    for c, d in zip(candidates, matched, strict=True):
        if d is None:
            _add(plan, c, actor)
            report.added.append(c.title)
        elif _compared(c) == _compared(d):
            report.unchanged += 1
        else:
            _update(d, c, actor)
            report.updated.append(c.title)
    for d in gone:
        record("delete", "plan_draft", d.key, label=d.title, before=drafts.draft_fields(d), actor=actor)
        plan.drafts.remove(d)
        report.dropped.append(d.title)
    for n, (c, d) in enumerate(zip(candidates, matched, strict=True)):
        (d or c).position = n  # the table's order
    record("update", "plan", plan.id, label=plan.title, actor=actor, after={
        "division_import": {"updated": len(report.updated), "added": len(report.added),
                            "dropped": len(report.dropped), "unchanged": report.unchanged}})
    locking.commit(ImportStale)


def _update(d: PlanDraftDuty, c: PlanDraftDuty, actor) -> None:
    before = drafts.draft_fields(d)
    d.title, d.clause_ids, d.scope = c.title, c.clause_ids, c.scope
    d.lead, d.lead_ids, d.cooperating, d.cooperating_ids = c.lead, c.lead_ids, c.cooperating, c.cooperating_ids
    d.arranged_cooperating_ids = c.arranged_cooperating_ids
    if d.deadline != c.deadline or (d.deadline is None and c.deadline is None and not d.deadline_text):
        d.deadline, d.deadline_text = c.deadline, c.deadline_text
    old, new = changed_fields(before, drafts.draft_fields(d))
    if new:
        record("update", "plan_draft", d.key, label=d.title, before=old, after=new, actor=actor)


def _clause_texts(plan: Plan, clause_ids: list[str]) -> list[str]:
    """The plan's own words of these clauses (the library's text, else the text kept with the plan)."""
    if plan.doc_id:
        texts = {cid: c.text for cid, c in refdata.clauses(plan.doc_id).items()}
    else:
        texts = {row[0]: row[4] for row in plan.clause_tree or [] if len(row) > 4}
    return [texts[cid] for cid in clause_ids if texts.get(cid)]


def _add(plan: Plan, c: PlanDraftDuty, actor) -> None:
    position = max((d.position for d in plan.drafts), default=-1) + 1
    c.key, c.position = drafts.new_key(plan, position), position
    texts = _clause_texts(plan, c.clause_ids)
    c.quote = c.quote or "\n".join(texts)  # a new row quotes the clauses it cites
    # and takes its checklist from them as the drafter does for a plan's text (one rule: quoted_steps)
    c.checklist = c.checklist or [s for t in texts for s in quoted_steps(t)][:MAX_STEPS]
    plan.drafts.append(c)
    record("create", "plan_draft", c.key, label=f"{plan.title}：{c.title}", after=drafts.draft_fields(c), actor=actor)
