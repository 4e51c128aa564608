"""重新安排学习: a module assigned again to the people trained on a text since changed (issue 22).

A new edition of a law changed an article a module cites (`portal.policy.affected` finds it and names
the day the edition reached the library). A trainer who opens the module sees how many of the people
they manage hold a standing completion of it dated before that day, picks a due date, and confirms:
those completions are marked superseded (kept in the person's history, no longer counted as done) and
the module is assigned to them again through `services.assign_people`, which keeps the training
summary (`portal.training.tally`) in step. Nobody is re-assigned automatically. This module knows
dates and modules only; the policy domain names the edition.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.audit.services import record
from portal.core import training_rules
from portal.core.time import today, utcnow
from portal.extensions import db
from portal.models import Completion, Trainee, TrainingModule, User
from portal.training import certificates
from portal.training import services as s
from portal.training.scope import TrainingError, can_manage, county_scope, require, scoped

REASON_LIMIT = 200


def _old_text(user: User, module: TrainingModule, before: date) -> sa.Select:
    """Ids of the active people in the user's scope whose every standing completion of the module
    is dated before `before`."""
    stmt = (sa.select(Completion.trainee_id).join(Trainee, Trainee.id == Completion.trainee_id)
            .where(Completion.module_id == module.id, certificates.counts_as_done(today()), Trainee.active)
            .group_by(Completion.trainee_id).having(sa.func.max(Completion.completed_on) < before))
    return scoped(stmt, Trainee.county_id, user)


def old_text_count(user: User, module: TrainingModule, before: date) -> int:
    """How many people `retrain` would assign the module again (shown before the trainer confirms)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(_old_text(user, module, before).subquery())) or 0


def retrain(user: User, module: TrainingModule, before: date, due: date, reason: str) -> int:
    """Assign the module again, due `due`, to the people whose standing completion of it predates
    `before`; `reason` says which edition changed what (kept on each superseded completion and in
    the audit log). Returns how many people were assigned again."""
    require(can_manage(user, county_scope(user)))  # whoever may assign training; a county's trainer: its people
    if module.retired:
        raise TrainingError("该培训模块已停用，不能再安排。")
    problem = training_rules.due_problem(due, today())
    if problem:
        raise TrainingError(problem)
    # two trainers confirming at once: one at a time, the second then finds nobody left (assign_people's lock)
    s._serialize_on(TrainingModule, module.id, "position")
    ids = list(db.session.scalars(_old_text(user, module, before)))
    if not ids:
        raise TrainingError("没有需要重新学习的人员：本模块的完成记录都在新版本导入之后。")
    people = list(db.session.scalars(sa.select(Trainee).where(Trainee.id.in_(ids)).order_by(Trainee.id)))
    now, reason = utcnow(), reason[:REASON_LIMIT]
    for c in db.session.scalars(sa.select(Completion).where(
            Completion.module_id == module.id, Completion.trainee_id.in_(ids), Completion.completed_on < before,
            Completion.superseded_at.is_(None), ~Completion.voided)):
        c.superseded_at, c.superseded_reason = now, reason
    db.session.flush()  # the summary's flush hook counts them as not done
    record("retrain", "training_module", module.key, label=module.title,
           after={"reason": reason, "due": due, "assigned": len(people),
                  "trainees": [t.name for t in people][:50]}, actor=user)
    s.assign_people(user, module, people, due)  # the assignments, their audit entry and the commit
    return len(people)
