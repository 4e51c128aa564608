"""health: CHECK constraints on status and kind columns

Revision ID: 0006_health
Revises: 0007_library
Create Date: 2026-11-30 09:35:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_health'
down_revision = '0007_library'
branch_labels = None
depends_on = None

# table -> [(column, allowed values)]; the names follow the models' naming convention (ck_<table>_<column>)
CHECKS = {
    'duty': [('scope', ('city', 'per-county', 'per-unit')), ('deadline_kind', ('date', 'periodic', 'none'))],
    'duty_instance': [('state', ('not_started', 'in_progress', 'blocked', 'requested', 'closed'))],
    'duty_note': [('kind', ('note', 'request_close', 'returned', 'closed', 'blocked', 'unblocked', 'extension',
                           'instruction'))],
    'extension_request': [('status', ('pending', 'approved', 'rejected'))],
    'monthly_report': [('status', ('draft', 'submitted'))],
}


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in checks:
                allowed = ", ".join(f"'{v}'" for v in values)
                batch_op.create_check_constraint(column, f"{column} IN ({allowed})")


def downgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, _ in checks:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_='check')
