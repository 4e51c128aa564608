"""The 方案 clauses a duty cites, as last synced into the policy library."""
from __future__ import annotations

import sqlalchemy as sa

from portal import refdata
from portal.duties.services import checklist_counts, today, view_of
from portal.extensions import db
from portal.models import Duty, DutyInstance, Unit
from portal.plan import PLAN_ID

# The cited clauses' texts: `portal.refdata.clause_texts` (kept per process, one home).
ClauseRef = refdata.ClauseRef
clause_texts = refdata.clause_texts


# ---- the clause ↔ duty link (clause pages and the document's 本条产生的任务) --------------------------

def instances_for_clause(doc_id: str, clause_id: str) -> list:
    """Duty instances created by a clause or by a finer anchor under it (the clause ↔ duty link)."""
    if doc_id != PLAN_ID:
        return []

    def cites(duty: Duty) -> bool:
        return any(c == clause_id or c.startswith(clause_id + ".") for c in duty.clause_ids)

    wanted = [d.id for d in db.session.scalars(sa.select(Duty).where(~Duty.archived)) if cites(d)]
    if not wanted:
        return []
    stmt = (sa.select(DutyInstance).join(Duty).join(Unit, DutyInstance.unit_id == Unit.id)
            .where(DutyInstance.duty_id.in_(wanted), ~DutyInstance.archived)
            .order_by(Duty.position, Duty.id, Unit.sort_order, DutyInstance.id)
            .options(sa.orm.contains_eager(DutyInstance.duty), sa.orm.contains_eager(DutyInstance.unit),
                     sa.orm.lazyload(DutyInstance.items), sa.orm.lazyload(DutyInstance.cooperators)))
    instances = db.session.scalars(stmt).all()
    counts = checklist_counts([i.id for i in instances])
    on = today()
    return [view_of(inst, on, counts.get(inst.id, (0, 0))) for inst in instances]


def instances_by_clause(doc_id: str) -> dict[str, dict[str, int]]:
    """For each section clause id: how many duty instances it (or an anchor under it) created, by light."""
    if doc_id != PLAN_ID:
        return {}
    summary: dict[str, dict[str, int]] = {}
    stmt = (sa.select(DutyInstance).join(Duty).where(~Duty.archived, ~DutyInstance.archived)
            .options(sa.orm.contains_eager(DutyInstance.duty), sa.orm.lazyload(DutyInstance.items),
                     sa.orm.lazyload(DutyInstance.cooperators)))
    instances = db.session.scalars(stmt).all()
    counts = checklist_counts([i.id for i in instances])
    on = today()
    for inst in instances:
        lit = view_of(inst, on, counts.get(inst.id, (0, 0))).light
        sections = set()
        for cid in inst.duty.clause_ids:
            parts = cid.split(".")
            sections.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
        for sid in sections:
            counts = summary.setdefault(sid, {})
            counts[lit] = counts.get(lit, 0) + 1
    return summary
