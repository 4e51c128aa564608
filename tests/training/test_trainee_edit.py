"""Correcting one trainee: the form, the roster file's rules, scope, phone and account uniqueness, a
stale form, the audit entry with before/after and the trainee's 修改记录."""
import re
from html import unescape

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, TrainingPlace, User
from tests.conftest import make_user
from tests.training.helpers import import_rows, trainee

ROWS = ("张三,儿童主任,盐湖区,北城街道,红旗社区,13800000001,,",
        "李四,儿童主任,盐湖区,北城街道,槐东社区,13800000002,,",
        "王五,儿童主任,永济市,城西街道,西厢村,13800000003,,")


def roster_and_trainer(auth, phone: str):
    """The three-person roster imported, a city trainer signed in; the trainee with this phone."""
    import_rows(*ROWS)
    make_user("tr", "trainer")
    auth.login("tr")
    return trainee(phone)


def form_of(page: str) -> dict:
    """The edit form's current values, as the browser would send them back."""
    form = page[page.index('data-testid="trainee-form"'):]
    form = form[:form.index("</form>")]
    data = {n: unescape(v) for n, v in re.findall(r'<input[^>]*?name="(\w+)"[^>]*?value="([^"]*)"', form)
            if n != "active"}
    for name in ("role", "county"):
        data[name] = re.search(rf'<select[^>]*name="{name}".*?<option selected value="([^"]*)"', form, re.S).group(1)
    if re.search(r'<input checked[^>]*name="active"', form):
        data["active"] = "y"
    return data


def open_form(client, t):
    page = client.get(f"/training/trainees/{t.id}/edit").get_data(as_text=True)
    return page, form_of(page)


def test_trainer_corrects_one_person_and_the_change_is_audited(app, client, auth):
    t = roster_and_trainer(auth, "13800000001")
    page, data = open_form(client, t)
    assert data["name"] == "张三" and data["phone"] == "13800000001" and data["county"] == "盐湖区"
    assert data["role"] == "director" and data["township"] == "北城街道" and data["village"] == "红旗社区"
    data.update(name="张叁", township="南城街道", village="新村", phone="13900000001", note="更正姓名")
    response = client.post(f"/training/trainees/{t.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    t = trainee("13900000001")
    assert (t.name, t.township.name, t.village.name, t.note) == ("张叁", "南城街道", "新村", "更正姓名")
    assert db.session.scalar(sa.select(sa.func.count(TrainingPlace.id)).where(TrainingPlace.name == "新村")) == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "trainee",
                                                          AuditEntry.object_id == str(t.id)).order_by(AuditEntry.id.desc()))
    assert entry.before["name"] == "张三" and entry.after["name"] == "张叁"
    assert entry.before["township"] == "北城街道" and entry.after["township"] == "南城街道"
    assert entry.before["phone"] == "13800000001" and entry.after["phone"] == "13900000001"
    person = client.get(f"/training/trainees/{t.id}").get_data(as_text=True)
    changes = person[person.index('data-testid="changes"'):]
    assert "姓名：张三 → 张叁" in changes and "北城街道 → 南城街道" in changes
    roster = client.get("/training/roster").get_data(as_text=True)
    assert f"/training/trainees/{t.id}/edit" in roster  # reachable from the roster list


def test_bad_values_are_refused_per_field_and_nothing_changes(app, client, auth):
    t = roster_and_trainer(auth, "13800000001")
    _, data = open_form(client, t)
    cases = [({"phone": "13800000002"}, "该手机号已登记为李四"),
             ({"phone": "123"}, "“123”不是11位手机号"),
             ({"village": ""}, "儿童主任必须填写所在村（社区）"),
             ({"role": "supervisor"}, "儿童督导员在乡镇（街道）工作，村（社区）应留空"),
             ({"account": "Bad Name!"}, "须为2–64位字母、数字")]
    make_user("staffer", "staff")
    cases.append(({"account": "staffer"}, "是工作人员账号"))
    for change, message in cases:
        response = client.post(f"/training/trainees/{t.id}/edit", data={**data, **change})
        assert response.status_code == 422 and message in response.get_data(as_text=True), change
    assert (trainee("13800000001").name, trainee("13800000001").village.name) == ("张三", "红旗社区")


def test_a_county_trainer_edits_only_their_county(app, client, auth):
    import_rows(*ROWS)
    make_user("yh", "trainer", unit="yanhu-mz")
    auth.login("yh")
    assert client.get(f"/training/trainees/{trainee('13800000003').id}/edit").status_code == 404
    t = trainee("13800000001")
    page, data = open_form(client, t)
    assert "永济市" not in page  # only their county to choose
    response = client.post(f"/training/trainees/{t.id}/edit", data={**data, "county": "永济市"})
    assert response.status_code == 422 and trainee("13800000001").county.name == "盐湖区"
    # another county's phone is not named to them
    response = client.post(f"/training/trainees/{t.id}/edit", data={**data, "phone": "13800000003"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "王五" not in text and "在您负责范围以外" in text


def test_a_stale_form_does_not_overwrite_a_newer_change(app, client, auth):
    t = roster_and_trainer(auth, "13800000001")
    _, data = open_form(client, t)
    import_rows("张三丰,儿童主任,盐湖区,北城街道,红旗社区,13800000001,,")  # someone else renames first
    response = client.post(f"/training/trainees/{t.id}/edit", data={**data, "note": "我的修改"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="stale"' in page
    # the colleague's version beside what was typed, which stays in the form (nothing lost)
    assert re.search(r'data-testid="theirs-name"><div class="pre">张三丰<', page)
    assert 'value="我的修改"' in page and f'name="version" type="hidden" value="{data["version"]}"' in page
    assert trainee("13800000001").name == "张三丰" and trainee("13800000001").note == ""
    again = client.post(f"/training/trainees/{t.id}/edit", data={**data, "note": "我的修改"})
    assert again.status_code == 422 and trainee("13800000001").note == ""  # saving again changes nothing
    token = re.search(r'name="overwrite" value="(\d+)"', page).group(1)
    chosen = client.post(f"/training/trainees/{t.id}/edit", data={**data, "name": "张三丰", "note": "我的修改",
                                                                 "overwrite": token})
    assert chosen.status_code == 302 and (trainee("13800000001").name, trainee("13800000001").note) == ("张三丰", "我的修改")


def test_account_opened_from_the_form_shows_its_first_password_once_and_deactivation(app, client, auth):
    t = roster_and_trainer(auth, "13800000002")
    _, data = open_form(client, t)
    response = client.post(f"/training/trainees/{t.id}/edit", data={**data, "account": "lisi"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    shown = re.search(r"<code>lisi</code></td><td[^>]*><code>([^<]+)</code>", page).group(1)
    account = db.session.scalar(sa.select(User).where(User.username == "lisi"))
    assert account.check_password(shown) and account.must_change_password and trainee("13800000002").user_id == account.id
    _, data = open_form(client, trainee("13800000002"))
    assert data["account"] == "lisi"
    data.pop("active")
    response = client.post(f"/training/trainees/{t.id}/edit", data=data)  # unticked: 停用
    assert response.status_code == 302 and trainee("13800000002").active is False
    person = client.get(f"/training/trainees/{t.id}").get_data(as_text=True)
    assert "已停用" in person and shown not in person
    # the person's own login follows them: an inactive trainee cannot sign in, an active one can again
    assert db.session.get(User, account.id).active is False
    _, data = open_form(client, trainee("13800000002"))
    client.post(f"/training/trainees/{t.id}/edit", data={**data, "active": "y"})
    assert db.session.get(User, account.id).active is True
    # unlinked from the trainee, a 学员-only login has nothing left to show: it is switched off
    _, data = open_form(client, trainee("13800000002"))
    client.post(f"/training/trainees/{t.id}/edit", data={**data, "account": ""})
    assert trainee("13800000002").user_id is None and db.session.get(User, account.id).active is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "user", AuditEntry.object_id == str(account.id),
        AuditEntry.action.in_(["deactivate", "reactivate"]))) == 3


def test_edit_needs_csrf(app, client, auth):
    t = roster_and_trainer(auth, "13800000001")
    _, data = open_form(client, t)
    data.pop("csrf_token")
    assert client.post(f"/training/trainees/{t.id}/edit", data={**data, "name": "无令牌"}).status_code in (400, 422)
    assert trainee("13800000001").name == "张三"


def test_a_lost_first_password_is_issued_again_once(app, client, auth):
    import_rows("刘红,儿童主任,盐湖区,北城街道,红旗社区,13800000009,liuhong,", *ROWS)
    make_user("yh", "trainer", unit="yanhu-mz")
    auth.login("yh")
    t = trainee("13800000009")
    page = client.get(f"/training/trainees/{t.id}").get_data(as_text=True)
    assert 'data-testid="new-password"' in page and "尚未首次登录改密码" in page
    response = auth.post(f"/training/trainees/{t.id}/new-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "重新生成的学员初始密码" in response.get_data(as_text=True)  # a reset, not 新建学员账号的初始密码
    assert "新建学员账号" not in response.get_data(as_text=True)
    shown = unescape(re.search(r"<code>liuhong</code></td><td[^>]*><code>([^<]+)</code>",
                               response.get_data(as_text=True)).group(1))
    db.session.expire_all()
    account = db.session.scalar(sa.select(User).where(User.username == "liuhong"))
    assert account.check_password(shown) and account.must_change_password
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_type == "user",
                                                                AuditEntry.object_id == str(account.id))
                             .order_by(AuditEntry.id.desc())) == "reset_password"
    # no account: nothing to issue; a staff account is never reset from here
    refused = auth.post(f"/training/trainees/{trainee('13800000001').id}/new-password")
    assert refused.status_code == 422  # the trainee's page again: no such form on it, the reason on top
    assert 'data-testid="form-refused">该学员没有可重置的学员账号。' in refused.get_data(as_text=True)


@pytest.mark.fresh_db
def test_an_account_registered_meanwhile_is_a_message_and_the_form_keeps_the_typing(app, client, auth,
                                                                                     monkeypatch):
    """Between the check and the write a parallel import created the account the trainer typed: the
    trainer is told, nothing is saved, and the form still holds what was typed (not a server error)."""
    from portal.training import roster_edit

    t = roster_and_trainer(auth, "13800000001")
    _, data = open_form(client, t)
    data.update(name="张叁", account="zhangsan")
    make_user("zhangsan", "trainee")  # as if a parallel import had just created it
    monkeypatch.setattr(roster_edit, "accounts_by_name", lambda names: {})  # the check ran before that
    response = client.post(f"/training/trainees/{t.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "有他人同时登记了相同的手机号或账号" in page and 'value="张叁"' in page
    db.session.expire_all()
    t = trainee("13800000001")
    assert t.name == "张三" and t.user_id is None
