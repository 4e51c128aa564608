"""Authentication: password checks with per-username throttling."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from flask import current_app

from portal.audit.services import record
from portal.extensions import db
from portal.models import LoginFailure, User
from portal.models.base import utcnow
from portal.security.passwords import password_problem

MIN_PASSWORD_LENGTH = 8
# Same wording for unknown user, wrong password and deactivated account: no hint which.
LOGIN_FAILED = "用户名或密码错误，或账号已停用。"
WRONG_CURRENT_PASSWORD = "当前密码不正确。"
LOGIN_THROTTLED = "登录失败次数过多，请 {minutes} 分钟后再试。"


@dataclass
class LoginResult:
    user: User | None
    error: str | None


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def authenticate(username: str, password: str, ip: str = "") -> LoginResult:
    name = normalise_username(username)
    max_failures = current_app.config["LOGIN_MAX_FAILURES"]
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    since = utcnow() - window
    recent = db.session.scalar(
        sa.select(sa.func.count(LoginFailure.id)).where(
            LoginFailure.username == name, LoginFailure.at >= since
        )
    )
    if recent >= max_failures:
        return LoginResult(None, LOGIN_THROTTLED.format(minutes=int(window.total_seconds() // 60)))

    user = db.session.scalar(sa.select(User).where(User.username == name))
    if user is None or not user.active or not user.check_password(password):
        db.session.add(LoginFailure(username=name[:64], ip=ip[:64]))
        record("login_failed", "user", name, label=name, actor_name=name[:64] or "?", ip=ip)
        db.session.commit()
        return LoginResult(None, LOGIN_FAILED)

    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == name))
    record("login", "user", user.id, label=user.username, actor=user, ip=ip)
    db.session.commit()
    return LoginResult(user, None)


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
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return "账号信息刚被管理员修改，请重新输入后再试。"
    return None
