"""import_jobs: roster imports with many accounts run as background jobs the trainer watches

Revision ID: 0016_import_jobs
Revises: 0014_auth
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_import_jobs'
down_revision = '0014_auth'
branch_labels = None
depends_on = None

# table -> [(column, allowed values)], as in 0006_health (tests/test_constraints.py reads both)
CHECKS = {'import_job': [('state', ('queued', 'running', 'done', 'failed'))]}


def upgrade():
    op.create_table(
        'import_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('accounts_total', sa.Integer(), nullable=False),
        sa.Column('accounts_done', sa.Integer(), nullable=False),
        sa.Column('owner', sa.String(length=80), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('payload', sa.Text(), nullable=True),
        sa.Column('result', sa.Text(), nullable=True),
        sa.Column('secrets', sa.Text(), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        *(sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=op.f(f'ck_import_job_{column}'))
          for column, values in CHECKS['import_job']),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_import_job_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_job')),
    )
    op.create_index(op.f('ix_import_job_created_by_id'), 'import_job', ['created_by_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_import_job_created_by_id'), table_name='import_job')
    op.drop_table('import_job')
