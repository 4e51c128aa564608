"""training_due: trained implies assigned — a standing completion without an active assignment gets one

Before this, ticking a person on a sign-in sheet (or a manual mark, or a passed quiz) of a module he was
not assigned recorded the completion only, and the matrix counted it while the city totals did not.
The services now record the assignment with the completion; this brings earlier records in line
(an ended assignment is reopened, a missing one is added, due the completion date), with an audit entry.

Revision ID: 0013_training_due
Revises: 0012_ended_sessions
Create Date: 2026-11-30 20:40:00

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_training_due'
down_revision = '0012_ended_sessions'
branch_labels = None
depends_on = None

REASON = "已完成，随之记为已安排"  # portal.core.training_rules.ASSIGNED_BY_COMPLETION

completion = sa.table('training_completion', sa.column('id', sa.Integer), sa.column('trainee_id', sa.Integer),
                      sa.column('module_id', sa.Integer), sa.column('completed_on', sa.Date),
                      sa.column('voided', sa.Boolean), sa.column('recorded_by_id', sa.Integer))
assignment = sa.table('training_assignment', sa.column('id', sa.Integer), sa.column('trainee_id', sa.Integer),
                      sa.column('module_id', sa.Integer), sa.column('cohort_id', sa.Integer),
                      sa.column('due', sa.Date), sa.column('active', sa.Boolean),
                      sa.column('assigned_by_id', sa.Integer), sa.column('assigned_at', sa.DateTime),
                      sa.column('ended_reason', sa.String), sa.column('ended_by_id', sa.Integer),
                      sa.column('ended_at', sa.DateTime))
trainee = sa.table('trainee', sa.column('id', sa.Integer), sa.column('name', sa.String))
module = sa.table('training_module', sa.column('id', sa.Integer), sa.column('title', sa.String))
audit = sa.table('audit_entry', sa.column('at', sa.DateTime), sa.column('actor_name', sa.String),
                 sa.column('actor_display', sa.String), sa.column('action', sa.String),
                 sa.column('object_type', sa.String), sa.column('object_id', sa.String),
                 sa.column('object_label', sa.String), sa.column('after', sa.JSON), sa.column('ip', sa.String))


def upgrade():
    bind = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    standing = {}
    for tid, mid, on in bind.execute(sa.select(completion.c.trainee_id, completion.c.module_id,
                                               completion.c.completed_on)
                                     .where(completion.c.voided.is_(False)).order_by(completion.c.id)):
        standing.setdefault((tid, mid), on)  # the first standing completion of the pair
    names = dict(bind.execute(sa.select(trainee.c.id, trainee.c.name)).all())
    titles = dict(bind.execute(sa.select(module.c.id, module.c.title)).all())
    rows = {(tid, mid): (aid, active) for aid, tid, mid, active in bind.execute(
        sa.select(assignment.c.id, assignment.c.trainee_id, assignment.c.module_id, assignment.c.active))}
    for (tid, mid), on in standing.items():
        found = rows.get((tid, mid))
        if found is not None and found[1]:
            continue
        if found is None:
            bind.execute(sa.insert(assignment).values(trainee_id=tid, module_id=mid, cohort_id=None, due=on,
                                                      active=True, assigned_by_id=None, assigned_at=now,
                                                      ended_reason=""))
        else:
            bind.execute(sa.update(assignment).where(assignment.c.id == found[0]).values(
                active=True, ended_reason="", ended_by_id=None, ended_at=None))
        bind.execute(sa.insert(audit).values(at=now, actor_name="system", actor_display="系统", action="assign",
                                             object_type="trainee", object_id=str(tid),
                                             object_label=f"{names.get(tid, '')}：{titles.get(mid, '')}"[:200],
                                             after={"due": on.isoformat(), "reason": REASON}, ip=""))


def downgrade():
    pass  # the assignments stay: they record who was trained
