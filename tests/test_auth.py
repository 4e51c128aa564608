"""Login, logout, password change, throttling and expired sessions over HTTP."""
from __future__ import annotations

import sqlalchemy as sa

from portal.auth.services import LOGIN_FAILED
from portal.extensions import db
from portal.models import AuditEntry, User
from portal.security.throttle import PAIR
from tests.conftest import PASSWORD, AuthActions, extract_csrf, make_user


def test_login_with_correct_password_reaches_home(client, auth):
    make_user("li", "staff")
    response = auth.login("li", follow=True)
    html = response.get_data(as_text=True)
    assert "您好，测试li" in html
    assert "工作人员" in html


def test_login_is_case_insensitive_for_username(auth):
    make_user("wang", "staff")
    assert auth.login("  WANG ").status_code == 302


def test_every_failure_reads_the_same(app, client):
    make_user("active", "staff")
    gone = make_user("gone", "staff")
    gone.active = False
    db.session.commit()
    auth = AuthActions(client)
    messages = set()
    for username, password in [("active", "wrong-password"), ("nobody", PASSWORD), ("gone", PASSWORD)]:
        response = auth.login(username, password)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert LOGIN_FAILED in html
        messages.add(LOGIN_FAILED)
    assert len(messages) == 1


def test_missing_fields_give_messages_not_errors(client):
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请输入用户名" in html and "请输入密码" in html


def test_repeated_failures_are_throttled_even_with_the_right_password(app, auth):
    make_user("target", "staff")
    for _ in range(PAIR.free):
        assert auth.login("target", "wrong-password").status_code == 422
    response = auth.login("target", PASSWORD)
    assert response.status_code == 422
    assert "登录失败次数过多" in response.get_data(as_text=True)
    # Throttling an unknown name looks the same: no hint whether the account exists.
    for _ in range(PAIR.free):
        auth.login("ghost", "x")
    assert "登录失败次数过多" in auth.login("ghost", "x").get_data(as_text=True)


def test_failures_are_audited_and_success_clears_the_counter(app, auth):
    make_user("zhou", "staff")
    auth.login("zhou", "wrong-password")
    auth.login("zhou", PASSWORD)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_label == "zhou")).all()
    assert "login_failed" in actions and "login" in actions


def test_logout_requires_post_and_ends_session(client, auth):
    make_user("li", "staff")
    auth.login("li")
    assert client.get("/logout").status_code == 405
    response = auth.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_static_file_answered_after_logout_does_not_sign_the_person_in_again(app, client, auth):
    """A stylesheet requested before 退出 and answered after it carries no cookie: the browser stays
    signed out (a page's response would set the signed-in cookie again)."""
    make_user("li", "staff")
    auth.login("li")
    name = app.config["SESSION_COOKIE_NAME"]
    signed_in = client.get_cookie(name).value
    in_flight = app.test_client(use_cookies=False)  # requests sent with the signed-in cookie
    assert name in in_flight.get("/", headers={"Cookie": f"{name}={signed_in}"}).headers.get("Set-Cookie", "")
    auth.post("/logout")
    late = in_flight.get("/static/css/portal.css", headers={"Cookie": f"{name}={signed_in}"})
    assert late.status_code == 200 and "Set-Cookie" not in late.headers
    assert client.get("/").status_code == 302  # still signed out


def test_a_page_answered_after_logout_does_not_sign_the_person_in_again(app, client, auth):
    """A page requested just before 退出 and answered after it sets the old cookie again: that
    session was ended, so the cookie no longer signs anyone in — and other sessions go on."""
    make_user("li", "staff")
    other = AuthActions(app.test_client())
    other.login("li")  # the same person on another computer
    auth.login("li")
    name = app.config["SESSION_COOKIE_NAME"]
    signed_in = client.get_cookie(name).value
    auth.post("/logout")
    late = app.test_client(use_cookies=False)
    response = late.get("/", headers={"Cookie": f"{name}={signed_in}"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert other.client.get("/").status_code == 200  # 退出 ends this session only


def test_change_own_password(client, auth):
    make_user("li", "staff")
    auth.login("li")
    response = auth.post("/account/password", {"current_password": "wrong", "new_password": "New-password-1", "confirm": "New-password-1"})
    assert response.status_code == 422
    assert "当前密码不正确" in response.get_data(as_text=True)
    response = auth.post("/account/password", {"current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert "至少 8 位" in response.get_data(as_text=True)
    response = auth.post("/account/password", {"current_password": PASSWORD, "new_password": "New-password-1", "confirm": "Other-password-1"})
    assert "不一致" in response.get_data(as_text=True)
    response = auth.post("/account/password", {"current_password": PASSWORD, "new_password": "New-password-1", "confirm": "New-password-1"})
    assert response.status_code == 302
    auth.post("/logout")
    assert auth.login("li", PASSWORD).status_code == 422
    assert auth.login("li", "New-password-1").status_code == 302


def test_passwords_are_hashed(app):
    make_user("li", "staff")
    stored = db.session.scalar(sa.select(User.password_hash).where(User.username == "li"))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_next_goes_back_to_the_page_but_never_off_site(app, client):
    make_user("li", "staff")
    response = client.get("/units/?level=县级")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=/units/?level=县级", data={"username": "li", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].startswith("/units/")
    client = app.test_client()
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={"username": "li", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_expired_session_in_htmx_request_redirects_the_whole_page(client):
    response = client.get("/admin/users?q=x", headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/admin/users"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert "<form" not in response.get_data(as_text=True)


def test_csrf_is_required_for_login(client):
    response = client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)


def test_stale_csrf_in_htmx_request_refreshes_the_page(client, auth):
    make_user("boss", "admin")
    auth.login("boss")
    response = client.post("/admin/users/1/active", headers={"HX-Request": "true"}, data={"version": "1"})
    assert response.status_code == 400
    assert response.headers.get("HX-Refresh") == "true"


def test_partial_responses_vary_on_hx_request(client, auth):
    make_user("boss", "admin")
    auth.login("boss")
    full = client.get("/admin/users")
    fragment = client.get("/admin/users", headers={"HX-Request": "true"})
    boosted = client.get("/admin/users", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "HX-Request" in full.headers["Vary"]
    assert "<html" in full.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<html" in boosted.get_data(as_text=True)


def test_production_hashes_passwords_with_scrypt(tmp_path):
    from portal.config import load_settings
    from portal.models import User

    assert load_settings(tmp_path)["PASSWORD_HASH_METHOD"] == "scrypt"
    user = User(username="x", display_name="x")
    user.set_password("Correct-horse-9")  # outside an app: werkzeug's scrypt
    assert user.password_hash.startswith("scrypt:") and user.check_password("Correct-horse-9")


def test_the_home_page_shows_leaders_the_organisation_and_only_the_office_its_accounts(app, auth):
    auth.as_role("leader")
    html = auth.client.get("/").get_data(as_text=True)
    assert "责任单位概况" in html and "已配备联络员的单位" in html and "已停用账号" not in html
    admin = AuthActions(app.test_client())
    admin.as_role("admin")
    html = admin.client.get("/").get_data(as_text=True)
    assert "组织与账号概况" in html and "已停用账号" in html


def test_the_office_home_page_counts_the_requests_waiting_for_it(app, plan, auth):
    from tests.conftest import instance_by_key

    admin = auth
    admin.as_role("admin")
    before = admin.client.get("/").get_data(as_text=True)
    assert "暂无等待核验的销号申请" in before and "暂无等待审批的延期申请" in before
    inst = instance_by_key("transfer-care@yanhu-mz")
    admin.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "已办结", "version": str(inst.version)})
    other = instance_by_key("transfer-children@yanhu-mz")
    admin.post(f"/tasks/{other.id}/extension", {"reason": "场所改造未完成", "proposed": "2099年6月30日"})
    html = admin.client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> 项任务已申请销号" in html and 'href="/supervision/"' in html
    assert "<strong>1</strong> 项延期申请等待审批" in html and "最久已等 0 天" in html
