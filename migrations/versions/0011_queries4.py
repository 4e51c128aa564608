"""queries4: the reference-data stamp (per-process caches of units, duties and clause texts)

Revision ID: 0011_queries4
Revises: 0010_training3
Create Date: 2026-11-30 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_queries4'
down_revision = '0010_training3'
branch_labels = None
depends_on = None


def upgrade():
    stamp = op.create_table(
        'refdata_stamp',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(stamp, [{'id': 1, 'token': 'initial'}])


def downgrade():
    op.drop_table('refdata_stamp')
