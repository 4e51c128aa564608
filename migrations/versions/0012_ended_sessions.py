"""ended_sessions: sessions ended by 退出, refused if a late response sets their cookie again

Revision ID: 0012_ended_sessions
Revises: 0011_queries4
Create Date: 2026-11-30 18:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_ended_sessions'
down_revision = '0011_queries4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ended_session',
        sa.Column('sid', sa.String(length=32), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sid', name=op.f('pk_ended_session')),
    )
    op.create_index(op.f('ix_ended_session_ended_at'), 'ended_session', ['ended_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_ended_session_ended_at'), table_name='ended_session')
    op.drop_table('ended_session')
