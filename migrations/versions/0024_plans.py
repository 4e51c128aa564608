"""plans: the plans the office supervises, with 运民发〔2021〕74号 as plan one

* plan: title, 文号, issuer, issued, state (draft/published/archived), its library document, version.
* plan_draft_duty: the proposed duties of a plan's open draft, as the office reviews them.
* unit_alias: names a plan uses for a unit, mapped by the office.
* unit.created_in_portal: a unit the office made for a new plan (the units.csv sync never retires it).
* duty.plan_id: every existing duty belongs to plan one (created here for 运民发〔2021〕74号).

Revision ID: 0024_plans
Revises: 0023_training_signin
Create Date: 2026-12-07 10:00:00

"""
from contextlib import contextmanager
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_plans'
down_revision = '0023_training_signin'
branch_labels = None
depends_on = None

CHECKS = {'plan': [('state', ('draft', 'published', 'archived'))],
          'plan_draft_duty': [('scope', ('city', 'per-county'))]}


def _checks(table):
    return [sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=op.f(f"ck_{table}_{column}"))
            for column, values in CHECKS[table]]


# As portal.core.plan and portal.duties.sync name plan one (copied: a migration does not import the app).
SEED = {"title": "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案", "number": "运民发〔2021〕74号",
        "issuer": "运城市民政局等13个部门", "issued": date(2021, 12, 30), "doc_id": "yunmin-2021-74"}


@contextmanager
def _sqlite_rebuild(bind):
    """SQLite changes `duty` by rebuilding it (batch mode): with foreign keys enforced, dropping the old
    table would fail on its instances' references. SQLite's own procedure for such changes
    (https://www.sqlite.org/lang_altertable.html#otheralter) turns enforcement off around the rebuild
    and checks the references after; the pragma is a no-op inside a transaction, so the open one (the
    earlier steps' version stamp) is committed first. Other databases: nothing to do."""
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
    finally:
        if raw.in_transaction:
            raw.commit()
        raw.execute("PRAGMA foreign_keys=ON")


def upgrade():
    plan = op.create_table(
        'plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('number', sa.String(length=80), nullable=False),
        sa.Column('issuer', sa.String(length=200), nullable=False),
        sa.Column('issued', sa.Date(), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('doc_id', sa.String(length=80), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('drafting', sa.Boolean(), nullable=False),
        sa.Column('no_duty', sa.JSON(), nullable=False),
        sa.Column('clause_tree', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        *_checks('plan'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_plan_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan')),
    )
    op.create_index(op.f('ix_plan_state'), 'plan', ['state'], unique=False)
    op.create_table(
        'plan_draft_duty',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('clause_ids', sa.JSON(), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('lead', sa.JSON(), nullable=False),
        sa.Column('cooperating', sa.JSON(), nullable=False),
        sa.Column('lead_ids', sa.JSON(), nullable=False),
        sa.Column('cooperating_ids', sa.JSON(), nullable=False),
        sa.Column('scope', sa.String(length=20), nullable=False),
        sa.Column('deadline_text', sa.String(length=200), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('quote', sa.Text(), nullable=False),
        sa.Column('checklist', sa.JSON(), nullable=False),
        sa.Column('arrangement', sa.Text(), nullable=False),
        sa.Column('sources', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        *_checks('plan_draft_duty'),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_draft_duty_plan_id_plan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_draft_duty')),
    )
    op.create_index(op.f('ix_plan_draft_duty_plan_id'), 'plan_draft_duty', ['plan_id'], unique=False)
    op.create_table(
        'unit_alias',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_unit_alias_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_alias_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_alias')),
        sa.UniqueConstraint('name', name=op.f('uq_unit_alias_name')),
    )
    op.create_index(op.f('ix_unit_alias_unit_id'), 'unit_alias', ['unit_id'], unique=False)

    # A plain ADD COLUMN (no table rebuild: every table refers to unit).
    op.add_column('unit', sa.Column('created_in_portal', sa.Boolean(), nullable=False, server_default=sa.false()))

    bind = op.get_bind()
    # Plan one exists whether or not the database holds duties yet: a first sync fills it.
    bind.execute(plan.insert().values(
        title=SEED["title"], number=SEED["number"], issuer=SEED["issuer"], issued=SEED["issued"], state="published",
        doc_id=SEED["doc_id"], version=1, drafting=False, no_duty={}, clause_tree=[], created_by_id=None,
        created_at=datetime.now(timezone.utc).replace(tzinfo=None), lock_version=1))
    seed_id = bind.execute(sa.select(plan.c.id).where(plan.c.doc_id == SEED["doc_id"])).scalar_one()
    with _sqlite_rebuild(bind):
        with op.batch_alter_table('duty', schema=None) as batch_op:
            batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
        duty = sa.table('duty', sa.column('plan_id', sa.Integer))
        bind.execute(sa.update(duty).values(plan_id=seed_id))
        with op.batch_alter_table('duty', schema=None) as batch_op:
            batch_op.alter_column('plan_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(batch_op.f('fk_duty_plan_id_plan'), 'plan', ['plan_id'], ['id'])
            batch_op.create_index(batch_op.f('ix_duty_plan_id'), ['plan_id'], unique=False)


def downgrade():
    with _sqlite_rebuild(op.get_bind()):
        with op.batch_alter_table('duty', schema=None) as batch_op:
            batch_op.drop_index(batch_op.f('ix_duty_plan_id'))
            batch_op.drop_constraint(batch_op.f('fk_duty_plan_id_plan'), type_='foreignkey')
            batch_op.drop_column('plan_id')
    with _sqlite_rebuild(op.get_bind()):
        with op.batch_alter_table('unit', schema=None) as batch_op:
            batch_op.drop_column('created_in_portal')
    op.drop_index(op.f('ix_unit_alias_unit_id'), table_name='unit_alias')
    op.drop_table('unit_alias')
    op.drop_index(op.f('ix_plan_draft_duty_plan_id'), table_name='plan_draft_duty')
    op.drop_table('plan_draft_duty')
    op.drop_index(op.f('ix_plan_state'), table_name='plan')
    op.drop_table('plan')
