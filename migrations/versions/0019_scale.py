"""scale: the training figures' summary (training_tally) and indexes for lookups on growing tables

* training_tally: counted pairs per county, role, module and due date (portal/training/tally.py keeps
  it in step; built here from the rows).
* audit_entry (object_type, object_id, id): a duty's or a trainee's trace without scanning every
  entry of the type (replaces the index on object_type alone, its prefix).
* trainee (county_id, active, township_id, role, village_id, name): a county's people in page order.
* training_assignment (due, id): the overdue list walks the assignments by due date; county_id (the
  trainee's, copied) with (county_id, due, id): a county's overdue list walks only its own.

Revision ID: 0019_scale
Revises: 0018_roles_audit
Create Date: 2026-12-07 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_scale'
down_revision = '0018_roles_audit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'training_tally',
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=12), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('assigned', sa.Integer(), nullable=False),
        sa.Column('completed', sa.Integer(), nullable=False),
        sa.Column('started', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['county_id'], ['unit.id'], name=op.f('fk_training_tally_county_id_unit')),
        sa.ForeignKeyConstraint(['module_id'], ['training_module.id'],
                                name=op.f('fk_training_tally_module_id_training_module')),
        sa.PrimaryKeyConstraint('county_id', 'role', 'module_id', 'due', name=op.f('pk_training_tally')),
    )
    # Plain index statements (no batch mode: the audit log's append-only triggers stay as they are).
    op.drop_index('ix_audit_entry_object_type', table_name='audit_entry')
    op.create_index('ix_audit_entry_object', 'audit_entry', ['object_type', 'object_id', 'id'], unique=False)
    op.create_index('ix_trainee_place', 'trainee', ['county_id', 'active', 'township_id', 'role', 'village_id', 'name'],
                    unique=False)
    op.create_index('ix_training_assignment_due', 'training_assignment', ['due', 'id'], unique=False)
    with op.batch_alter_table('training_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
    bind = op.get_bind()
    assignment = sa.table('training_assignment', sa.column('trainee_id', sa.Integer), sa.column('county_id', sa.Integer))
    trainee = sa.table('trainee', sa.column('id', sa.Integer), sa.column('county_id', sa.Integer))
    bind.execute(sa.update(assignment).values(county_id=sa.select(trainee.c.county_id).where(
        trainee.c.id == assignment.c.trainee_id).scalar_subquery()))
    with op.batch_alter_table('training_assignment', schema=None) as batch_op:
        batch_op.alter_column('county_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_training_assignment_county_id_unit'), 'unit', ['county_id'], ['id'])
        batch_op.create_index('ix_training_assignment_county_due', ['county_id', 'due', 'id'], unique=False)
    build_tally(bind)


def build_tally(bind):
    """The summary from the rows, as `portal.training.tally.rebuild` computes it (kept here so the
    migration does not change when the application does)."""
    assignment = sa.table('training_assignment', sa.column('trainee_id', sa.Integer), sa.column('module_id', sa.Integer),
                          sa.column('due', sa.Date), sa.column('active', sa.Boolean),
                          sa.column('started_at', sa.DateTime))
    trainee = sa.table('trainee', sa.column('id', sa.Integer), sa.column('county_id', sa.Integer),
                       sa.column('role', sa.String), sa.column('active', sa.Boolean))
    completion = sa.table('training_completion', sa.column('trainee_id', sa.Integer),
                          sa.column('module_id', sa.Integer), sa.column('voided', sa.Boolean))
    tally = sa.table('training_tally', sa.column('county_id', sa.Integer), sa.column('role', sa.String),
                     sa.column('module_id', sa.Integer), sa.column('due', sa.Date),
                     sa.column('assigned', sa.Integer), sa.column('completed', sa.Integer),
                     sa.column('started', sa.Integer))
    done = (sa.select(completion.c.trainee_id.label('tid'), completion.c.module_id.label('mid'))
            .where(completion.c.voided.is_(False)).group_by(completion.c.trainee_id, completion.c.module_id).subquery())
    started = sa.case((sa.and_(assignment.c.started_at.is_not(None), done.c.tid.is_(None)), 1))
    rows = bind.execute(
        sa.select(trainee.c.county_id, trainee.c.role, assignment.c.module_id, assignment.c.due, sa.func.count(),
                  sa.func.count(done.c.tid), sa.func.count(started))
        .select_from(assignment).join(trainee, trainee.c.id == assignment.c.trainee_id)
        .outerjoin(done, sa.and_(done.c.tid == assignment.c.trainee_id, done.c.mid == assignment.c.module_id))
        .where(assignment.c.active.is_(True), trainee.c.active.is_(True))
        .group_by(trainee.c.county_id, trainee.c.role, assignment.c.module_id, assignment.c.due)).all()
    bind.execute(sa.delete(tally))
    if rows:
        bind.execute(sa.insert(tally), [{'county_id': c, 'role': r, 'module_id': m, 'due': d, 'assigned': a,
                                         'completed': n, 'started': st} for c, r, m, d, a, n, st in rows])


def downgrade():
    with op.batch_alter_table('training_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_training_assignment_county_due')
        batch_op.drop_constraint(batch_op.f('fk_training_assignment_county_id_unit'), type_='foreignkey')
        batch_op.drop_column('county_id')
    op.drop_index('ix_training_assignment_due', table_name='training_assignment')
    op.drop_index('ix_trainee_place', table_name='trainee')
    op.drop_index('ix_audit_entry_object', table_name='audit_entry')
    op.create_index('ix_audit_entry_object_type', 'audit_entry', ['object_type'], unique=False)
    op.drop_table('training_tally')
