"""roles_audit: the audit log cannot be rewritten by REPLACE, and keeps every record at least 180 days

Revision ID: 0018_roles_audit
Revises: 0017_certificates
Create Date: 2026-12-07 09:00:00

SQLite: `INSERT OR REPLACE` / `REPLACE INTO` with an existing id deleted the old row and inserted a new
one without firing the DELETE trigger (SQLite fires delete triggers on REPLACE only with
recursive_triggers on): a BEFORE INSERT trigger now refuses any insert naming an existing id, which
also covers `INSERT … ON CONFLICT DO UPDATE` (PostgreSQL runs that as an UPDATE, refused already).

Both databases: DELETE is refused for rows younger than the retention period (180 days; 网络安全法
第二十一条, 等保 2.0 8.1.4.3 c) and allowed for older ones, so `flask portal audit-purge` (run as the schema
owner on PostgreSQL, whose app role has no DELETE on audit_entry) can remove archived old records and
nothing else can remove a recent one. UPDATE and TRUNCATE stay refused.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_roles_audit'
down_revision = '0017_certificates'  # re-chained onto main's head when main was merged in
branch_labels = None
depends_on = None

RETENTION = "180 days"  # portal.audit.retention.RETENTION_DAYS

PG_FUNCTION = """
    CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {retention}
        RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$
"""
PG_RETENTION = f"""IF TG_OP = 'DELETE' AND OLD.at < (now() AT TIME ZONE 'UTC') - interval '{RETENTION}' THEN
            RETURN OLD;  -- past the retention period: may be purged (archived first by audit-purge)
        END IF;"""

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
        WHEN OLD.at >= datetime('now', '-{RETENTION}')
        BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE refused'); END""",
    """CREATE TRIGGER audit_entry_no_replace BEFORE INSERT ON audit_entry
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_entry WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: INSERT over an existing row refused'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entry_no_replace",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE refused'); END""",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return [PG_FUNCTION.format(retention=PG_RETENTION if up else "")]
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    return []


def upgrade():
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade():
    for statement in _statements(up=False):
        op.execute(statement)
