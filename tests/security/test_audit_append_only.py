"""The audit log is append-only in the database itself (set by the migrations), not only in the ORM:
raw SQL UPDATE and DELETE on audit rows fail on SQLite and PostgreSQL; INSERT and SELECT work."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.audit.services import record
from portal.extensions import db
from tests.test_migrations import _fresh_database_url


@pytest.fixture
def migrated(app_config, tmp_path):
    url, cleanup = _fresh_database_url(app_config, tmp_path)
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
            record("update", "unit", "city-ga", label="运城市公安局", before={"name": "旧"}, after={"name": "新"},
                   actor_name="tester")
            db.session.commit()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


STATEMENTS = [
    "UPDATE audit_entry SET action = 'tampered'",
    "UPDATE audit_entry SET actor_name = 'someone-else' WHERE object_id = 'city-ga'",
    "DELETE FROM audit_entry",
    "DELETE FROM audit_entry WHERE object_id = 'city-ga'",
]


def test_audit_rows_cannot_be_changed_or_removed_by_sql(migrated):
    postgres = not migrated.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    for statement in STATEMENTS + (["TRUNCATE audit_entry"] if postgres else []):  # SQLite has no TRUNCATE
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT action, actor_name FROM audit_entry")).all()
        assert rows == [("update", "tester")], statement


def test_appending_still_works(migrated):
    record("login", "user", "1", label="someone", actor_name="someone")
    db.session.commit()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_entry")).scalar() == 2
