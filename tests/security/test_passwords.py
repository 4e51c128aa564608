"""Weak passwords are refused, with a clear Chinese message, wherever a password is set."""
from __future__ import annotations

import pytest

from portal.security.passwords import common_passwords, password_problem
from tests.conftest import PASSWORD, make_user
from tests.plans.helpers import form_posting_to

WEAK = ["12345678", "password", "aaaaaaaa", "Password123!", "qwertyuiop", "1qaz2wsx", "woaini1314",
        "abcdefgh", "87654321", "12121212", "abcabcabc", "20220901", "admin2026!", "P@ssw0rd"]
STRONG = [PASSWORD, "Demo-admin-2026", "蓝天-白云-2026", "tuo-guan-jiao-jie-9", "Xk7#pq2Lm"]


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused(password):
    message = password_problem(password)
    assert message and message.startswith("密码太简单"), (password, message)


@pytest.mark.parametrize("password", STRONG)
def test_reasonable_passwords_pass(password):
    assert password_problem(password) is None


# Issue 18: each was accepted before, each now refused with the reason in Chinese.
ISSUE_18 = {
    "1qaz@WSX": "键盘上相邻的键",  # 1qaz, then Shift with 2wsx: two columns of the keyboard
    "!@#$%^&*": "只含符号",
    "abc@1234": "简单的字母、数字序列",
    "a1b2c3d4": "简单的字母、数字序列",
    "1234abcd": "简单的字母、数字序列",
    "ceshi123": "拼音词",
}
MORE_WALKS = ["zaq1@WSX", "2wsx3edc", "1qazxsw2", "Qwer!234", "asdf;lkj"]


@pytest.mark.parametrize("password,why", ISSUE_18.items())
def test_issue_18_passwords_are_refused_saying_why(password, why):
    message = password_problem(password)
    assert message and why in message, (password, message)


@pytest.mark.parametrize("password", MORE_WALKS + ["Mima@2026", "woaini@520", "Zhangsan#1", "AAbb1122", "z1y2x3w4"])
def test_more_walks_pinyin_words_and_patterns_are_refused(password):
    assert password_problem(password), password


@pytest.mark.parametrize("password", ["Zhangwei@2026", "weizhang-88", "zw123456", "ZW@20261201", "zhangw2026"])
def test_the_pinyin_of_ones_own_name_is_refused(password):
    message = password_problem(password, username="u1", display_name="张伟")
    assert message and "姓名的拼音" in message, (password, message)
    assert password_problem(password, username="u1", display_name="李娜") is None or "姓名" not in password_problem(
        password, username="u1", display_name="李娜")


def test_a_given_name_and_a_surname_of_two_readings():
    assert "姓名的拼音" in password_problem("Xiaoming-Lucky-7", display_name="王晓明")
    assert "姓名的拼音" in password_problem("shanlei-2026", display_name="单磊")  # 单 as a surname: shan
    assert password_problem("Xiaoming-Lucky-7", display_name="王丽") is None


@pytest.mark.parametrize("display_name", ["刘红（演示）", "刘红(盐湖区)", "刘红（"])
@pytest.mark.parametrize("password", ["liuhong123", "lh123456", "liuhong2026"])
def test_a_note_in_brackets_after_the_name_does_not_hide_the_name(display_name, password):
    message = password_problem(password, username="u1", display_name=display_name)
    assert message and "姓名的拼音" in message, (display_name, password, message)


def test_random_passwords_still_pass():
    import random

    rng = random.Random(18)
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-#!"
    refused = [pw for pw in ("".join(rng.choice(alphabet) for _ in range(12)) for _ in range(500))
               if password_problem(pw, display_name="张伟")]
    assert refused == []


def test_short_and_name_based_passwords():
    assert password_problem("Ab3$") == "密码至少 8 位。"
    assert "用户名" in password_problem("zhangwei-2026", username="zhangwei")


def test_the_bundled_list_is_loaded():
    assert {"123456", "password", "woaini1314", "5201314"} <= common_passwords()
    assert len(common_passwords()) > 200


def test_admin_cannot_create_an_account_with_a_weak_password(app, auth):
    auth.as_role("admin")
    response = auth.post("/admin/users/new", {"username": "ma", "display_name": "马", "roles": ["staff"],
                                             "unit": "city-mz", "password": "12345678"})
    assert response.status_code == 422
    assert "密码太简单" in response.get_data(as_text=True)
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import User

    assert db.session.scalar(sa.select(User).where(User.username == "ma")) is None


def test_admin_page_refuses_the_pinyin_of_the_new_persons_name(app, auth):
    auth.as_role("admin")
    response = auth.post("/admin/users/new", {"username": "zhw", "display_name": "张伟", "roles": ["staff"],
                                             "unit": "city-mz", "password": "Zhangwei@2026"})
    assert response.status_code == 422
    assert "姓名的拼音" in response.get_data(as_text=True)


def test_admin_reset_refuses_a_weak_password(app, auth):
    auth.as_role("admin")
    target = make_user("target", "staff")
    before = target.password_hash
    response = auth.post(f"/admin/users/{target.id}/password", {"new_password": "aaaaaaaa", "version": target.version})
    assert response.status_code == 422
    assert "密码太简单" in form_posting_to(response.get_data(as_text=True), f"/admin/users/{target.id}/password")
    from portal.extensions import db

    db.session.refresh(target)
    assert target.password_hash == before


def test_user_cannot_change_to_a_weak_password(app, auth):
    user = auth.as_role("staff")
    response = auth.post("/account/password", {"current_password": PASSWORD, "new_password": "password",
                                               "confirm": "password"})
    assert response.status_code == 422
    assert "新密码：密码太简单" in response.get_data(as_text=True)
    from portal.extensions import db

    db.session.refresh(user)
    assert user.check_password(PASSWORD)  # unchanged


def test_cli_refuses_a_weak_password(runner):
    result = runner.invoke(args=["portal", "create-user", "ma", "--name", "马明", "--role", "staff", "--unit", "city-mz",
                                 "--password", "qwerty123"])
    assert result.exit_code == 1
    assert "密码太简单" in result.output
