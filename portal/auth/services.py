"""Authentication: password checks, then the second factor's code, each throttled by account,
client address and browser (portal/security/throttle.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from portal import locking
from portal.audit.services import record
from portal.extensions import db
from portal.models import User
from portal.models.users import check_no_account
from portal.security import second_factor, throttle
from portal.security.passwords import password_problem

MIN_PASSWORD_LENGTH = 8
# Same wording for unknown user, wrong password and deactivated account: no hint which.
LOGIN_FAILED = "用户名或密码错误，或账号已停用。"
WRONG_CURRENT_PASSWORD = "当前密码不正确。"
LOGIN_THROTTLED = "登录失败次数过多，请 {wait}后再试。"
CODE_FAILED = "验证码不正确或已用过，请输入验证器上当前显示的 6 位数字，或一个未用过的恢复码。"
SECOND_FACTOR_LABELS = {"totp": "动态验证码", "recovery": "恢复码"}


@dataclass
class LoginResult:
    user: User | None
    error: str | None
    needs_code: bool = False  # the password was right; the second factor's code comes next


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _no_device(_user_id) -> str:
    return ""


def _password_matches(user: User | None, password: str) -> bool:
    """One password hash whether or not the account exists or is active: the time a failed login
    takes tells nothing about the username."""
    if user is None:
        check_no_account(password)
        return False
    return user.check_password(password) and user.active


def _throttled(attempt, verdict, name: str, ip: str, step: str) -> LoginResult:
    throttle.withdraw(attempt)
    record("login_throttled" if step == throttle.PASSWORD else "login_code_throttled", "user", name, label=name,
           actor_name=name[:64] or "?", ip=ip, after={"wait_seconds": verdict.wait, "reason": verdict.key})
    db.session.commit()
    return LoginResult(None, throttled_message(verdict.wait))


def authenticate(username: str, password: str, ip: str = "",
                 device_for: Callable[[int | None], str] = _no_device) -> LoginResult:
    """Check a password, throttled by account, client address and browser (`device_for` gives this
    browser's device token for an account id, portal/security/devices.py)."""
    name = normalise_username(username)
    user = db.session.scalar(sa.select(User).where(User.username == name))
    attempt = throttle.reserve(name, ip, device_for(user.id if user else None))
    verdict = throttle.judge(attempt, user)
    if verdict.wait:
        return _throttled(attempt, verdict, name, ip, throttle.PASSWORD)

    if not _password_matches(user, password):
        record("login_failed", "user", name, label=name, actor_name=name[:64] or "?", ip=ip)
        db.session.commit()  # the reserved row stays: it is this failure
        return LoginResult(None, LOGIN_FAILED)

    throttle.clear_key(attempt)
    if user.has_second_factor:
        record("login_password_ok", "user", user.id, label=user.username, actor=user, ip=ip)
        db.session.commit()
        return LoginResult(user, None, needs_code=True)
    record("login", "user", user.id, label=user.username, actor=user, ip=ip)
    db.session.commit()
    return LoginResult(user, None)


def verify_second_factor(user: User, code: str, ip: str = "",
                         device_for: Callable[[int | None], str] = _no_device) -> LoginResult:
    """The second step of a sign-in: a current code or an unused recovery code, throttled like passwords."""
    attempt = throttle.reserve(user.username, ip, device_for(user.id), step=throttle.CODE)
    verdict = throttle.judge(attempt, user)
    if verdict.wait:
        return _throttled(attempt, verdict, user.username, ip, throttle.CODE)
    how = second_factor.check(user, code)
    if how is None:
        record("login_code_failed", "user", user.id, label=user.username, actor=user, ip=ip)
        db.session.commit()
        return LoginResult(None, CODE_FAILED)
    throttle.clear_key(attempt)
    record("login", "user", user.id, label=user.username, actor=user, ip=ip,
           after={"second_factor": SECOND_FACTOR_LABELS[how]})
    db.session.commit()
    return LoginResult(user, None)


def throttled_message(seconds: int) -> str:
    if seconds < 90:
        return LOGIN_THROTTLED.format(wait=f"{seconds} 秒")
    return LOGIN_THROTTLED.format(wait=f"{(seconds + 59) // 60} 分钟")


def change_password(user: User, current: str, new: str) -> str | None:
    """Returns an error message, or None when the password was changed."""
    if not user.check_password(current):
        return WRONG_CURRENT_PASSWORD
    if current == new:
        return "新密码不能与当前密码相同。"
    weak = password_problem(new, username=user.username, display_name=user.display_name)
    if weak:
        return weak
    user.set_password(new)
    record("change_password", "user", user.id, label=user.username, actor=user)
    try:
        locking.commit(_StalePassword)
    except _StalePassword:
        return "账号信息刚被管理员修改，请重新输入后再试。"
    return None


class _StalePassword(Exception):
    """The account changed (an admin edit) while the password was being changed."""
