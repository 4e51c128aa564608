"""statute promulgation columns: a statute's 文号 and 发文单位 with the date of their own act

policy_document gains what the importer reads from a statute's history lines (front matter
promulgated, promulgated_by, promulgated_as, revised_by): the act its 令号 belongs to (or, without
one, its first 通过/公布) and the revision the edition in force is. issued stays that edition's date.
The next content sync fills them in.

Revision ID: 0035_statute_promulgation
Revises: 0034_report_updated_index
Create Date: 2026-12-07 21:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0035_statute_promulgation'
down_revision = '0034_report_updated_index'
branch_labels = None
depends_on = None

COLUMNS = ('promulgated', 'promulgated_by', 'promulgated_as', 'revised_by')


def upgrade():
    with op.batch_alter_table('policy_document', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('promulgated', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('promulgated_by', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('promulgated_as', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('revised_by', sa.Text(), nullable=False, server_default=''))


def downgrade():
    # in place (ALTER TABLE … DROP COLUMN, SQLite 3.35 or later): a rebuilt table would lose, with foreign
    # keys enforced, the clauses, changes and editions that refer to it (see 0032_post_columns)
    with op.batch_alter_table('policy_document', recreate='never') as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
