"""The audit log is append-only in the database itself (set by the migrations), not only in the ORM:
raw SQL UPDATE and DELETE on audit rows fail on SQLite and PostgreSQL; INSERT and SELECT work."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.audit.services import record
from portal.core.time import today
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


# ---- every way SQL can rewrite a row (issue 18): INSERT OR REPLACE and REPLACE INTO (SQLite's REPLACE
# deleted the row without firing the DELETE trigger), upserts, MERGE, UPDATE OR REPLACE ----------------

COLUMNS = "(id, at, actor_id, actor_name, actor_display, action, object_type, object_id, object_label, ip)"
VALUES = "(:id, :at, NULL, 'someone-else', '', 'tampered', 'unit', 'city-ga', '改写', '')"
REWRITES = {
    "INSERT OR REPLACE": f"INSERT OR REPLACE INTO audit_entry {COLUMNS} VALUES {VALUES}",
    "REPLACE INTO": f"REPLACE INTO audit_entry {COLUMNS} VALUES {VALUES}",
    "INSERT ON CONFLICT DO UPDATE": f"INSERT INTO audit_entry {COLUMNS} VALUES {VALUES} "
                                    "ON CONFLICT (id) DO UPDATE SET action = 'tampered', object_label = '改写'",
    "UPDATE OR REPLACE": "UPDATE OR REPLACE audit_entry SET action = 'tampered' WHERE id = :id",
    "MERGE": "MERGE INTO audit_entry t USING (SELECT CAST(:id AS INTEGER) AS id) s ON t.id = s.id "
             "WHEN MATCHED THEN UPDATE SET action = 'tampered'",
    "UPDATE": "UPDATE audit_entry SET object_label = '改写' WHERE id = :id",
    "DELETE": "DELETE FROM audit_entry WHERE id = :id",
    "DELETE all": "DELETE FROM audit_entry",
}
# Statement forms a database does not have are refused by its parser: the row stays all the same.
NOT_IN = {"postgresql": {"INSERT OR REPLACE", "REPLACE INTO", "UPDATE OR REPLACE"},
          "sqlite": {"MERGE"}}


def _rows():
    with db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT id, at, actor_name, action, object_id, object_label, "
                                    "CAST(\"before\" AS TEXT), CAST(\"after\" AS TEXT) FROM audit_entry ORDER BY id")).all()


@pytest.mark.parametrize("form", list(REWRITES))
def test_no_statement_form_rewrites_or_removes_a_recent_row(migrated, form):
    dialect = db.engine.dialect.name
    original = _rows()
    (row_id, at, *_rest), = original
    with pytest.raises(sa.exc.DBAPIError) as refused:
        with db.engine.begin() as conn:
            conn.execute(sa.text(REWRITES[form]), {"id": row_id, "at": at})
    missing = NOT_IN[dialect] | ({"MERGE"} if dialect == "postgresql" and db.engine.dialect.server_version_info < (15,)
                                 else set())
    if form not in missing:
        assert "append-only" in str(refused.value), refused.value
    assert _rows() == original, form


def _add_old_row(days: int, label: str) -> None:
    from datetime import timedelta

    from portal.core.time import utcnow

    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_entry (at, actor_name, actor_display, action, object_type, object_id, "
                             "object_label, ip) VALUES (:at, 'sync', '系统同步', 'update', 'unit', 'city-ga', :label, '')"),
                     {"at": utcnow() - timedelta(days=days), "label": label})


def test_only_rows_past_the_retention_period_can_be_deleted(migrated):
    from portal.audit.retention import RETENTION_DAYS

    _add_old_row(RETENTION_DAYS + 20, "旧")
    _add_old_row(RETENTION_DAYS - 2, "未满")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:  # a recent row among them: the whole statement is refused
            conn.execute(sa.text("DELETE FROM audit_entry"))
    assert len(_rows()) == 3
    with db.engine.begin() as conn:
        gone = conn.execute(sa.text("DELETE FROM audit_entry WHERE object_label = '旧'")).rowcount
    assert gone == 1 and [r.object_label for r in _rows()] == ["运城市公安局", "未满"]
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_entry WHERE object_label = '未满'"))


def test_the_purge_command_works_with_the_triggers_in_place(migrated, tmp_path):
    from datetime import timedelta

    from portal.audit.retention import RETENTION_DAYS, purge

    _add_old_row(RETENTION_DAYS + 5, "旧")
    removed = purge(today() - timedelta(days=RETENTION_DAYS), tmp_path / "old.csv", today())
    assert removed == 1
    assert [r.action for r in _rows()] == ["update", "purge_audit"]
    assert "旧" in (tmp_path / "old.csv").read_text(encoding="utf-8-sig")
