"""favourites: 收藏 — a person's own starred documents and articles, in folders of their own

* favourite_folder: a person's folder (收藏夹), its name unique for that person.
* favourite: one starred document (clause_id '') or article, in a folder or none (未分类);
  deleting a folder leaves its favourites in 未分类 (SET NULL).

Revision ID: 0029_favourites
Revises: 0026_library
Create Date: 2026-12-07 08:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029_favourites'
down_revision = '0028_courses'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'favourite_folder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE',
                                name=op.f('fk_favourite_folder_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_favourite_folder')),
        sa.UniqueConstraint('user_id', 'name', name='uq_favourite_folder_user_id'),
    )
    with op.batch_alter_table('favourite_folder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_favourite_folder_user_id'), ['user_id'], unique=False)
    op.create_table(
        'favourite',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('clause_id', sa.String(length=60), nullable=False),
        sa.Column('folder_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE',
                                name=op.f('fk_favourite_user_id_user_account')),
        sa.ForeignKeyConstraint(['document_id'], ['policy_document.id'], ondelete='CASCADE',
                                name=op.f('fk_favourite_document_id_policy_document')),
        sa.ForeignKeyConstraint(['folder_id'], ['favourite_folder.id'], ondelete='SET NULL',
                                name=op.f('fk_favourite_folder_id_favourite_folder')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_favourite')),
        sa.UniqueConstraint('user_id', 'document_id', 'clause_id', name='uq_favourite_user_id'),
    )
    with op.batch_alter_table('favourite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_favourite_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_favourite_folder_id'), ['folder_id'], unique=False)


def downgrade():
    with op.batch_alter_table('favourite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_favourite_folder_id'))
        batch_op.drop_index(batch_op.f('ix_favourite_user_id'))
    op.drop_table('favourite')
    with op.batch_alter_table('favourite_folder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_favourite_folder_user_id'))
    op.drop_table('favourite_folder')
