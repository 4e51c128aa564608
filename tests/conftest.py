"""Fixtures: app, client, CLI runner, and logging in as a role.

The suite runs on SQLite by default and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set
(CI runs both).

Speed: one app and one base state (schema + units synced) per session. Each test runs inside a
transaction on one connection that is rolled back at the end; the code's own commits become
SAVEPOINT releases (SQLAlchemy's "join an external transaction" recipe), so nothing a test does is
seen by the next. Tests that need real commits — several connections at once (threads, a live
server for the browser, other processes) — are marked `@pytest.mark.fresh_db` (browser tests are
fresh automatically): they get their own app on an emptied database with the units synced, and
the base state is restored after them.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, request_started

from portal import create_app
from portal.extensions import db
from portal.units.services import sync_units
from tests.factories import DEFAULT_UNIT, PASSWORD, gen_user

ROOT = Path(__file__).resolve().parents[1]
ROLES = ["admin", "leader", "liaison", "trainer", "staff", "trainee"]
ROLE_UNIT = DEFAULT_UNIT  # liaisons must belong to a unit; others get one too, as in real life


def pytest_configure(config):
    config.addinivalue_line("markers", "fresh_db: commits for real on an emptied database (threads, live server)")


@pytest.fixture(scope="session")
def app_config(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("portal")
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": os.environ.get("PORTAL_TEST_DATABASE_URL") or f"sqlite:///{base / 'test.db'}",
        "INSTANCE_PATH": str(base / "instance"),
        "UPLOAD_DIR": str(base / "uploads"),
        "SEARCH_INDEX_DIR": str(base / "search_index"),
        "CONTENT_DIR": str(ROOT / "content"),
        # Hashing with scrypt costs ~1 s on this machine per user and login; the production default
        # (scrypt) is checked in tests/test_auth.py.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def clear_database() -> None:
    """Empty every table; on PostgreSQL also restart the id sequences, so the base state (and the
    plan rows inserted on top of it) always has the same ids (SQLite reuses ids from 1 by itself).

    DELETE, not TRUNCATE: TRUNCATE gives every table and index a new file, about a second on this
    machine for ~40 nearly empty tables, and fresh-database tests clear twice each."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), 1, false) "
                                 "FROM pg_sequences WHERE schemaname = current_schema()"))


_BASE: dict = {"rows": None, "dirty": False}  # the base state's rows once synced; whether the DB left it


def load_base_state(app) -> None:
    """What every test starts from: an empty database with the units synced. The first time syncs
    for real and keeps the rows; later the rows are inserted again (the same ids, far faster)."""
    clear_database()
    if _BASE["rows"] is None:
        report = sync_units(Path(app.config["CONTENT_DIR"]))
        assert report.ok, report.problems
        db.session.commit()
        synced = _rows(db.session.connection())
        _BASE["rows"] = [(t, synced[t.name]) for t in db.metadata.sorted_tables if synced[t.name]]
        db.session.rollback()
    else:
        with db.engine.begin() as conn:
            _insert_rows(conn, _BASE["rows"])
    db.session.remove()
    _BASE["dirty"] = False


def _insert_rows(conn, rows) -> None:
    """Insert snapshot rows (ids included); on PostgreSQL move each id sequence past them."""
    for table, new in rows:
        conn.execute(table.insert(), new)
        if conn.dialect.name == "postgresql" and "id" in table.c:
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT max(id) FROM {table.name}))")


def _sqlite_savepoints(engine) -> None:
    """pysqlite starts transactions lazily and breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    engine.dispose()


@pytest.fixture(scope="session")
def _schema(app_config):
    app = create_app(app_config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_base_state(app)
    yield
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _shared_app(app_config, _schema):
    """The app rollback-mode tests share (its engine set up for SAVEPOINTs)."""
    app = create_app(app_config)
    request_started.connect(_fresh_g, app)
    with app.app_context():
        _sqlite_savepoints(db.engine)
    yield app
    with app.app_context():
        db.engine.dispose()


def _fresh_g(sender, **extra) -> None:
    """Tests hold an app context for DB access and Flask reuses it for requests, so `g`
    (current user, CSRF token) would leak between requests; clear it as production does."""
    for name in list(vars(g)):
        delattr(g, name)


def needs_fresh_db(request) -> bool:
    return any(request.node.get_closest_marker(m) for m in ("fresh_db", "browser"))


@pytest.fixture
def app(request, app_config, _schema):
    if "_content_snapshot" in request.fixturenames:
        request.getfixturevalue("_content_snapshot")  # built before this test's transaction begins
    if needs_fresh_db(request):
        yield from _fresh_app(app_config)
    else:
        with _rolled_back_app(request.getfixturevalue("_shared_app")) as rolled_back:
            yield rolled_back


def _fresh_app(app_config):
    app = create_app(app_config)
    request_started.connect(_fresh_g, app)
    with app.app_context():
        load_base_state(app)
        _BASE["dirty"] = True  # whatever the test commits; the next rolled-back test restores the base
        yield app
        db.session.remove()
        db.engine.dispose()  # each fresh app has its own pool; close it


@contextmanager
def _rolled_back_app(app):
    with app.app_context():
        if _BASE["dirty"]:  # a fresh-database test ran since: back to the base state, for real
            load_base_state(app)
        engines = db.engines  # this app's engines by bind key
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # every session of this app joins the test's transaction
        db.session.remove()
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
        config = dict(app.config)  # tests may point CONTENT_DIR etc. elsewhere: undone after
        try:
            yield app
        finally:
            app.config.clear()
            app.config.update(config)
            db.session.remove()
            db.session.session_factory.kw.pop("join_transaction_mode", None)
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(username: str, *roles: str, unit: str | None = None, password: str = PASSWORD):
    """A user holding `roles` (liaisons in 盐湖区民政局 unless `unit` says otherwise); see tests/factories.py."""
    return gen_user(username, *roles, unit=unit, password=password)


def extract_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client
        self.csrf = None

    def login(self, username: str, password: str = PASSWORD, follow: bool = False):
        page = self.client.get("/login")
        token = extract_csrf(page.get_data(as_text=True))
        response = self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )
        if response.status_code == 302:
            # follow: a trainee's home redirects to their own training page
            self.csrf = extract_csrf(self.client.get("/", follow_redirects=True).get_data(as_text=True))
        return response

    def as_role(self, role: str):
        """Create a user holding `role` and log in as it."""
        user = make_user(role, role)
        response = self.login(role)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def post(self, url: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _rows(conn) -> dict[str, list[dict]]:
    """Every table's rows but the reference-data stamp's (inserting reference rows writes it anew)."""
    return {t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))] if t.name != "refdata_stamp" else []
            for t in db.metadata.sorted_tables}


def _added(before: dict, after: dict) -> list[tuple[sa.Table, list[dict]]]:
    added = []
    for table in db.metadata.sorted_tables:
        keys = [c.name for c in table.primary_key]
        seen = {tuple(r[k] for k in keys) for r in before[table.name]}
        new = [r for r in after[table.name] if tuple(r[k] for k in keys) not in seen]
        if new:
            added.append((table, new))
    return added


@pytest.fixture(scope="session")
def _content_snapshot(_shared_app):
    """Sync the policy library, then the 任务分工表, once per session inside a rolled-back
    transaction, and keep the rows each step added (with its report)."""
    from portal.duties.sync import sync_duties
    from portal.policy.services import sync_policy

    with _rolled_back_app(_shared_app) as app:
        content = Path(app.config["CONTENT_DIR"])
        base = _rows(db.session.connection())
        policy = sync_policy(content)
        assert policy.ok, policy.problems
        with_policy = _rows(db.session.connection())
        duties = sync_duties(content)
        assert duties.ok, duties.problems
        with_duties = _rows(db.session.connection())
    return {"policy": (policy, _added(base, with_policy)), "duties": (duties, _added(with_policy, with_duties))}


def _insert(request, rows) -> None:
    _insert_rows(db.session.connection(), rows)
    if needs_fresh_db(request):
        db.session.commit()  # other connections (threads, the live server) must see it
    db.session.expire_all()


@pytest.fixture
def policy_library(request, _content_snapshot, app):
    """The policy library loaded, as `sync_policy(content/)` leaves it; returns its report.

    Every test gets the rows one session-wide sync produced, inserted directly (~20× faster than
    syncing); fresh-database tests commit them."""
    report, rows = _content_snapshot["policy"]
    _insert(request, rows)
    return report


@pytest.fixture
def plan(request, _content_snapshot, policy_library):
    """The policy library and the 任务分工表 loaded (units are always loaded); returns the duties
    sync report. Inserted from the session's snapshot like `policy_library`."""
    report, rows = _content_snapshot["duties"]
    _insert(request, rows)
    return report


def instance_by_key(key: str):
    from portal.models import DutyInstance

    db.session.expire_all()
    return db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == key))
