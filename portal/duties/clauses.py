"""The 方案 clauses a duty cites, as last synced into the policy library."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal.content.policy_doc import label_for
from portal.extensions import db
from portal.models import PolicyClause, PolicyDocument
from portal.plan import PLAN_ID



@dataclass(frozen=True)
class ClauseRef:
    doc_id: str
    id: str
    label: str
    text: str


def clause_texts(clause_ids: list[str], doc_id: str = PLAN_ID) -> list[ClauseRef]:
    rows = db.session.execute(
        sa.select(PolicyClause.clause_id, PolicyClause.label, PolicyClause.text)
        .join(PolicyDocument).where(PolicyDocument.doc_id == doc_id, PolicyClause.clause_id.in_(clause_ids))
    ).all()
    found = {r.clause_id: ClauseRef(doc_id, r.clause_id, r.label, r.text) for r in rows}
    return [found.get(cid) or ClauseRef(doc_id, cid, label_for(cid), "") for cid in clause_ids]
