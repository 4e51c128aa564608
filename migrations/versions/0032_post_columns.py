"""post columns: the last three columns that called a trainee's 岗位 a role (issue 23, docs/GLOSSARY.md)

* training_tally.role → training_tally.post: the summary's rows per county, post, module and due date;
* training_course.role → training_course.post: who a course is for (儿童督导员 or 儿童主任);
* training_certificate.person_role → training_certificate.person_post: the post a certificate prints.

No index or constraint on these columns is named after them: training_tally's primary key
(pk_training_tally: county_id, post, module_id, due) keeps its name and follows the column, as the
summary's upsert (ON CONFLICT on those four columns) needs.

A rename in place (ALTER TABLE … RENAME COLUMN, SQLite 3.25 or later and PostgreSQL), as
0031_glossary_columns: no table is rebuilt, so no row is copied and no foreign key is touched.

Revision ID: 0032_post_columns
Revises: 0031_glossary_columns
Create Date: 2026-12-07 15:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0032_post_columns'
down_revision = '0031_glossary_columns'
branch_labels = None
depends_on = None

# (table, old name, new name, index named after the column or None)
RENAMES = (
    ('training_tally', 'role', 'post', None),
    ('training_course', 'role', 'post', None),
    ('training_certificate', 'person_role', 'person_post', None),
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
