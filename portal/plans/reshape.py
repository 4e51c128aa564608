"""Splitting one drafted duty into two (its checklist divided) and merging two into one, on a plan's
open draft. Both audited with before and after, like every other edit of a draft (portal.plans.drafts)."""
from __future__ import annotations

from portal import locking
from portal.audit.services import record
from portal.core.refusals import Refusal
from portal.extensions import db
from portal.models import Plan, PlanDraftDuty
from portal.plans.drafts import DraftStale, _ids, draft_fields, new_key


class ReshapeRefused(Refusal, ValueError):
    """Why a split or merge cannot be made (Chinese, shown beside the duty)."""


def split_draft(plan: Plan, draft: PlanDraftDuty, title: str, moved: list[int], actor,
                expected_version: int | None = None) -> PlanDraftDuty:
    """Split `draft` in two: a new duty right after it, with the same clauses, units, scope, deadline,
    quote and 工作安排, titled `title`, takes the steps at the indexes `moved`; the rest stay."""
    locking.check_version(draft.version, expected_version, DraftStale)
    steps = list(draft.checklist)
    chosen = set(moved)
    if any(i < 0 or i >= len(steps) for i in chosen):
        raise ReshapeRefused("所选工作步骤已不在这项任务中，请刷新页面后再试。")
    if steps and len(chosen) == len(steps):
        raise ReshapeRefused("请至少在原任务中保留一个工作步骤（全部移走时，请直接修改原任务）。")
    before = draft_fields(draft)
    for other in plan.drafts:
        if other.position > draft.position:
            other.position += 1
    new = PlanDraftDuty(
        key=new_key(plan, len(plan.drafts)), position=draft.position + 1, clause_ids=list(draft.clause_ids),
        title=title, lead=list(draft.lead), cooperating=list(draft.cooperating), lead_ids=list(draft.lead_ids),
        cooperating_ids=list(draft.cooperating_ids), arranged_cooperating_ids=list(draft.arranged_cooperating_ids or []),
        scope=draft.scope, deadline_text=draft.deadline_text,
        deadline=draft.deadline, quote=draft.quote, checklist=[s for i, s in enumerate(steps) if i in chosen],
        arrangement=draft.arrangement, sources=dict(draft.sources or {}))
    draft.checklist = [s for i, s in enumerate(steps) if i not in chosen]
    plan.drafts.append(new)
    record("split_draft", "plan_draft", draft.key, label=draft.title, actor=actor,
           before={"checklist": before["checklist"]},
           after={"checklist": list(draft.checklist), "new_title": title, "new_checklist": list(new.checklist)})
    record("create", "plan_draft", new.key, label=f"{plan.title}：{title}", after=draft_fields(new), actor=actor)
    locking.commit(DraftStale)
    return new


def merge_drafts(plan: Plan, draft: PlanDraftDuty, other: PlanDraftDuty, actor,
                 expected_version: int | None = None) -> None:
    """Merge `other` into `draft`: clauses, units, steps, quotes and 工作安排 joined (each once), the
    earlier deadline kept with its words; `draft` keeps its title and scope; `other` is dropped."""
    if other.id == draft.id:
        raise ReshapeRefused("请选择另一项任务合并。")
    locking.check_version(draft.version, expected_version, DraftStale)
    before, dropped = draft_fields(draft), draft_fields(other)
    # a unit the 方案 names for either duty is the 方案's; the office's own only where neither names it
    said = {u for d in (draft, other) for u in d.cooperating_ids if u and u not in (d.arranged_cooperating_ids or ())}
    office = {u for d in (draft, other) for u in (d.arranged_cooperating_ids or ())} - said
    draft.clause_ids = list(dict.fromkeys([*draft.clause_ids, *other.clause_ids]))
    draft.lead, draft.lead_ids = _union(draft.lead, draft.lead_ids, other.lead, other.lead_ids)
    coop, coop_ids = _union(draft.cooperating, draft.cooperating_ids, other.cooperating, other.cooperating_ids)
    leads = set(zip(draft.lead, draft.lead_ids, strict=True))
    kept = [(n, i) for n, i in zip(coop, coop_ids, strict=True)
            if (n, i) not in leads and (i is None or i not in draft.lead_ids)]
    draft.cooperating, draft.cooperating_ids = [n for n, _ in kept], [i for _, i in kept]
    draft.arranged_cooperating_ids = [i for i in draft.cooperating_ids if i in office]
    if other.deadline and (draft.deadline is None or other.deadline < draft.deadline):
        draft.deadline, draft.deadline_text = other.deadline, other.deadline_text
    elif not draft.deadline_text:
        draft.deadline_text = other.deadline_text
    draft.quote = _joined(draft.quote, other.quote)
    draft.checklist = list(dict.fromkeys([*draft.checklist, *other.checklist]))
    draft.arrangement = _joined(draft.arrangement, other.arrangement)
    draft.sources = {**(other.sources or {}), **(draft.sources or {})}
    record("merge_draft", "plan_draft", draft.key, label=draft.title, before=before,
           after={**draft_fields(draft), "merged": other.title}, actor=actor)
    record("delete", "plan_draft", other.key, label=other.title, before=dropped,
           after={"merged_into": draft.title}, actor=actor)
    db.session.delete(other)
    locking.commit(DraftStale)


def _union(names: list[str], ids: list, more_names: list[str], more_ids: list) -> tuple[list[str], list]:
    """Two lists of units (names as written, ids or None), each unit once: by id when known, else by name."""
    out = list(zip(names, _ids(ids, names), strict=True))
    for name, uid in zip(more_names, _ids(more_ids, more_names), strict=True):
        if not any((uid is not None and uid == i) or (uid is None and i is None and name == n) for n, i in out):
            out.append((name, uid))
    return [n for n, _ in out], [i for _, i in out]


def _joined(first: str, second: str) -> str:
    parts = [p for p in dict.fromkeys([(first or "").strip(), (second or "").strip()]) if p]
    return "\n".join(parts)
