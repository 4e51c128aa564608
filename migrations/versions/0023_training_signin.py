"""training tiers (issue 21, second part): numbered sign-in sheets, photos of the signed sheet, feedback

Revision ID: 0023_training_signin
Revises: 0022_outbox
Create Date: 2026-12-07 04:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023_training_signin'
down_revision = '0022_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_sheet_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_training_sheet_seat_session_id_training_session')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_training_sheet_seat_trainee_id_trainee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sheet_seat')),
    sa.UniqueConstraint('session_id', 'number', name='uq_training_sheet_seat_number'),
    sa.UniqueConstraint('session_id', 'trainee_id', name='uq_training_sheet_seat_trainee')
    )
    with op.batch_alter_table('training_sheet_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sheet_seat_session_id'), ['session_id'], unique=False)
    op.create_table('training_sheet_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_training_sheet_photo_session_id_training_session')),
    sa.ForeignKeyConstraint(['uploader_id'], ['user_account.id'], name=op.f('fk_training_sheet_photo_uploader_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sheet_photo')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_training_sheet_photo_stored_name'))
    )
    with op.batch_alter_table('training_sheet_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sheet_photo_session_id'), ['session_id'], unique=False)

    op.create_table('training_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('useful', sa.Integer(), nullable=False),
    sa.Column('clear', sa.Integer(), nullable=False),
    sa.Column('missing', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['unit.id'], name=op.f('fk_training_feedback_county_id_unit')),
    sa.ForeignKeyConstraint(['module_id'], ['training_module.id'], name=op.f('fk_training_feedback_module_id_training_module')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_training_feedback_trainee_id_trainee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_feedback')),
    sa.UniqueConstraint('trainee_id', 'module_id', name='uq_training_feedback_trainee_module')
    )
    with op.batch_alter_table('training_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_feedback_module_id'), ['module_id'], unique=False)


def downgrade():
    with op.batch_alter_table('training_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_feedback_module_id'))
    op.drop_table('training_feedback')
    with op.batch_alter_table('training_sheet_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sheet_photo_session_id'))
    op.drop_table('training_sheet_photo')
    with op.batch_alter_table('training_sheet_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sheet_seat_session_id'))
    op.drop_table('training_sheet_seat')
