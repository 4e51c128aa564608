"""library: statute editions (versions of one document), citation edition and note

Revision ID: 0007_library
Revises: 0008_reliability
Create Date: 2026-11-30 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_library'
down_revision = '0008_reliability'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('policy_edition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('edition', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('effective', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('source_file', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('markdown', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['policy_document.id'], name=op.f('fk_policy_edition_document_id_policy_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_edition')),
    sa.UniqueConstraint('document_id', 'edition', name='uq_policy_edition_document_id')
    )
    with op.batch_alter_table('policy_edition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_edition_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('policy_citation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_edition', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('note', sa.String(length=200), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('policy_citation', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('target_edition')

    with op.batch_alter_table('policy_edition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_edition_document_id'))

    op.drop_table('policy_edition')
