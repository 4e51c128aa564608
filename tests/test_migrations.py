"""Schema changes go through migrations: upgrading an empty database yields exactly the models."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db


def _fresh_database_url(app_config, tmp_path) -> tuple[str, callable]:
    base = app_config["SQLALCHEMY_DATABASE_URI"]
    if base.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrated.db'}", lambda: None
    # PostgreSQL: a throwaway schema in the test database.
    schema = f"migr_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"

    def drop():
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def test_upgrade_matches_models_and_downgrades_cleanly(app_config, tmp_path):
    url, cleanup = _fresh_database_url(app_config, tmp_path)
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            downgrade(revision="base")
            with db.engine.connect() as conn:
                tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            assert tables == set()
            upgrade()  # and back up again
            db.engine.dispose()
    finally:
        cleanup()


def test_config_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'portal.db'}"
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32
    # The generated key is kept: a restart keeps sessions valid.
    assert create_app({"INSTANCE_PATH": str(tmp_path / "inst")}).config["SECRET_KEY"] == key
    assert app.config["SEARCH_INDEX_DIR"].endswith("search_index")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db/portal")
    monkeypatch.setenv("PORTAL_UPLOAD_DIR", "/srv/uploads")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/portal"
    assert app.config["UPLOAD_DIR"] == "/srv/uploads"


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app_config, tmp_path):
    """The app's own SQLite engine (its own file, so the PostgreSQL run checks it too)."""
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.db'}"})
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        db.engine.dispose()
