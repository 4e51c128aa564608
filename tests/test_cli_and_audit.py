"""CLI account creation, setup idempotence, and the append-only audit log."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit.services import record
from portal.core.roles import ROLE_ORDER
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import AuditEntry, User
from tests.conftest import AuthActions


def test_create_user_non_interactively(app, runner):
    result = runner.invoke(args=["portal", "create-user", "ma", "--name", "马丽", "--role", "liaison", "--role", "staff",
                                 "--unit", "city-jy", "--password", "Strong-pass-1"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "ma"))
    assert user.roles == ["liaison", "staff"] and user.unit.code == "city-jy" and user.display_name == "马丽"
    assert AuthActions(app.test_client()).login("ma", "Strong-pass-1").status_code == 302


@pytest.mark.parametrize("args, message", [
    (["ma", "--name", "马丽", "--role", "liaison", "--password", "Strong-pass-1"], "联络员必须归属一个单位"),
    (["ma", "--name", "马丽", "--role", "staff", "--unit", "mars", "--password", "Strong-pass-1"], "单位代码 mars 不存在"),
    (["ma", "--name", "马丽", "--role", "staff", "--password", "short"], "至少 8 位"),
])
def test_create_user_errors(runner, args, message):
    result = runner.invoke(args=["portal", "create-user", *args])
    assert result.exit_code == 1
    assert message in result.output


def test_create_user_checks_the_name_and_unit_before_asking_for_the_password(runner):
    missing = runner.invoke(args=["portal", "create-user", "ma", "--role", "staff"], input="Strong-pass-1\nStrong-pass-1\n")
    assert missing.exit_code == 2 and "--name" in missing.output and "Password" not in missing.output
    bad_unit = runner.invoke(args=["portal", "create-user", "ma", "--name", "马丽", "--role", "staff", "--unit", "mars"],
                             input="Strong-pass-1\nStrong-pass-1\n")
    assert bad_unit.exit_code == 1 and "mars" in bad_unit.output and "Password" not in bad_unit.output
    asked = runner.invoke(args=["portal", "create-user", "ma", "--name", "马丽", "--role", "staff"],
                          input="Strong-pass-1\nStrong-pass-1\n")
    assert asked.exit_code == 0 and "Password" in asked.output, asked.output
    assert db.session.scalar(sa.select(User).where(User.username == "ma")).display_name == "马丽"


def test_create_user_rejects_unknown_role(runner):
    result = runner.invoke(args=["portal", "create-user", "ma", "--name", "马丽", "--role", "wizard", "--password", "Strong-pass-1"])
    assert result.exit_code == 2 and "wizard" in result.output


def test_demo_accounts_get_random_passwords_printed_once(app, capsys):
    from portal.cli import print_demo_accounts
    from portal.demo import DEMO_ACCOUNTS

    print_demo_accounts()
    out = capsys.readouterr().out
    passwords = {}
    for demo in DEMO_ACCOUNTS:
        match = re.search(rf"username: {re.escape(demo.username)} +password: (\S+)", out)
        assert match, out
        passwords[demo.username] = match.group(1)
        assert demo.password not in out  # not the published fixed set
    assert len(set(passwords.values())) == len(DEMO_ACCOUNTS)
    assert "shown only this once" in out
    roles = {r for demo in DEMO_ACCOUNTS for r in demo.roles}
    assert roles == set(ROLE_ORDER)  # one demo account per role, 安全管理员 and 审计管理员 included
    for username, password in passwords.items():
        assert AuthActions(app.test_client()).login(username, password).status_code == 302
    # A second run neither changes nor reveals them.
    print_demo_accounts()
    again = capsys.readouterr().out
    assert not any(p in again for p in passwords.values())
    assert AuthActions(app.test_client()).login("admin", passwords["admin"]).status_code == 302


def test_fixed_demo_passwords_on_request(app, capsys):
    from portal.cli import print_demo_accounts
    from portal.demo import DEMO_ACCOUNTS, ensure_demo_accounts

    print_demo_accounts(fixed=True)
    out = capsys.readouterr().out
    for demo in DEMO_ACCOUNTS:
        assert f"username: {demo.username}" in out and demo.password in out
    assert {r.state for r in ensure_demo_accounts(fixed=True)} == {"exists"}
    for demo in DEMO_ACCOUNTS:
        assert AuthActions(app.test_client()).login(demo.username, demo.password).status_code == 302


def test_audit_log_is_append_only(app):
    entry = record("update", "unit", "x", label="x", before={"a": 1}, after={"a": 2}, actor_name="t")
    db.session.commit()
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_audit_page_filters_and_rejects_bad_dates(auth):
    auth.as_role("auditor")
    record("update", "unit", "city-ga", label="运城市公安局", before={"name": "旧"}, after={"name": "新"}, actor_name="sync")
    db.session.commit()
    html = auth.client.get("/admin/audit/?type=unit&q=公安").get_data(as_text=True)
    assert "运城市公安局" in html and "旧" in html and "新" in html
    html = auth.client.get("/admin/audit/?type=user").get_data(as_text=True)
    assert "运城市公安局" not in html
    response = auth.client.get("/admin/audit/?from=2022-13-45&to=yesterday")
    assert response.status_code == 200
    assert "开始日期：没有13月" in response.get_data(as_text=True)
    today = (utcnow() + timedelta(hours=8)).date().isoformat()
    html = auth.client.get(f"/admin/audit/?from={today}&to={today}&actor=sync").get_data(as_text=True)
    assert "运城市公安局" in html
    fragment = auth.client.get("/admin/audit/?q=公安", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "运城市公安局" in fragment


def test_a_duty_timeline_leaves_out_unset_fields_of_a_creation_but_the_log_keeps_them(app):
    """已归档：否 on a freshly created record is noise on a working page; the audit log shows all."""
    from portal.audit.display import present

    record("create", "duty", "demo-duty", label="演示任务", after={"archived": False, "title": "演示任务"})
    record("update", "duty", "demo-duty", label="演示任务", before={"archived": True}, after={"archived": False})
    db.session.flush()
    created, updated = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_id == "demo-duty")
                                          .order_by(AuditEntry.id)).all()
    assert dict(present([created], brief=True)[0].after) == {"标题": "演示任务"}
    assert "已归档" in dict(present([created])[0].after)  # the full log
    assert dict(present([updated], brief=True)[0].after) == {"已归档": "否"}  # a change, not a default
