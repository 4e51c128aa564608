"""glossary columns: the words of docs/GLOSSARY.md for three columns (issue 23)

* duty.area → duty.theme: a duty's 工作领域 (市福利院优化提质 …), not the board's 任务领域;
* trainee.role → trainee.post and training_cohort.role → training_cohort.post: a trainee's 岗位
  (儿童督导员 or 儿童主任), not an account's role. The index on trainee's column follows its name
  (ix_trainee_role → ix_trainee_post); ix_trainee_place keeps its name and follows the column.

A rename in place (ALTER TABLE … RENAME COLUMN, SQLite 3.25 or later and PostgreSQL): no table is
rebuilt, so no row is copied and no foreign key is touched; indexes on the column follow it.

Revision ID: 0031_glossary_columns
Revises: 0030_multiplan
Create Date: 2026-12-07 12:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0031_glossary_columns'
down_revision = '0030_multiplan'
branch_labels = None
depends_on = None

# (table, old name, new name, index named after the column or None)
RENAMES = (
    ('duty', 'area', 'theme', None),
    ('trainee', 'role', 'post', ('ix_trainee_role', 'ix_trainee_post')),
    ('training_cohort', 'role', 'post', None),
)


def _rename(table: str, old: str, new: str, index: tuple[str, str] | None) -> None:
    if index is not None:
        op.drop_index(index[0], table_name=table)
    # recreate='never': SQLite renames in place (batch mode would copy the table and, with foreign keys
    # enforced, lose the rows that refer to it).
    with op.batch_alter_table(table, recreate='never') as batch_op:
        batch_op.alter_column(old, new_column_name=new)
    if index is not None:
        op.create_index(index[1], table, [new], unique=False)


def upgrade():
    for table, old, new, index in RENAMES:
        _rename(table, old, new, index)


def downgrade():
    for table, old, new, index in reversed(RENAMES):
        _rename(table, new, old, index[::-1] if index else None)
