"""Admin account management: create, edit roles and unit, deactivate, reset password."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, User
from tests.conftest import AuthActions, make_user
from tests.plans.helpers import form_posting_to, refused_message


def get_user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_admin_creates_a_liaison_who_can_log_in(app, auth):
    auth.as_role("admin")
    response = auth.post("/admin/users/new", {
        "username": "liu", "display_name": "刘联络", "roles": ["liaison", "staff"],
        "unit": "city-ga", "password": "Initial-pass-1",
    })
    assert response.status_code == 302
    user = get_user("liu")
    assert user.roles == ["liaison", "staff"] and user.unit.code == "city-ga"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "create", AuditEntry.object_label == "liu"))
    assert entry.actor_name == "admin" and entry.after["unit"] == "city-ga"
    other = AuthActions(app.test_client())
    assert other.login("liu", "Initial-pass-1").status_code == 302


def test_an_account_an_admin_created_must_change_its_password_at_first_login(app, auth):
    """The admin chose the password and knows it: the holder sets their own before anything else."""
    auth.as_role("admin")
    auth.post("/admin/users/new", {"username": "qin", "display_name": "秦科员", "roles": ["staff"],
                                   "unit": "city-mz", "password": "Initial-pass-1"})
    assert get_user("qin").must_change_password
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "create", AuditEntry.object_label == "qin"))
    assert entry.after["must_change_password"] is True
    holder = AuthActions(app.test_client())
    response = holder.login("qin", "Initial-pass-1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert "/account/password" in holder.client.get("/tasks/").headers["Location"]
    holder.post("/account/password", {"current_password": "Initial-pass-1", "new_password": "Own-secret-71",
                                      "confirm": "Own-secret-71"})
    assert holder.client.get("/tasks/").status_code == 200
    assert not get_user("qin").must_change_password


def test_cli_keeps_the_password_unless_marked_temporary(app, runner):
    kept = runner.invoke(args=["portal", "create-user", "op1", "--name", "运维甲", "--role", "staff", "--unit", "city-mz",
                               "--password", "Strong-pass-1"])
    assert kept.exit_code == 0 and not get_user("op1").must_change_password
    temporary = runner.invoke(args=["portal", "create-user", "op2", "--name", "运维乙", "--role", "staff", "--unit",
                                    "city-mz", "--password", "Strong-pass-1", "--temporary"])
    assert temporary.exit_code == 0, temporary.output
    assert get_user("op2").must_change_password
    holder = AuthActions(app.test_client())
    assert holder.login("op2", "Strong-pass-1").headers["Location"].endswith("/account/password")


def test_bad_new_user_input_gives_messages(auth):
    auth.as_role("admin")
    response = auth.post("/admin/users/new", {"username": "X Y!", "display_name": "", "roles": ["wizard"], "password": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请填写姓名" in html
    response = auth.post("/admin/users/new", {"username": "ok-name", "display_name": "某", "roles": ["liaison"], "password": "Long-enough-1"})
    assert "联络员必须归属一个单位" in response.get_data(as_text=True)
    response = auth.post("/admin/users/new", {"username": "ok-name", "display_name": "某", "roles": ["staff"], "unit": "no-such", "password": "Long-enough-1"})
    assert "不存在" in response.get_data(as_text=True)
    response = auth.post("/admin/users/new", {"username": "admin", "display_name": "某", "roles": ["staff"], "password": "Long-enough-1"})
    assert "已存在" in response.get_data(as_text=True)
    assert get_user("ok-name") is None


def test_each_refusal_of_a_new_account_is_said_once_in_one_wording(auth):
    auth.as_role("admin")
    response = auth.post("/admin/users/new", {"username": "a" * 70, "display_name": "张" * 70, "roles": ["staff"],
                                              "password": "Long-enough-1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("姓名不能超过 64 个字") == 1 and html.count("用户名须为 2–64 位") == 1
    assert "个字符" not in html
    response = auth.post("/admin/users/new", {"username": "ok-name", "display_name": "", "roles": ["staff"],
                                              "password": "Long-enough-1"})
    assert response.get_data(as_text=True).count("请填写姓名") == 1


def test_edit_roles_and_unit_is_audited_with_before_and_after(auth):
    auth.as_role("admin")
    target = make_user("zhao", "staff")
    response = auth.post(f"/admin/users/{target.id}", {
        "display_name": "赵某", "roles": ["staff", "trainer"], "unit": "yanhu-mz", "version": str(target.version),
    })
    assert response.status_code == 302
    user = get_user("zhao")
    assert user.roles == ["trainer", "staff"] and user.unit.code == "yanhu-mz"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert entry.before["unit"] == "city-mz" and entry.after["unit"] == "yanhu-mz"
    assert entry.before["roles"] == ["staff"] and entry.after["roles"] == ["trainer", "staff"]


def test_stale_edit_is_refused_not_merged(app, auth):
    auth.as_role("admin")
    target = make_user("zhao", "staff")
    seen_version = target.version
    # Another admin saves first.
    other = AuthActions(app.test_client())
    make_user("admin2", "admin")
    other.login("admin2")
    assert other.post(f"/admin/users/{target.id}", {"display_name": "先保存", "roles": ["staff"], "version": str(seen_version)}).status_code == 302
    response = auth.post(f"/admin/users/{target.id}", {"display_name": "后保存", "roles": ["leader"], "version": str(seen_version)})
    assert response.status_code == 422
    assert "已被他人修改" in response.get_data(as_text=True)
    user = get_user("zhao")
    assert user.display_name == "先保存" and user.roles == ["staff"]


def test_deactivated_user_cannot_log_in_and_is_never_deleted(app, auth):
    auth.as_role("admin")
    target = make_user("qian", "staff")
    response = auth.post(f"/admin/users/{target.id}/active", {"active": "0", "version": str(target.version)})
    assert response.status_code == 302
    assert get_user("qian").active is False
    assert AuthActions(app.test_client()).login("qian").status_code == 422
    response = auth.post(f"/admin/users/{target.id}/active", {"active": "1", "version": str(get_user("qian").version)})
    assert get_user("qian").active is True
    assert AuthActions(app.test_client()).login("qian").status_code == 302


def test_admin_cannot_deactivate_themselves(auth):
    me = auth.as_role("admin")
    response = auth.post(f"/admin/users/{me.id}/active", {"active": "0", "version": str(me.version)})
    assert response.status_code == 422  # the account's page again, the reason beside 停用账号
    html = response.get_data(as_text=True)
    assert refused_message(html) == "不能停用自己的账号。"
    assert 'data-testid="form-refused"' in form_posting_to(html, f"/admin/users/{me.id}/active")
    assert get_user("admin").active


def test_deactivated_users_session_stops_working(app, auth):
    auth.as_role("admin")
    target = make_user("sun", "staff")
    victim = AuthActions(app.test_client())
    victim.login("sun")
    assert victim.client.get("/").status_code == 200
    auth.post(f"/admin/users/{target.id}/active", {"active": "0", "version": str(target.version)})
    assert victim.client.get("/").status_code == 302


def test_reset_password(app, auth):
    auth.as_role("admin")
    target = make_user("wu", "staff")
    victim = AuthActions(app.test_client())
    victim.login("wu")
    assert victim.client.get("/").status_code == 200
    response = auth.post(f"/admin/users/{target.id}/password", {"new_password": "short", "version": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "至少 8 位" in refused_message(html)
    assert 'data-testid="form-refused"' in form_posting_to(html, f"/admin/users/{target.id}/password")
    assert 'value="short"' not in html  # a password is never typed back
    done = auth.post(f"/admin/users/{target.id}/password", {"new_password": "Brand-new-pass", "version": "1"},
                     follow_redirects=True).get_data(as_text=True)
    assert f"已重置{target.display_name}的密码" in done and "已重置 wu" not in done  # the person, not the login
    owner = AuthActions(app.test_client())
    assert owner.login("wu", "Brand-new-pass").status_code == 302
    # The admin knows the new password: the owner must set their own before anything else, told
    # why without being told it is a first login (it is not).
    assert "/password" in owner.client.get("/tasks/").headers["Location"]
    page = owner.client.get("/account/password").get_data(as_text=True)
    assert "他人为您设置" in page and "首次登录" not in page and "培训管理员为您开通" not in page
    owner.post("/account/password", {"current_password": "Brand-new-pass", "new_password": "Own-secret-71",
                                     "confirm": "Own-secret-71"})
    assert owner.client.get("/tasks/").status_code == 200
    # The session opened with the old password ends.
    assert victim.client.get("/").status_code == 302
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "reset_password")).object_label == "wu"


def test_user_list_filters(auth):
    auth.as_role("admin")
    make_user("ga-liaison", "liaison", unit="city-ga")
    make_user("jy-liaison", "liaison", unit="city-jy")
    html = auth.client.get("/admin/users?unit=city-ga").get_data(as_text=True)
    assert "ga-liaison" in html and "jy-liaison" not in html
    html = auth.client.get("/admin/users?role=liaison&q=jy").get_data(as_text=True)
    assert "jy-liaison" in html and "ga-liaison" not in html
    # Junk filters give an empty or full list, never an error.
    assert auth.client.get("/admin/users?role=x&unit=x'--&page=-3&status=??&endpoint=x").status_code == 200
    assert auth.client.get("/admin/users?q=%00").status_code == 400  # NUL: a clear 400 on every backend


def test_unknown_user_id_is_404(auth):
    auth.as_role("admin")
    assert auth.client.get("/admin/users/99999").status_code == 404


def test_a_malformed_state_change_is_refused_beside_its_form(auth):
    auth.as_role("admin")
    target = make_user("zhou", "staff")
    response = auth.post(f"/admin/users/{target.id}/active", {"active": "maybe", "version": str(target.version)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and refused_message(html) == "请求无效，请刷新页面后重试。"
    assert 'data-testid="form-refused"' in form_posting_to(html, f"/admin/users/{target.id}/active")
    assert get_user("zhou").active
