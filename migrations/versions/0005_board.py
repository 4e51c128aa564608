"""board: duty indicators and their reported values

Revision ID: 0005_board
Revises: 0009_finish
Create Date: 2026-11-30 09:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_board'
down_revision = '0009_finish'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicators', sa.JSON(), server_default='[]', nullable=False))
    op.create_table('indicator_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['duty_instance.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_value_instance_id'), ['instance_id'], unique=False)


def downgrade():
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_value_instance_id'))
    op.drop_table('indicator_value')
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.drop_column('indicators')
