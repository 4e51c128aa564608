"""library: statutes imported on the library page live in the database, not in content/

* library_import: one imported statute file (or the files of one code) as library Markdown, with
  the uploaded text, what could not be read, and whether (and why) it was retired.

Revision ID: 0026_library
Revises: 0025_periods
Create Date: 2026-12-07 05:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_library'
down_revision = '0025_periods'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'library_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('doc_id', sa.String(length=80), nullable=False),
        sa.Column('edition', sa.String(length=10), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('files', sa.String(length=600), nullable=False),
        sa.Column('markdown', sa.Text(), nullable=False),
        sa.Column('source_text', sa.Text(), nullable=False),
        sa.Column('flags', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('imported_by', sa.String(length=64), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.Column('retired_by', sa.String(length=64), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_library_import')),
    )
    with op.batch_alter_table('library_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_import_doc_id'), ['doc_id'], unique=False)


def downgrade():
    with op.batch_alter_table('library_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_import_doc_id'))
    op.drop_table('library_import')
