"""finish: office arrangements, actor display names, 具体责任人, report corrections

Revision ID: 0009_finish
Revises: 0006_health
Create Date: 2026-11-30 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_finish'
down_revision = '0006_health'  # was 0003_duties; re-chained after merging health (which brings 0006_health)
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrangement', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arranged', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_display', sa.String(length=80), nullable=False, server_default=''))
    with op.batch_alter_table('duty_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responsible_name', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('responsible_phone', sa.String(length=30), nullable=False, server_default=''))
    with op.batch_alter_table('monthly_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('read_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_monthly_report_read_by_id_user_account', 'user_account', ['read_by_id'], ['id'])
    op.create_table('report_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['monthly_report.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_revision_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_revision_report_id'))
    op.drop_table('report_revision')
    with op.batch_alter_table('monthly_report', schema=None) as batch_op:
        batch_op.drop_constraint('fk_monthly_report_read_by_id_user_account', type_='foreignkey')
        batch_op.drop_column('read_by_id')
        batch_op.drop_column('read_at')
        batch_op.drop_column('revision')
    with op.batch_alter_table('duty_instance', schema=None) as batch_op:
        batch_op.drop_column('responsible_phone')
        batch_op.drop_column('responsible_name')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('actor_display')
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_column('arranged')
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.drop_column('arrangement')
