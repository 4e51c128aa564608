"""an index on monthly_report.updated_at: the board's stamp asks for the newest report on every request

Revision ID: 0034_report_updated_index
Revises: 0033_edition_follow
Create Date: 2026-12-07 19:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0034_report_updated_index'
down_revision = '0033_edition_follow'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_monthly_report_updated_at', 'monthly_report', ['updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_monthly_report_updated_at', table_name='monthly_report')
