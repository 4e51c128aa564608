"""supervision: 督办 — 签收 (acknowledgement), 催办 and the escalation ladder's steps (urge), notice read
receipts (notice_read), the office's thresholds in working days and 公文 masthead (supervision_settings),
each unit's 分管领导 (unit_leader)

Revision ID: 0021_supervision
Revises: 0020_faithful
Create Date: 2026-12-07 04:16:16.332204

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_supervision'
down_revision = '0020_faithful'
branch_labels = None
depends_on = None

# table -> [(column, allowed values)], as in 0006_health (tests/test_constraints.py reads both)
CHECKS = {'acknowledgement': [('kind', ('duty', 'instruction', 'urge'))],
          'urge': [('level', ('urge', 'blue', 'orange', 'red')), ('topic', ('duty', 'unit', 'report', 'training'))]}


def upgrade():
    op.create_table('supervision_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remind_days', sa.Integer(), nullable=False),
    sa.Column('order_days', sa.Integer(), nullable=False),
    sa.Column('red_days', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=60), nullable=False),
    sa.Column('number_prefix', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_settings'))
    )
    op.create_table('acknowledgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('duty', 'instruction', 'urge')", name=op.f('ck_acknowledgement_kind')),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_acknowledgement_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_acknowledgement_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acknowledgement')),
    sa.UniqueConstraint('kind', 'object_id', 'unit_id', name=op.f('uq_acknowledgement_kind'))
    )
    with op.batch_alter_table('acknowledgement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acknowledgement_unit_id'), ['unit_id'], unique=False)

    op.create_table('notice_read',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_notice_read_notice_id_notice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notice_read_user_id_user_account')),
    sa.PrimaryKeyConstraint('notice_id', 'user_id', name=op.f('pk_notice_read'))
    )
    op.create_table('unit_leader',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_leader_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_unit_leader_user_id_user_account')),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_leader'))
    )
    op.create_table('urge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('topic', sa.String(length=10), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('about', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('reply_by', sa.Date(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('serial', sa.Integer(), nullable=True),
    sa.Column('step_key', sa.String(length=80), nullable=True),
    sa.Column('step_on', sa.Date(), nullable=True),
    sa.Column('copy_to', sa.String(length=200), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("level IN ('urge', 'blue', 'orange', 'red')", name=op.f('ck_urge_level')),
    sa.CheckConstraint("topic IN ('duty', 'unit', 'report', 'training')", name=op.f('ck_urge_topic')),
    sa.ForeignKeyConstraint(['instance_id'], ['duty_instance.id'], name=op.f('fk_urge_instance_id_duty_instance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replied_by_id'], ['user_account.id'], name=op.f('fk_urge_replied_by_id_user_account')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_urge_sent_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_urge_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_urge')),
    sa.UniqueConstraint('step_key', name=op.f('uq_urge_step_key')),
    sa.UniqueConstraint('year', 'serial', name=op.f('uq_urge_year'))
    )
    with op.batch_alter_table('urge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_urge_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_urge_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_urge_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('urge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_urge_unit_id'))
        batch_op.drop_index(batch_op.f('ix_urge_instance_id'))
        batch_op.drop_index(batch_op.f('ix_urge_at'))

    op.drop_table('urge')
    op.drop_table('unit_leader')
    op.drop_table('notice_read')
    with op.batch_alter_table('acknowledgement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acknowledgement_unit_id'))

    op.drop_table('acknowledgement')
    op.drop_table('supervision_settings')
