"""Training modules: loaded from content/training/ (never deleted, retired when gone), read per request."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import g, has_request_context

from portal.audit.services import record
from portal.content.training_file import load_modules
from portal.core import training_rules
from portal.core.plan import PLAN_ID
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import PolicyClause, PolicyDocument, TrainingModule

# ---- modules (content/training/) -----------------------------------------------------------

@dataclass
class ModuleSyncReport:
    created: list
    updated: list
    retired: list
    problems: list

    @property
    def ok(self) -> bool:
        return not self.problems


def library_clause_check():
    """`clause_exists(doc_id, clause_id)` for one sync, as check-content decides: a 方案 clause must exist
    (and not be retired); a statute not (yet) imported is accepted. The library's documents and live
    clauses are read once (two statements), not two statements per reference (the shipped modules cite
    ~240: ~480 statements, ~0.3 s a sync; the test suite syncs them ~100 times)."""
    documents = set(db.session.scalars(sa.select(PolicyDocument.doc_id)))
    live = {(doc_id, clause_id) for doc_id, clause_id in db.session.execute(
        sa.select(PolicyDocument.doc_id, PolicyClause.clause_id).join(PolicyDocument).where(~PolicyClause.retired))}

    def exists(doc_id: str | None, clause_id: str) -> bool:
        if doc_id is not None and doc_id not in documents:
            return True
        return (doc_id or PLAN_ID, clause_id) in live

    return exists


def sync_modules(content_dir: Path, display_root: Path | None = None) -> ModuleSyncReport:
    """Load content/training/*.md through the parser; any problem loads nothing. Never deletes."""
    folder = content_dir / "training"
    if not folder.is_dir():
        return ModuleSyncReport([], [], [], [])
    specs, problems = load_modules(folder, display_root, library_clause_check())
    if problems:
        return ModuleSyncReport([], [], [], list(problems))
    return upsert_modules(specs)


def _quiz_dict(quiz) -> dict | None:
    if quiz is None:
        return None
    return {"pass_mark": quiz.pass_mark, "draw": quiz.draw, "questions": [
        {"number": q.number, "text": q.text, "multiple": q.multiple, "explanation": q.explanation,
         "options": [{"text": o.text, "correct": o.correct} for o in q.options]} for q in quiz.questions]}


def upsert_modules(specs) -> ModuleSyncReport:
    existing = {m.key: m for m in db.session.scalars(sa.select(TrainingModule))}
    report = ModuleSyncReport([], [], [], [])
    for spec in specs:
        values = dict(position=spec.order, title=spec.title, audience=[training_rules.POST_BY_LABEL[a] for a in spec.audience],
                      summary=spec.summary, duration_minutes=spec.duration_minutes, clause_ids=list(spec.clauses),
                      references=[[d, c] for d, c in spec.references], body=spec.body, quiz=_quiz_dict(spec.quiz),
                      retired=False)
        module = existing.pop(spec.module_id, None)
        if module is None:
            module = TrainingModule(key=spec.module_id, **values)
            db.session.add(module)
            report.created.append(spec.module_id)
            record("sync", "training_module", spec.module_id, label=spec.title, after={"title": spec.title},
                   actor_name="sync")
        else:
            changed = {k: v for k, v in values.items() if getattr(module, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(module, k, v)
                module.updated_at = utcnow()
                report.updated.append(spec.module_id)
                record("sync", "training_module", spec.module_id, label=spec.title,
                       after={k: v for k, v in changed.items() if k in ("title", "clause_ids", "retired")} or
                       {"title": spec.title}, actor_name="sync")
    for module in existing.values():
        if not module.retired:
            module.retired = True
            report.retired.append(module.key)
            record("retire", "training_module", module.key, label=module.title, after={"retired": True},
                   actor_name="sync")
    db.session.commit()
    return report


def live_modules() -> list[TrainingModule]:
    """The modules in use, in order; read once per request (a page's pickers and lists share it)."""
    if has_request_context() and "training_live_modules" in g:
        return list(g.training_live_modules)
    found = list(db.session.scalars(sa.select(TrainingModule).where(~TrainingModule.retired)
                                    .order_by(TrainingModule.position, TrainingModule.key)))
    if has_request_context():
        g.training_live_modules = found
    return list(found)


def get_module(key: str) -> TrainingModule | None:
    return db.session.scalar(sa.select(TrainingModule).where(TrainingModule.key == key))


def modules_for_clause(doc_id: str, clause_id: str) -> list[TrainingModule]:
    """The "相关培训" of a clause page: modules implementing it or citing it in their text."""
    out = []
    for m in live_modules():
        if (doc_id == PLAN_ID and clause_id in m.clause_ids) or any(
                (d or PLAN_ID) == doc_id and c == clause_id for d, c in m.references):
            out.append(m)
    return out
