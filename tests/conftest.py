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

Content loaded once, not per test: a rolled-back test that uses `policy_library`, `plan` or `demo`
runs in a database that already holds that state (a SQLite file beside the main one, a schema of
the PostgreSQL test database), filled once per session when a test first needs it; a fresh-database
test gets it copied into the emptied main database (INSERT … SELECT, in the database itself).
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
from portal.core.time import set_today
from portal.extensions import db
from portal.units.services import sync_units
from tests.factories import DEFAULT_UNIT, PASSWORD, gen_user, second_factor_code

ROOT = Path(__file__).resolve().parents[1]
ROLES = ["admin", "security_admin", "auditor", "leader", "liaison", "trainer", "staff", "trainee"]
ROLE_UNIT = DEFAULT_UNIT  # liaisons must belong to a unit; others get one too, as in real life


def pytest_configure(config):
    config.addinivalue_line("markers", "fresh_db: commits for real on an emptied database (threads, live server)")


def pytest_sessionfinish(session):
    """Under pytest-xdist a worker hands its search relevance figures to the controller."""
    if hasattr(session.config, "workeroutput"):
        from tests.search.conftest import RELEVANCE

        session.config.workeroutput["search_relevance"] = RELEVANCE


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    from tests.search.conftest import RELEVANCE

    for name, row in getattr(node, "workeroutput", {}).get("search_relevance", {}).items():
        RELEVANCE[name] = tuple(row)


def pytest_terminal_summary(terminalreporter):
    """The search relevance figures (filled by tests/search/test_relevance.py), after the run."""
    from tests.search.conftest import RELEVANCE

    if not RELEVANCE:
        return
    terminalreporter.section("search relevance")
    for name, (hits, total, misses, measure) in sorted(RELEVANCE.items()):
        terminalreporter.write_line(f"{name}: {measure} = {hits}/{total} = {100 * hits / total:.1f}%")
        for miss in misses:
            terminalreporter.write_line(f"  miss: {miss}")


@pytest.fixture(scope="session")
def app_config(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("portal")
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _worker_database(os.environ.get("PORTAL_TEST_DATABASE_URL")) or f"sqlite:///{base / 'test.db'}",
        "INSTANCE_PATH": str(base / "instance"),
        "UPLOAD_DIR": str(base / "uploads"),
        "SEARCH_INDEX_DIR": str(base / "search_index"),
        "CONTENT_DIR": str(ROOT / "content"),
        # Hashing with scrypt costs ~1 s on this machine per user and login; the production default
        # (scrypt) is checked in tests/test_auth.py.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker has a database of its own: `<name>_gw0`, … on the same
    PostgreSQL server, created when missing (SQLite files already live in each worker's tmp dir)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or url.startswith("sqlite"):
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


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
    """The app rollback-mode tests of the base state share (its engine set up for SAVEPOINTs)."""
    app = create_app(app_config)
    request_started.connect(_fresh_g, app)
    with app.app_context():
        _sqlite_savepoints(db.engine)
    yield app
    with app.app_context():
        db.engine.dispose()


# States a test can start from besides the base, deepest last: (state, the fixture that asks for it).
# A test's state is the deepest one whose fixture it uses (directly or through other fixtures).
STATES = (("policy", "policy_library"), ("plan", "plan"), ("demo", "demo"))


def state_of(request) -> str:
    names = set(request.fixturenames)
    return next((state for state, fixture in reversed(STATES) if fixture in names), "base")


def _store_url(base_url: str, state: str) -> str:
    """Where a state is kept: a SQLite file beside the main one, or a schema of the PostgreSQL database."""
    url = sa.engine.make_url(base_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        url = url.set(database=str(path.with_name(f"{path.stem}_{state}{path.suffix}")))
    else:
        url = url.update_query_dict({"options": f"-csearch_path={_store_schema(state)}"})
    return url.render_as_string(hide_password=False)


def _store_schema(state: str) -> str:
    return f"test_state_{state}"


def _reset_store(base_url: str, state: str, create: bool = True) -> None:
    """An empty store for `state` (nothing left of an earlier run); `create=False` only removes it."""
    url = sa.engine.make_url(base_url)
    if url.get_backend_name() == "sqlite":
        path = Path(sa.engine.make_url(_store_url(base_url, state)).database)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {_store_schema(state)} CASCADE")
        if create:
            conn.exec_driver_sql(f"CREATE SCHEMA {_store_schema(state)}")
    engine.dispose()


class _Stores:
    """The state databases, each filled once (when first asked for) and kept for the session; the
    app of each is set up for rolled-back tests like `_shared_app`."""

    def __init__(self, app_config, snapshot):
        self.config, self.snapshot = app_config, snapshot
        self.apps: dict = {}

    def rows(self, state: str) -> list:
        """The rows a state holds beyond the base (from the session's snapshot)."""
        steps = {"policy": ["policy"], "plan": ["policy", "duties"], "demo": ["policy", "duties"]}[state]
        return [rows for step in steps for rows in self.snapshot[step][1]]

    def app(self, state: str):
        if state not in self.apps:
            self.apps[state] = self._build(state)
        return self.apps[state]

    def _build(self, state: str):
        base_url = self.config["SQLALCHEMY_DATABASE_URI"]
        _reset_store(base_url, state)
        app = create_app({**self.config, "SQLALCHEMY_DATABASE_URI": _store_url(base_url, state)})
        with app.app_context():
            db.create_all()
            with db.engine.begin() as conn:
                _insert_rows(conn, _BASE["rows"] + self.rows(state))
            if state == "demo":
                from tests.ui.idscan import load_scan_demo

                load_scan_demo(app)
                db.session.commit()
            db.session.remove()
            _sqlite_savepoints(db.engine)
        request_started.connect(_fresh_g, app)
        return app

    def copy_into_main(self, state: str) -> None:
        """Copy a state's rows into the (emptied) main database of the current app, in the database."""
        self.app(state)
        tables = db.metadata.sorted_tables
        with db.engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # outside a transaction (SQLite refuses ATTACH inside one)
                store = sa.engine.make_url(_store_url(self.config["SQLALCHEMY_DATABASE_URI"], state)).database
                conn.exec_driver_sql("ATTACH DATABASE ? AS store", (store,))
                conn.commit()
            source = "store" if sqlite else _store_schema(state)
            try:
                # Emptying the main database wrote duty data, so its commit left a new duty token
                # (portal.refdata): the state's own stamps replace it (and the copy's commit a new one).
                conn.exec_driver_sql('DELETE FROM "refdata_stamp"')
                for table in tables:
                    conn.exec_driver_sql(f'INSERT INTO "{table.name}" SELECT * FROM {source}."{table.name}"')
                    if not sqlite and "id" in table.c:
                        conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                             f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)")
                conn.commit()
            finally:
                conn.rollback()
                if sqlite:
                    conn.exec_driver_sql("DETACH DATABASE store")
                    conn.commit()

    def close(self) -> None:
        for state, app in self.apps.items():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            _reset_store(self.config["SQLALCHEMY_DATABASE_URI"], state, create=False)


@pytest.fixture(scope="session")
def _stores(app_config, _content_snapshot):
    stores = _Stores(app_config, _content_snapshot)
    yield stores
    stores.close()


def _fresh_g(sender, **extra) -> None:
    """Tests hold an app context for DB access and Flask reuses it for requests, so `g`
    (current user, CSRF token) would leak between requests; clear it as production does."""
    for name in list(vars(g)):
        delattr(g, name)


def needs_fresh_db(request) -> bool:
    return any(request.node.get_closest_marker(m) for m in ("fresh_db", "browser"))


@pytest.fixture
def app(request, app_config, _schema):
    state = state_of(request)
    stores = request.getfixturevalue("_stores") if state != "base" else None  # built before the test's transaction
    if needs_fresh_db(request):
        yield from _fresh_app(app_config, state, stores)
    elif stores is not None:
        with _rolled_back_app(stores.app(state), main=False) as rolled_back:
            yield rolled_back
    else:
        with _rolled_back_app(request.getfixturevalue("_shared_app")) as rolled_back:
            yield rolled_back


def _fresh_app(app_config, state: str = "base", stores: _Stores | None = None):
    app = create_app(app_config)
    request_started.connect(_fresh_g, app)
    with app.app_context():
        if stores is None:
            load_base_state(app)
        else:
            clear_database()
            stores.copy_into_main(state)
        _BASE["dirty"] = True  # whatever the test commits; the next rolled-back test restores the base
        yield app
        db.session.remove()
        db.engine.dispose()  # each fresh app has its own pool; close it


_TRANSACTION: dict = {}  # the rolled-back test's connection, and what it had written when its transaction began


def _writes_so_far(connection):
    """What changes once a transaction writes: SQLite's count of rows changed on this connection;
    PostgreSQL's transaction id (assigned at the first write, NULL before)."""
    if connection.dialect.name == "sqlite":
        return connection.exec_driver_sql("SELECT total_changes()").scalar()
    return connection.exec_driver_sql("SELECT pg_current_xact_id_if_assigned()::text").scalar()


def database_untouched() -> bool:
    """Whether the current test's database is still exactly the state it started from: a rolled-back
    test whose transaction has written nothing yet (fresh-database tests: never said to be)."""
    connection = _TRANSACTION.get("connection")
    if connection is None or db.engines[None] is not connection:
        return False
    return _writes_so_far(connection) == _TRANSACTION["writes"]


@contextmanager
def _rolled_back_app(app, main: bool = True):
    """`main`: the app of the main database (not a state store), which fresh-database tests leave dirty."""
    with app.app_context():
        if main and _BASE["dirty"]:  # a fresh-database test ran since: back to the base state, for real
            load_base_state(app)
        engines = db.engines  # this app's engines by bind key
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        # (PostgreSQL: no id before a write, nothing to ask; SQLite's count runs on from earlier tests)
        _TRANSACTION.update(connection=connection,
                            writes=_writes_so_far(connection) if connection.dialect.name == "sqlite" else None)
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
            _TRANSACTION.clear()
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def clock():
    """Move the portal's day for one test: `clock(date(2025, 9, 1))` (what `portal.core.time.today` says
    everywhere, the app's threads included); `clock(None)`, and the test's end, bring the real day back."""
    yield set_today
    set_today(None)


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
            "/login", data={"username": username, "password": password, "csrf_token": token})
        if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
            response = self.answer_code(second_factor_code(username.strip().lower()))
        if follow:
            return self.client.get(response.headers["Location"], follow_redirects=True) \
                if response.status_code == 302 else response
        if response.status_code == 302:
            # follow: a trainee's home redirects to their own training page
            self.csrf = extract_csrf(self.client.get("/", follow_redirects=True).get_data(as_text=True))
        return response

    def answer_code(self, code: str, follow: bool = False):
        """The second step of signing in: the code page's form."""
        token = extract_csrf(self.client.get("/login/code").get_data(as_text=True))
        return self.client.post("/login/code", data={"code": code, "csrf_token": token}, follow_redirects=follow)

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


def signed_in(app, username: str, *roles: str, unit: str | None = None) -> AuthActions:
    """A new account holding `roles` (none: an existing account), signed in on a client of its own.
    The one helper for "this person, signed in": tests do not copy it."""
    if roles:
        make_user(username, *roles, unit=unit)
    auth = AuthActions(app.test_client())
    response = auth.login(username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return auth


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
    from portal.policy.sync import sync_policy

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


@pytest.fixture
def policy_library(_content_snapshot, app):
    """The policy library loaded, as `sync_policy(content/)` leaves it; returns its report.

    The rows are the ones one session-wide sync produced: the test runs in a database that already
    holds them (see `STATES`), so it starts with the library without paying for it."""
    report, _rows_added = _content_snapshot["policy"]
    return report


@pytest.fixture
def plan(_content_snapshot, policy_library):
    """The policy library and the 任务分工表 loaded (units are always loaded); returns the duties
    sync report. From the session's snapshot like `policy_library`."""
    report, _rows_added = _content_snapshot["duties"]
    return report


@pytest.fixture
def demo(app, plan):
    """The demo state every id-leak scan looks at (tests/ui/idscan.py `load_scan_demo`: duties demo,
    evidence, an extension request, a submitted report, the training demo), loaded once per session
    like the plan; returns the instance the scans visit."""
    return instance_by_key("transfer-children@yanhu-mz")


def instance_by_key(key: str):
    from portal.models import DutyInstance

    db.session.expire_all()
    return db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == key))


@pytest.fixture(autouse=True)
def _clean_ledger_cache():
    """The 台账's rows kept per process (portal/duties/ledger_cache.py): each test starts without them
    (a rolled-back test's database returns to a token another test's rows were kept under)."""
    from portal.duties import ledger_cache  # lazy: the app's modules load after the test session is configured

    ledger_cache.clear()
    yield
    ledger_cache.clear()
