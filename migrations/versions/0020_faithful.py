"""faithful: a cooperating unit the cited clauses do not name is marked as the office's 工作安排

* duty_cooperator.arranged: set by `flask portal sync` from `安排：code` in content/duties.txt's
  ``cooperating:`` line; every page, export and API shows such a unit as 督查室工作安排.

Revision ID: 0020_faithful
Revises: 0019_scale
Create Date: 2026-12-07 04:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_faithful'
down_revision = '0019_scale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('duty_cooperator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arranged', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('duty_cooperator', schema=None) as batch_op:
        batch_op.drop_column('arranged')
