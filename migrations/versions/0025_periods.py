"""periods: daily duty snapshots, the office's 考核 settings, notes by kind and time

* duty_snapshot: one row per duty instance per day (state, light, progress, deadline, overdue
  days), primary key (day, instance_id) — a day's picture is a read of its key prefix — and
  (unit_id, day) for a unit's or a county's trend.
* assessment_settings: the 考核 weights, the bands and the 批示 follow-up days (one row).
* duty_note (kind, at): returns and 批示 of a period without reading every note.
* duty_period: the finished periods of a `periodic` duty; duty_instance.period_start: its current one.

Revision ID: 0025_periods
Revises: 0024_plans
Create Date: 2026-12-07 04:30:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_periods'
down_revision = '0024_plans'
branch_labels = None
depends_on = None

STATES = ('not_started', 'in_progress', 'blocked', 'requested', 'closed')
LIGHTS = ('green', 'blue', 'yellow', 'red', 'grey')
CHECKS = {'duty_snapshot': [('state', STATES), ('light', LIGHTS)], 'duty_period': [('state', STATES)]}


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
    op.create_table(
        'duty_snapshot',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('light', sa.String(length=6), nullable=False),
        sa.Column('progress', sa.SmallInteger(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('overdue_days', sa.SmallInteger(), nullable=False),
        *(sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})",
                             name=op.f(f'ck_duty_snapshot_{column}'))
          for column, values in CHECKS['duty_snapshot']),
        sa.ForeignKeyConstraint(['instance_id'], ['duty_instance.id'], ondelete='CASCADE',
                                name=op.f('fk_duty_snapshot_instance_id_duty_instance')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_duty_snapshot_unit_id_unit')),
        sa.PrimaryKeyConstraint('day', 'instance_id', name=op.f('pk_duty_snapshot')),
    )
    op.create_index('ix_duty_snapshot_unit_day', 'duty_snapshot', ['unit_id', 'day'], unique=False)
    op.create_table(
        'assessment_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('w_on_time', sa.Integer(), nullable=False),
        sa.Column('w_overdue', sa.Integer(), nullable=False),
        sa.Column('w_returns', sa.Integer(), nullable=False),
        sa.Column('w_reports', sa.Integer(), nullable=False),
        sa.Column('w_training', sa.Integer(), nullable=False),
        sa.Column('w_signoff', sa.Integer(), nullable=False),
        sa.Column('overdue_cap_days', sa.Integer(), nullable=False),
        sa.Column('green_min', sa.Integer(), nullable=False),
        sa.Column('yellow_min', sa.Integer(), nullable=False),
        sa.Column('instruction_days', sa.Integer(), nullable=False),
        sa.Column('checkin_period', sa.String(length=10), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_assessment_settings_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_settings')),
    )
    op.create_index('ix_duty_note_kind_at', 'duty_note', ['kind', 'at'], unique=False)
    op.create_table(
        'duty_period',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('starts', sa.Date(), nullable=False),
        sa.Column('ends', sa.Date(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('done_items', sa.JSON(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('rolled_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"state IN ({', '.join(repr(v) for v in STATES)})", name=op.f('ck_duty_period_state')),
        sa.ForeignKeyConstraint(['instance_id'], ['duty_instance.id'], ondelete='CASCADE',
                                name=op.f('fk_duty_period_instance_id_duty_instance')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_period')),
        sa.UniqueConstraint('instance_id', 'starts', name=op.f('uq_duty_period_instance_id')),
    )
    op.create_index(op.f('ix_duty_period_instance_id'), 'duty_period', ['instance_id'], unique=False)
    with op.batch_alter_table('duty_instance') as batch:
        batch.add_column(sa.Column('period_start', sa.Date(), nullable=True))


def downgrade():
    with _sqlite_rebuild(op.get_bind()), op.batch_alter_table('duty_instance') as batch:
        batch.drop_column('period_start')
    op.drop_index(op.f('ix_duty_period_instance_id'), table_name='duty_period')
    op.drop_table('duty_period')
    op.drop_index('ix_duty_note_kind_at', table_name='duty_note')
    op.drop_table('assessment_settings')
    op.drop_index('ix_duty_snapshot_unit_day', table_name='duty_snapshot')
    op.drop_table('duty_snapshot')
