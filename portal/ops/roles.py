"""The PostgreSQL role split of the README, as statements the schema owner runs (`flask portal
grant-roles`): one home for what the app role and a backup role may do.

- the schema owner runs migrations (`flask portal setup`) and `restore`;
- the app role (gunicorn, cron's `remind` and `backup`) reads and writes every table except the
  audit log, which it may only read and append to; it may read the id sequences as well as use
  them: `pg_dump` reads each sequence's position, and with USAGE alone the backup failed with
  "permission denied for sequence";
- an optional read-only backup role reads tables and sequences and nothing else.

Default privileges make tables and sequences that later migrations create (run by the owner)
carry the same grants, so the split survives upgrades.
"""
from __future__ import annotations

import sqlalchemy as sa

APPEND_ONLY = ("audit_entry",)


class RoleError(RuntimeError):
    """A message for the operator; nothing was granted."""


def grant_statements(conn: sa.Connection, app_role: str, backup_role: str | None = None) -> list[str]:
    if conn.dialect.name != "postgresql":
        raise RoleError("roles are PostgreSQL's: an SQLite database is one file, protected by its mode (0600)")
    quote = conn.dialect.identifier_preparer.quote
    schema = quote(conn.scalar(sa.text("SELECT current_schema()")))
    missing = [r for r in (app_role, backup_role) if r and not conn.scalar(
        sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": r})]
    if missing:
        raise RoleError(f"no such role: {', '.join(missing)} (create it first: CREATE ROLE … LOGIN PASSWORD …)")
    app = quote(app_role)
    out = [
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{quote(t)} FROM {app}" for t in APPEND_ONLY),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]
    if backup_role:
        backup = quote(backup_role)
        out += [
            f"GRANT USAGE ON SCHEMA {schema} TO {backup}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {backup}",
            f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {backup}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {backup}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON SEQUENCES TO {backup}",
        ]
    return out


def grant(engine: sa.Engine, app_role: str, backup_role: str | None = None) -> list[str]:
    """Run the grants in one transaction, connected as the schema owner; returns what was run."""
    with engine.begin() as conn:
        statements = grant_statements(conn, app_role, backup_role)
        try:
            for statement in statements:
                conn.execute(sa.text(statement))
        except sa.exc.DBAPIError as exc:
            raise RoleError(f"not granted (connect as the schema owner, the role that ran setup): "
                            f"{str(exc.orig).strip().splitlines()[0]}") from None
    return statements
