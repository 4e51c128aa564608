"""Every form that edits one thing shows a conflict the same way (portal.locking.Conflict,
templates/_conflict.html): the colleague's saved version, who and when, beside what was typed — which
stays in the form, unsaved — and saving the same form again never replaces the colleague's version;
only ticking 「以我填写的内容覆盖」 does. (Reports: tests/reports/test_conflicts.py; the roster's trainee
form: tests/training/test_trainee_edit.py; notes, evidence and ticks are additions and never conflict.)"""
from __future__ import annotations

import re

import sqlalchemy as sa

from portal.extensions import db
from portal.models import DutyInstance, User
from tests.conftest import AuthActions, make_user
from tests.factories import gen_instance, gen_liaison, gen_session


def cell(html: str, testid: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(rf'data-testid="{testid}">(.*?)</td>', html, re.S).group(1)).strip()


def token(html: str) -> str:
    return re.search(r'name="overwrite" value="([^"]+)"', html).group(1)


def test_the_responsible_person_form(app, plan):
    first, second = gen_session(app, gen_liaison("resp-a")), gen_session(app, gen_liaison("resp-b"))
    inst = gen_instance("transfer-children@yanhu-mz")
    url, seen = f"/tasks/{inst.id}/responsible", {"seen_name": "", "seen_phone": ""}
    assert first.post(url, {"name": "王红", "phone": "0359-2021001", **seen}).status_code == 302
    refused = second.post(url, {"name": "李明", "phone": "13900000001", **seen})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "测试resp-a" in html.split('data-testid="conflict"')[1]
    assert (cell(html, "theirs-name"), cell(html, "mine-name")) == ("王红", "李明")
    assert 'name="seen_name" value=""' in html and 'value="李明"' in html  # the form as opened, the typing kept
    assert second.post(url, {"name": "李明", "phone": "13900000001", **seen}).status_code == 422
    db.session.expire_all()
    assert db.session.get(DutyInstance, inst.id).responsible_name == "王红"
    chosen = second.post(url, {"name": "李明", "phone": "13900000001", **seen, "overwrite": token(html)})
    assert chosen.status_code == 302
    db.session.expire_all()
    assert db.session.get(DutyInstance, inst.id).responsible_name == "李明"


def test_the_account_form(app):
    make_user("acc-boss1", "admin")
    make_user("acc-boss2", "admin")
    target = make_user("acc-target", "liaison", unit="yanhu-mz")
    one, two = AuthActions(app.test_client()), AuthActions(app.test_client())
    one.login("acc-boss1")
    two.login("acc-boss2")
    url, version = f"/admin/users/{target.id}", str(target.version)
    base = {"roles": ["liaison"], "unit": "yanhu-mz", "version": version}
    assert one.post(url, {**base, "display_name": "张晓红"}).status_code == 302
    refused = two.post(url, {**base, "display_name": "张小红"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "测试acc-boss1" in html.split('data-testid="conflict"')[1]
    assert (cell(html, "theirs-display_name"), cell(html, "mine-display_name")) == ("张晓红", "张小红")
    assert f'name="version" value="{version}"' in html and 'value="张小红"' in html
    assert two.post(url, {**base, "display_name": "张小红"}).status_code == 422
    assert db.session.scalar(sa.select(User.display_name).where(User.id == target.id)) == "张晓红"
    assert two.post(url, {**base, "display_name": "张小红", "overwrite": token(html)}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.display_name).where(User.id == target.id)) == "张小红"
