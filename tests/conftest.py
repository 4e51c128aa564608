"""Fixtures: app, client, CLI runner, and logging in as a role.

The suite runs on SQLite by default and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set
(CI runs both). Each test starts from an empty database with the units synced.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, request_started

from portal import create_app
from portal.admin.services import AccountInput, create_account
from portal.extensions import db
from portal.units.services import sync_units

ROOT = Path(__file__).resolve().parents[1]
ROLES = ["admin", "leader", "liaison", "trainer", "staff", "trainee"]
PASSWORD = "Correct-horse-9"
# Liaisons must belong to a unit; others get one too, as in real life.
ROLE_UNIT = {"liaison": "yanhu-mz"}


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
    }


@pytest.fixture(scope="session")
def _schema(app_config):
    app = create_app(app_config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def clear_database() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _fresh_g(sender, **extra) -> None:
    """Tests hold an app context for DB access and Flask reuses it for requests, so `g`
    (current user, CSRF token) would leak between requests; clear it as production does."""
    for name in list(vars(g)):
        delattr(g, name)


@pytest.fixture
def app(app_config, _schema):
    app = create_app(app_config)
    request_started.connect(_fresh_g, app)
    with app.app_context():
        clear_database()
        report = sync_units(Path(app.config["CONTENT_DIR"]))
        assert report.ok, report.problems
        yield app
        db.session.remove()
        db.engine.dispose()  # each test's app has its own pool; close it


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(username: str, *roles: str, unit: str | None = None, password: str = PASSWORD):
    unit_code = unit if unit is not None else ROLE_UNIT.get(roles[0], "city-mz")
    return create_account(AccountInput(username, f"测试{username}", list(roles), unit_code, password))


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


@pytest.fixture
def plan(app):
    """The policy library and the 任务分工表 loaded (units are always loaded)."""
    from portal.duties.sync import sync_duties
    from portal.policy.services import sync_policy

    content = Path(app.config["CONTENT_DIR"])
    assert sync_policy(content).ok
    report = sync_duties(content)
    assert report.ok, report.problems
    return report


def instance_by_key(key: str):
    from portal.models import DutyInstance

    db.session.expire_all()
    return db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == key))
