"""Turning a person's own second factor on and off, and new recovery codes (我的账号).

Each asks for the current password again: a session left open on a shared PC must not be enough to
take over or remove someone's second factor. The QR code and secret of an enrolment in progress live
in the (signed) session until the first code confirms them, and are dropped then.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from portal.audit.services import record
from portal.extensions import db
from portal.models import User
from portal.security import second_factor

WRONG_PASSWORD = "当前密码不正确。"
WRONG_CODE = "验证码不正确或已过期：请输入验证器上当前显示的 6 位数字。"
REQUIRED = "管理员账号必须使用动态验证码，不能关闭；换手机时可重新设置，或请另一位管理员重置。"


@dataclass
class Outcome:
    error: str | None = None
    on: str = "code"  # the form field the error belongs to
    recovery_codes: list[str] = dataclasses.field(default_factory=list)


def enable(user: User, secret: str, code: str, password: str) -> Outcome:
    """Confirm an enrolment: the password, and a code from the app set up with `secret`."""
    if not user.check_password(password):
        return Outcome(WRONG_PASSWORD, on="password")
    step = second_factor.matching_step(secret, code, None)
    if step is None:
        return Outcome(WRONG_CODE)
    replacing = user.has_second_factor
    codes = second_factor.turn_on(user, secret, step)
    record("enable_second_factor", "user", user.id, label=user.username, actor=user,
           after={"second_factor": "动态验证码", "replaced": replacing})
    db.session.commit()
    return Outcome(recovery_codes=codes)


def _confirm(user: User, password: str, code: str) -> Outcome | None:
    if not user.check_password(password):
        return Outcome(WRONG_PASSWORD, on="password")
    if second_factor.check(user, code) is None:
        db.session.rollback()
        return Outcome("验证码不正确或已用过：请输入验证器上当前的 6 位数字，或一个未用过的恢复码。")
    return None


def disable(user: User, password: str, code: str) -> Outcome:
    if second_factor.requires_second_factor(user):
        return Outcome(REQUIRED)
    refused = _confirm(user, password, code)
    if refused:
        return refused
    second_factor.turn_off(user)
    record("disable_second_factor", "user", user.id, label=user.username, actor=user)
    db.session.commit()
    return Outcome()


def new_recovery_codes(user: User, password: str, code: str) -> Outcome:
    refused = _confirm(user, password, code)
    if refused:
        return refused
    codes = second_factor.new_recovery_codes(user)
    record("new_recovery_codes", "user", user.id, label=user.username, actor=user)
    db.session.commit()
    return Outcome(recovery_codes=codes)
