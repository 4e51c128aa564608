"""Roster import with the 账号 column: the preview promises what the import does; new accounts get a
first password shown once (page, sheet, command line) that must be changed at first login."""
import re
from base64 import b64decode
from html import unescape
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import AuditEntry, User
from portal.training.roster import import_roster
from tests.conftest import extract_csrf, make_user
from tests.training.helpers import csv_bytes, import_rows, trainee

FIRST = ("甲,儿童督导员,盐湖区,北城街道,,13800000001,,",
         "乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,yi,",
         "丙,儿童主任,盐湖区,北城街道,槐东社区,13800000003,,",
         "戊,儿童主任,盐湖区,北城街道,红旗社区,13800000005,,")
SECOND = ("甲,儿童督导员,盐湖区,北城街道,,13800000001,,",  # unchanged
          "乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,yi,",  # unchanged, same account
          "丙,儿童主任,盐湖区,北城街道,槐东社区,13800000003,bing,",  # updated: a new account only
          "丁,儿童主任,盐湖区,南城街道,新村,13800000004,ding,",  # created, two new places, new account
          "戊改名,儿童主任,盐湖区,北城街道,红旗社区,13800000005,,")  # updated: the name


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_preview_counts_are_what_the_import_then_does(app):
    import_rows(*FIRST)
    data = csv_bytes(*SECOND)
    preview = import_roster(data, "r.csv", None, dry_run=True)
    assert preview.ok and user("bing") is None and trainee("13800000004") is None  # nothing written
    result = import_roster(data, "r.csv", None, dry_run=False)
    assert preview.counts() == result.counts() == (1, 2, 2, 2, 2)
    assert preview.new_accounts == result.new_accounts == ["bing", "ding"]
    assert preview.updates == result.updates == ["第4行 丙：账号", "第6行 戊：姓名"]  # what the preview lists
    assert trainee("13800000003").user.username == "bing" and trainee("13800000005").name == "戊改名"
    again = import_roster(data, "r.csv", None, dry_run=True)  # the same file again changes nothing
    assert again.counts() == import_roster(data, "r.csv", None, dry_run=False).counts() == (0, 0, 5, 0, 0)


def test_new_accounts_get_a_first_password_shown_once_and_changed_at_first_login(app, client, auth):
    result = import_rows(*FIRST)
    assert [(name, account) for name, account, _ in result.initial_passwords] == [("乙", "yi")]
    password = result.initial_passwords[0][2]
    account = user("yi")
    assert account.must_change_password and account.check_password(password)
    assert password not in account.password_hash and account.roles == ["trainee"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "user",
                                                          AuditEntry.object_id == str(account.id)))
    assert entry.action == "create" and password not in str(entry.after)
    # first login: every page leads to the password change until it is done
    response = auth.login("yi", password)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert client.get("/training/my").headers["Location"].endswith("/account/password")
    assert client.get("/api/training").status_code == 403
    page = client.get("/account/password").get_data(as_text=True)
    assert 'data-testid="first-password"' in page
    response = client.post("/account/password", data={
        "csrf_token": extract_csrf(page), "current_password": password, "new_password": "Xinmima-Liang-2026",
        "confirm": "Xinmima-Liang-2026"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not user("yi").must_change_password
    assert client.get("/training/my").status_code == 200


def test_page_explains_then_shows_the_passwords_once_with_a_sheet(app, client, auth):
    make_user("tr", "trainer")
    auth.login("tr")
    page = auth.post("/training/roster/import", data={"file": (BytesIO(csv_bytes(*FIRST)), "r.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="new-accounts-note"' in page and "只显示一次" in page and "首次登录须先修改密码" in page
    note = page.split('data-testid="new-accounts-note"')[1].split("</p>")[0]
    assert "将为乙新建学员登录账号" in note and "yi" not in note  # the person, not the login name
    additions = page.split('data-testid="import-additions"')[1].split("</details>")[0]
    assert re.search(r"<li>第\d+行 乙（儿童主任，", additions)  # who will be added, before confirming
    assert user("yi") is None
    token = re.search(r'name="token"[^>]*value="([0-9a-f]+)"', page).group(1)
    response = auth.post("/training/roster/import/confirm", data={"token": token})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    shown = re.search(r"<code>yi</code></td><td[^>]*><code>([^<]+)</code>", page).group(1)
    assert user("yi").check_password(unescape(shown))
    # the guidance for a lost password names what the trainer can do, and the menus as they are called
    assert "账号管理" not in page and "“重新生成初始密码”" in page and "“用户管理”" in page
    sheet = re.search(r'href="data:application/vnd[^;]+;base64,([^"]+)"', page).group(1)
    ws = load_workbook(BytesIO(b64decode(sheet))).active
    assert [c.value for c in ws[2]][:4] == ["序号", "姓名", "登录账号", "初始密码"]
    assert [c.value for c in ws[3]][1:4] == ["乙", "yi", unescape(shown)]
    # never again: the same confirmation is refused, and the roster does not show passwords
    assert auth.post("/training/roster/import/confirm", data={"token": token}).status_code == 422
    assert unescape(shown) not in client.get("/training/roster").get_data(as_text=True)


def test_cli_prints_the_first_passwords_once(app, runner, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(*FIRST))
    dry = runner.invoke(args=["portal", "import-roster", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "new accounts (their initial passwords are printed once" in dry.output
    assert user("yi") is None
    real = runner.invoke(args=["portal", "import-roster", str(path)])
    assert real.exit_code == 0, real.output
    line = next(ln for ln in real.output.splitlines() if ln.startswith("乙\t"))
    name, account, password = line.split("\t")
    assert account == "yi" and user("yi").check_password(password) and user("yi").must_change_password
    again = runner.invoke(args=["portal", "import-roster", str(path)])
    assert again.exit_code == 0 and "Initial passwords" not in again.output  # the account exists now


@pytest.mark.fresh_db
def test_an_account_registered_meanwhile_refuses_the_whole_import_with_a_message(app, monkeypatch):
    """Between the check and the write someone else created the account: nothing is imported, and the
    trainer is told to preview again (not a server error)."""
    from portal.training import roster

    make_user("yi", "trainee")  # as if a parallel import had just created it
    monkeypatch.setattr(roster, "accounts_by_name", lambda names: {})  # the check ran before that
    result = import_roster(csv_bytes(*FIRST), "r.csv", None, dry_run=False)
    assert not result.applied and [p.zh for p in result.problems] == [roster.CONCURRENT_IMPORT]
    assert trainee("13800000001") is None  # nothing partial
    assert str(result.problems[0]).startswith("row 0: ")
