"""courses: 课程 (a set of modules for one audience at a tier) and their 结业证书

A certificate now names a module's completion or a course (the completions it was issued on), so its
completion and module become optional; SQLite rebuilds the table inside `_sqlite_rebuild` (foreign
keys off around it, as in 0024_plans and 0025_periods).

Revision ID: 0028_courses
Revises: 0026_library
Create Date: 2026-12-07 08:00:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_courses'
down_revision = '0027_jiaoban'
branch_labels = None
depends_on = None


@contextmanager
def _sqlite_rebuild(bind):
    """As in 0025_periods: SQLite rebuilds a table to change a column; with foreign keys enforced, the
    rebuild would delete or refuse the rows that refer to it. Enforcement off around it, the references
    checked after. Other databases: nothing to do."""
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
    finally:
        if raw.in_transaction:
            raw.commit()
        raw.execute("PRAGMA foreign_keys=ON")


def upgrade():
    op.create_table(
        'training_course',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=60), nullable=False),
        sa.Column('tier', sa.String(length=12), nullable=False),
        sa.Column('role', sa.String(length=12), nullable=False),
        sa.Column('module_ids', sa.JSON(), nullable=False),
        sa.Column('clause_id', sa.String(length=20), nullable=False),
        sa.Column('description', sa.String(length=400), nullable=False),
        sa.Column('validity_months', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_training_course_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_course')),
        sa.UniqueConstraint('title', name=op.f('uq_training_course_title')),
    )
    with _sqlite_rebuild(op.get_bind()), op.batch_alter_table('training_certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('completion_ids', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.alter_column('completion_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('module_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_training_certificate_course_id'), ['course_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_training_certificate_course_id_training_course'),
                                    'training_course', ['course_id'], ['id'])
    with op.batch_alter_table('training_certificate', schema=None) as batch_op:
        batch_op.alter_column('completion_ids', existing_type=sa.JSON(), server_default=None)


def downgrade():
    bind = op.get_bind()
    certificate = sa.table('training_certificate', sa.column('course_id', sa.Integer))
    bind.execute(sa.delete(certificate).where(certificate.c.course_id.is_not(None)))  # they name no module
    with _sqlite_rebuild(bind), op.batch_alter_table('training_certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_training_certificate_course_id_training_course'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_training_certificate_course_id'))
        batch_op.alter_column('module_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('completion_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('completion_ids')
        batch_op.drop_column('course_id')
    op.drop_table('training_course')
