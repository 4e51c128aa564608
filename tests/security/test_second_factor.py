"""The second factor (等保 2.0 第三级 双因素认证): required for admins, offered to everyone; TOTP codes
work once, recovery codes once each, the code step is throttled, an admin can reset another's,
everything is audited. And the idle timeout."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from portal.admin.services import AccountInput, create_account
from portal.config import load_settings
from portal.extensions import db
from portal.models import AuditEntry, LoginFailure, RecoveryCode, User
from portal.security.second_factor import requires_second_factor
from portal.security.throttle import PAIR
from tests.conftest import PASSWORD, AuthActions, extract_csrf, make_user
from tests.factories import second_factor_code
from tests.plans.helpers import form_posting_to, refused_message


def actions(label: str) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_label == label)
                                   .order_by(AuditEntry.id)))


def get_user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def password_step(client, username: str, password: str = PASSWORD):
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def code_step(client, code: str):
    token = extract_csrf(client.get("/login/code").get_data(as_text=True))
    return client.post("/login/code", data={"code": code, "csrf_token": token})


def enrol(client, password: str = PASSWORD) -> tuple[str, list[str]]:
    """Through the setup page, as a person with an authenticator app: returns the secret and the codes."""
    page = client.get("/account/second-factor/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn on the server
    secret = re.search(r'data-testid="second-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    token = extract_csrf(page)
    done = client.post("/account/second-factor/setup",
                       data={"code": pyotp.TOTP(secret).now(), "password": password, "csrf_token": token})
    assert done.status_code == 200, done.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>", done.get_data(as_text=True))
    return secret, codes


def test_the_rule_is_one_function_and_covers_the_three_administrators():
    """管理员, 安全管理员 and 审计管理员 (三员分立) must; anyone else may."""
    def person(*roles):
        return type("U", (), {"roles": list(roles)})()

    assert all(requires_second_factor(person(role)) for role in ("admin", "security_admin", "auditor"))
    assert not requires_second_factor(person("staff")) and not requires_second_factor(person("leader", "trainer"))


def test_an_admin_without_a_second_factor_is_led_to_set_it_up_before_anything_else(app):
    create_account(AccountInput("newadmin", "新管理员", ["admin"], "city-mz", PASSWORD))  # as the CLI makes one
    client = app.test_client()
    first = password_step(client, "newadmin")
    assert first.status_code == 302  # no second factor yet: signed in, and led to set one up
    for url in ("/", "/admin/users", "/account/"):
        assert client.get(url).headers["Location"].endswith("/account/second-factor/setup"), url
    assert client.get("/api/duties").status_code == 403
    page = client.get("/account/second-factor/setup").get_data(as_text=True)
    assert 'data-testid="second-factor-required"' in page
    wrong = client.post("/account/second-factor/setup",
                        data={"code": "000000", "password": PASSWORD, "csrf_token": extract_csrf(page)})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.get_data(as_text=True)
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = get_user("newadmin")
    assert user.totp_secret == secret
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    assert client.get("/admin/users").status_code == 200
    assert "enable_second_factor" in actions("newadmin")


def test_signing_in_with_a_code_and_a_code_works_once(app):
    admin = make_user("boss", "admin")  # set up as in real use (tests/factories.py)
    client = app.test_client()
    response = password_step(client, "boss")
    assert response.headers["Location"].endswith("/login/code")
    assert "/login" in client.get("/").headers["Location"]  # not signed in before the code
    bad = code_step(client, "123456")
    assert bad.status_code == 422 and "验证码不正确" in bad.get_data(as_text=True)
    code = second_factor_code("boss")
    assert code_step(client, code).status_code == 302
    assert client.get("/admin/users").status_code == 200
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.actor_id == admin.id))
    assert entry.after == {"second_factor": "动态验证码"}
    # The same code again (seen over a shoulder): refused.
    other = app.test_client()
    password_step(other, "boss")
    assert code_step(other, code).status_code == 422
    assert actions("boss")[1:] == ["login_password_ok", "login_code_failed", "login", "login_password_ok",
                                   "login_code_failed"]


def test_a_recovery_code_signs_in_once(app, auth):
    user = auth.as_role("staff")
    secret, codes = enrol(auth.client)
    auth.post("/logout")
    client = app.test_client()
    password_step(client, "staff")
    assert code_step(client, codes[3].upper()).status_code == 302  # typed in capitals: still the code
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.actor_id == user.id)
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.after == {"second_factor": "恢复码"}
    again = app.test_client()
    password_step(again, "staff")
    assert code_step(again, codes[3]).status_code == 422
    assert "尚有 9 个未用的恢复码" in client.get("/account/").get_data(as_text=True)


def test_the_code_step_is_throttled_like_passwords(app):
    make_user("boss", "admin")
    attacker = app.test_client()  # knows the password, not the phone
    attacker.environ_base["REMOTE_ADDR"] = "10.4.4.4"
    password_step(attacker, "boss")
    for n in range(PAIR.free):
        assert code_step(attacker, f"{n:06d}").status_code == 422
    throttled = code_step(attacker, second_factor_code("boss"))
    assert "登录失败次数过多" in throttled.get_data(as_text=True)
    assert "login_code_throttled" in actions("boss")
    steps = set(db.session.scalars(sa.select(LoginFailure.step)))
    assert steps == {"code"}  # counted apart from passwords


def test_an_admin_cannot_turn_it_off_others_can(app, auth):
    auth.as_role("admin")
    page = auth.client.get("/account/").get_data(as_text=True)
    assert "不能关闭" in page and "second-factor/disable" not in page
    refused = auth.post("/account/second-factor/disable", {"off-password": PASSWORD, "off-code": second_factor_code("admin")})
    assert refused.status_code == 422  # 我的账号 again, the reason where the form would be
    assert "管理员账号必须使用动态验证码" in refused_message(refused.get_data(as_text=True))
    assert get_user("admin").has_second_factor

    staff = AuthActions(app.test_client())
    staff.login(make_user("clerk", "staff").username)
    assert "启用动态验证码" in staff.client.get("/account/").get_data(as_text=True)
    secret, _codes = enrol(staff.client)
    wrong = staff.post("/account/second-factor/disable", {"off-password": "not-mine-123", "off-code": "000000"})
    form = form_posting_to(wrong.get_data(as_text=True), "/account/second-factor/disable")
    assert wrong.status_code == 422 and 'data-testid="form-refused">当前密码不正确' in form
    assert "not-mine-123" not in form and get_user("clerk").has_second_factor  # secrets are not typed back
    unfilled = staff.post("/account/second-factor/disable", {"off-password": "", "off-code": ""})
    assert unfilled.status_code == 422 and refused_message(unfilled.get_data(as_text=True)) == "请填写当前密码和验证码。"
    step_after = pyotp.TOTP(secret).at(time.time() + 30)  # the enrolment used the current step
    off = staff.post("/account/second-factor/disable", {"off-password": PASSWORD, "off-code": step_after},
                     follow_redirects=True)
    assert "已关闭" in off.get_data(as_text=True) and not get_user("clerk").has_second_factor
    assert actions("clerk")[-2:] == ["enable_second_factor", "disable_second_factor"]


def test_new_recovery_codes_replace_the_old_ones(app, auth):
    auth.as_role("staff")
    secret, old = enrol(auth.client)
    page = auth.post("/account/second-factor/recovery-codes",
                     {"rc-password": PASSWORD, "rc-code": old[0]}).get_data(as_text=True)
    new = re.findall(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    spent = auth.post("/account/second-factor/recovery-codes", {"rc-password": PASSWORD, "rc-code": old[0]})
    form = form_posting_to(spent.get_data(as_text=True), "/account/second-factor/recovery-codes")
    assert spent.status_code == 422 and 'data-testid="form-refused">验证码不正确或已用过' in form
    client = app.test_client()
    password_step(client, "staff")
    assert code_step(client, old[1]).status_code == 422
    assert code_step(client, new[1]).status_code == 302
    assert "new_recovery_codes" in actions("staff")


def test_an_admin_resets_another_persons_second_factor_audited(app, auth):
    auth.as_role("admin")
    other = make_user("deputy", "admin")
    edit = auth.client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert "重置动态验证码" in edit
    done = auth.post(f"/admin/users/{other.id}/second-factor/reset", {"version": other.version}, follow_redirects=True)
    assert "已重置测试deputy的动态验证码" in done.get_data(as_text=True)
    assert not get_user("deputy").has_second_factor
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "reset_second_factor"))
    assert entry.actor_name == "admin" and entry.object_label == "deputy"
    # The deputy signs in with the password and, being an admin, sets it up again first.
    client = app.test_client()
    assert password_step(client, "deputy").status_code == 302
    assert client.get("/").headers["Location"].endswith("/account/second-factor/setup")
    me = get_user("admin")
    mine = auth.post(f"/admin/users/{me.id}/second-factor/reset", {"version": me.version})
    assert mine.status_code == 422 and get_user("admin").has_second_factor
    section = mine.get_data(as_text=True).split('data-testid="admin-second-factor"')[1].split("</section>")[0]
    assert 'data-testid="form-refused">您自己的动态验证码请在“我的账号”中重新设置。' in section


def test_the_code_step_expires(app):
    make_user("boss", "admin")
    client = app.test_client()
    password_step(client, "boss")
    with client.session_transaction() as session:
        session["pending_login"] = {**session["pending_login"], "at": session["pending_login"]["at"] - 301}
    response = client.get("/login/code")
    assert response.headers["Location"].endswith("/login")
    assert "请重新输入用户名和密码" in client.get("/login").get_data(as_text=True)
    assert "/login" in client.get("/").headers["Location"]


@pytest.mark.parametrize("minutes,signed_in", [(29, True), (31, False)])
def test_a_session_unused_for_the_idle_time_ends(app, auth, minutes, signed_in):
    auth.as_role("staff")
    assert app.config["IDLE_MINUTES"] == 30
    with auth.client.session_transaction() as session:
        session["seen"] = int(time.time()) - minutes * 60
    response = auth.client.get("/tasks/")
    assert (response.status_code == 200) is signed_in
    if not signed_in:
        assert "/login" in response.headers["Location"]
        page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
        assert "超过 30 分钟未操作" in page
        assert "logout_idle" in actions("staff")
        assert auth.client.get("/tasks/").status_code == 302  # and it stays ended


def test_idle_minutes_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_IDLE_MINUTES", "15")
    assert load_settings(tmp_path)["IDLE_MINUTES"] == 15
    monkeypatch.delenv("PORTAL_IDLE_MINUTES")
    assert load_settings(tmp_path)["IDLE_MINUTES"] == 30
