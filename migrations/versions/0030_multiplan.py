"""multiplan: restoring an archived plan; the office's cooperating units on a drafted duty

* plan.archived_with: {"state": the plan's state before, "duties": [ids], "instances": [ids]} written by
  archiving (what it took out of service, so restoring brings back exactly that), cleared by restoring;
  {} otherwise.
* plan_draft_duty.arranged_cooperating_ids: those of a drafted duty's cooperating units the office added
  (the 任务分工表's 「（督查室安排）」), published as arranged cooperators.

Revision ID: 0030_multiplan
Revises: 0026_library
Create Date: 2026-12-07 07:50:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030_multiplan'
down_revision = '0029_favourites'
branch_labels = None
depends_on = None


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
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_with', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('plan_draft_duty', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arranged_cooperating_ids', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with _sqlite_rebuild(op.get_bind()), op.batch_alter_table('plan_draft_duty', schema=None) as batch_op:
        batch_op.drop_column('arranged_cooperating_ids')
    with _sqlite_rebuild(op.get_bind()), op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('archived_with')
