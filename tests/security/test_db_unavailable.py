"""Database unavailable: a 503 page that says so (a toast for htmx, JSON for the API), and the
app recovers by itself when the database is back."""
from __future__ import annotations

from pathlib import Path

import pytest

from portal import create_app
from portal.extensions import db
from portal.security.headers import SECURITY_HEADERS
from tests.conftest import AuthActions, extract_csrf, instance_by_key, make_user
from tests.security.dbfault import database_down

# Several connections commit for real (threads, other processes): not inside a rolled-back test.
pytestmark = pytest.mark.fresh_db


def test_database_down_gives_503_then_recovers_without_restart(app, plan):
    make_user("mz", "liaison", unit="yanhu-mz")
    auth = AuthActions(app.test_client())
    assert auth.login("mz").status_code == 302
    inst = instance_by_key("transfer-children@yanhu-mz")
    item = inst.items[0]
    db.session.remove()
    with database_down():
        page = auth.client.get("/")
        assert page.status_code == 503
        html = page.get_data(as_text=True)
        assert "数据库暂时不可用" in html and "稍" in html and "系统内部错误" not in html
        assert page.headers["Retry-After"] == "10"
        assert page.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
        fragment = auth.post(f"/tasks/{inst.id}/items/{item.id}", {"done": "1", "version": inst.version},
                             headers={"HX-Request": "true"})
        assert fragment.status_code == 503
        assert fragment.mimetype == "text/plain" and "<" not in fragment.get_data(as_text=True)
        api = auth.client.get("/api/duties")
        assert api.status_code == 503 and api.get_json() == {"error": "数据库暂时不可用，请稍后重试"}
    db.session.remove()
    assert auth.client.get("/").status_code == 200
    ticked = auth.post(f"/tasks/{inst.id}/items/{item.id}", {"done": "1", "version": inst.version},
                       headers={"HX-Request": "true"})
    assert ticked.status_code == 200
    assert instance_by_key("transfer-children@yanhu-mz").items[0].done


def test_unreachable_database_server_gives_503(app_config):
    """A real refused connection (nothing listens on port 1), not an injected one."""
    dead = create_app({**app_config,
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://portal:portal@127.0.0.1:1/none?connect_timeout=2"})
    client = dead.test_client()
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "someone", "password": "Whatever-2026", "csrf_token": token})
    assert response.status_code == 503
    assert "数据库暂时不可用" in response.get_data(as_text=True)


def test_logout_works_while_the_database_is_down_and_the_session_stays_ended(app):
    """Issue 18: 退出 answered 503 and the session stayed valid. Now the cookie is cleared at once and
    the session's id is recorded when the database is back, so a copy of the old cookie (a late
    response could set it again) does not sign the person in."""
    make_user("mz", "liaison", unit="yanhu-mz")
    auth = AuthActions(app.test_client())
    assert auth.login("mz").status_code == 302
    old_cookie = auth.client.get_cookie("session").value
    db.session.remove()
    with database_down():
        response = auth.post("/logout")
        assert response.status_code == 302 and response.headers["Location"].endswith("/login")
        assert auth.client.get("/").status_code == 302  # signed out in this browser at once
    db.session.remove()
    assert "/login" in auth.client.get("/").headers["Location"]
    auth.client.set_cookie("session", old_cookie)  # the signed-in cookie comes back
    assert "/login" in auth.client.get("/").headers["Location"]
    assert not Path(app.instance_path, "ended_sessions.spool").exists()  # recorded, not left waiting
