"""The 方案 clauses a duty cites, as last synced into the policy library."""
from __future__ import annotations

import sqlalchemy as sa

from portal import refdata
from portal.core.time import today
from portal.duties.counts import checklist_counts_subquery
from portal.duties.ledger import view_of
from portal.extensions import db
from portal.models import Duty, DutyInstance, Unit

# ---- the clause ↔ duty link (clause pages and the document's 本条产生的任务) --------------------------

def _live_instances(duty_ids=None) -> sa.Select:
    """Live instances of live duties with their duty and unit, and their live checklist counted
    (`done`, `total`): one statement."""
    counts = checklist_counts_subquery()
    stmt = (sa.select(DutyInstance, counts.c.done, counts.c.total).join(Duty)
            .join(Unit, DutyInstance.unit_id == Unit.id).outerjoin(counts, counts.c.iid == DutyInstance.id)
            .where(~DutyInstance.archived, ~Duty.archived)
            .options(sa.orm.contains_eager(DutyInstance.duty), sa.orm.contains_eager(DutyInstance.unit),
                     sa.orm.lazyload(DutyInstance.items), sa.orm.lazyload(DutyInstance.cooperators)))
    return stmt if duty_ids is None else stmt.where(DutyInstance.duty_id.in_(duty_ids))


def instances_for_clause(doc_id: str, clause_id: str) -> list:
    """Duty instances created by a clause or by a finer anchor under it (the clause ↔ duty link)."""
    of_document = refdata.plans_of_document(doc_id)  # 74号's, or another plan's text in the library
    if not of_document:
        return []
    wanted = [d.id for d in refdata.duties() if not d.archived and d.plan_id in of_document
              and any(c == clause_id or c.startswith(clause_id + ".") for c in d.clause_ids)]
    if not wanted:
        return []
    on = today()
    rows = db.session.execute(_live_instances(wanted).order_by(Duty.position, Duty.id, Unit.sort_order,
                                                               DutyInstance.id)).all()
    return [view_of(inst, on, (int(done or 0), int(total or 0))) for inst, done, total in rows]


def instances_by_clause(doc_id: str) -> dict[str, dict[str, int]]:
    """For each section clause id: how many duty instances it (or an anchor under it) created, by light."""
    of_document = refdata.plans_of_document(doc_id)
    if not of_document:
        return {}
    summary: dict[str, dict[str, int]] = {}
    on = today()
    for inst, done, total in db.session.execute(_live_instances().where(Duty.plan_id.in_(of_document))):
        lit = view_of(inst, on, (int(done or 0), int(total or 0))).light
        sections = set()
        for cid in inst.duty.clause_ids:
            parts = cid.split(".")
            sections.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
        for sid in sections:
            by_light = summary.setdefault(sid, {})
            by_light[lit] = by_light.get(lit, 0) + 1
    return summary
