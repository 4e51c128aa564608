"""jiaoban: 交办事项 without a plan, and the office closing a 催办

* plan.kind: "plan" (a 方案 the office imported) or "assigned" (the office's list of 交办事项, whose
  duties are the matters it assigns without a plan).
* assigned_matter: where a 交办事项 came from (the 批示's words, the meeting, the document, a file), its
  importance and its number in the year; one row per duty of the 交办 plan.
* urge.closed_at / closed_by_id: the office closed (办结) a 催办 or 督办单.
* supervision_settings.bulletin_day / bulletin_to: the 通报 emailed to leaders once a month.

Revision ID: 0027_jiaoban
Revises: 0026_library
Create Date: 2026-12-07 08:00:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_jiaoban'
down_revision = '0026_library'
branch_labels = None
depends_on = None

SOURCES = ('instruction', 'meeting', 'document', 'other')
IMPORTANCE = ('normal', 'important', 'urgent')
# the checks this migration adds, as tests/test_constraints.py reads them beside the models'
CHECKS = {'assigned_matter': [('source_kind', SOURCES), ('importance', IMPORTANCE)]}


@contextmanager
def _sqlite_rebuild(bind):
    """SQLite drops a column by rebuilding the table (batch mode); with foreign keys enforced, dropping
    the old table deletes or refuses the rows that refer to it (a duty instance's checklist, notes and
    evidence were lost this way). As in 0024_plans (SQLite's own procedure,
    https://www.sqlite.org/lang_altertable.html#otheralter): enforcement off around the rebuild, the
    references checked after. Other databases: nothing to do."""
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
    with op.batch_alter_table('plan') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=12), server_default='plan', nullable=False))
    op.create_table(
        'assigned_matter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('duty_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('source_kind', sa.String(length=12), nullable=False),
        sa.Column('source_text', sa.Text(), nullable=False),
        sa.Column('source_ref', sa.String(length=200), nullable=False),
        sa.Column('instructed_by', sa.String(length=60), nullable=False),
        sa.Column('instructed_by_id', sa.Integer(), nullable=True),
        sa.Column('source_date', sa.Date(), nullable=True),
        sa.Column('importance', sa.String(length=10), nullable=False),
        sa.Column('attachment_name', sa.String(length=200), nullable=False),
        sa.Column('attachment_type', sa.String(length=120), nullable=False),
        sa.Column('attachment_size', sa.Integer(), nullable=False),
        sa.Column('attachment_data', sa.LargeBinary(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"source_kind IN ({', '.join(repr(v) for v in SOURCES)})",
                           name=op.f('ck_assigned_matter_source_kind')),
        sa.CheckConstraint(f"importance IN ({', '.join(repr(v) for v in IMPORTANCE)})",
                           name=op.f('ck_assigned_matter_importance')),
        sa.ForeignKeyConstraint(['duty_id'], ['duty.id'], name=op.f('fk_assigned_matter_duty_id_duty')),
        sa.ForeignKeyConstraint(['instructed_by_id'], ['user_account.id'],
                                name=op.f('fk_assigned_matter_instructed_by_id_user_account')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_assigned_matter_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assigned_matter')),
        sa.UniqueConstraint('duty_id', name=op.f('uq_assigned_matter_duty_id')),
        sa.UniqueConstraint('year', 'serial', name=op.f('uq_assigned_matter_year')),
    )
    with op.batch_alter_table('supervision_settings') as batch:
        batch.add_column(sa.Column('bulletin_day', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('bulletin_to', sa.JSON(), server_default='[]', nullable=False))
    with _sqlite_rebuild(op.get_bind()), op.batch_alter_table('urge') as batch:
        batch.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_urge_closed_by_id_user_account'), 'user_account', ['closed_by_id'], ['id'])


def downgrade():
    with _sqlite_rebuild(op.get_bind()), op.batch_alter_table('urge') as batch:
        batch.drop_constraint(op.f('fk_urge_closed_by_id_user_account'), type_='foreignkey')
        batch.drop_column('closed_by_id')
        batch.drop_column('closed_at')
    with _sqlite_rebuild(op.get_bind()), op.batch_alter_table('supervision_settings') as batch:
        batch.drop_column('bulletin_to')
        batch.drop_column('bulletin_day')
    op.drop_table('assigned_matter')
    with _sqlite_rebuild(op.get_bind()), op.batch_alter_table('plan') as batch:
        batch.drop_column('kind')
