"""Authentication: password checks, throttled by account and client address."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal import locking
from portal.audit.services import record
from portal.extensions import db
from portal.models import User
from portal.security import throttle
from portal.security.passwords import password_problem

MIN_PASSWORD_LENGTH = 8
# Same wording for unknown user, wrong password and deactivated account: no hint which.
LOGIN_FAILED = "用户名或密码错误，或账号已停用。"
WRONG_CURRENT_PASSWORD = "当前密码不正确。"
LOGIN_THROTTLED = "登录失败次数过多，请 {wait}后再试。"


@dataclass
class LoginResult:
    user: User | None
    error: str | None


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def authenticate(username: str, password: str, ip: str = "") -> LoginResult:
    """Check a login, throttled by account and client address (portal/security/throttle.py)."""
    name = normalise_username(username)
    attempt = throttle.reserve(name, ip)
    user = db.session.scalar(sa.select(User).where(User.username == name))
    verdict = throttle.judge(attempt, user)
    if verdict.wait:
        throttle.withdraw(attempt)
        record("login_throttled", "user", name, label=name, actor_name=name[:64] or "?", ip=ip,
               after={"wait_seconds": verdict.wait, "reason": verdict.key})
        db.session.commit()
        return LoginResult(None, throttled_message(verdict.wait))

    if user is None or not user.active or not user.check_password(password):
        record("login_failed", "user", name, label=name, actor_name=name[:64] or "?", ip=ip)
        db.session.commit()  # the reserved row stays: it is this failure
        return LoginResult(None, LOGIN_FAILED)

    throttle.clear_pair(name, ip[:64])
    record("login", "user", user.id, label=user.username, actor=user, ip=ip)
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
