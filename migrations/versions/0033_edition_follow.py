"""edition follow: when a version of a law reached the library, and completions on a text since changed

* policy_edition.arrived_at: when the version first reached the library (content sync or import);
  existing rows take their last update's time, the best record there is;
* training_completion.superseded_at / superseded_reason: a completion whose module was assigned again
  because a new edition changed an article it cites (portal.training.retrain); it stays in the
  history and no longer counts as done.

Revision ID: 0033_edition_follow
Revises: 0032_post_columns
Create Date: 2026-12-07 18:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0033_edition_follow'
down_revision = '0032_post_columns'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('policy_edition', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('arrived_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE policy_edition SET arrived_at = updated_at")
    with op.batch_alter_table('training_completion', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('superseded_reason', sa.String(length=200), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('training_completion', recreate='never') as batch_op:
        batch_op.drop_column('superseded_reason')
        batch_op.drop_column('superseded_at')
    with op.batch_alter_table('policy_edition', recreate='never') as batch_op:
        batch_op.drop_column('arrived_at')
