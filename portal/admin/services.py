"""Account management, shared by the admin pages and the CLI."""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from portal import locking
from portal.audit.services import changed_fields, record
from portal.auth.services import MIN_PASSWORD_LENGTH, normalise_username
from portal.capabilities import CAPABILITIES, roles_with
from portal.core.refusals import Refusal, Stale
from portal.core.roles import ROLE_LABELS, SEPARATED_ROLES
from portal.extensions import db
from portal.models import Unit, User, UserRole
from portal.security import second_factor
from portal.security.passwords import password_problem

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
STALE_EDIT = "该账号已被他人修改，您的修改尚未保存：请对照下方两个版本后再保存。"

USERNAME_RULE = "用户名须为 2–64 位小写字母、数字或 _ . -，并以字母或数字开头。"


class AccountError(Refusal, ValueError):
    """A user-facing message about why an account change was refused."""


@dataclass
class AccountInput:
    username: str
    display_name: str
    roles: list[str]
    unit_code: str = ""
    password: str | None = None


def validate_account(data: AccountInput, *, creating: bool) -> list[str]:
    """Pure checks on what an admin typed; returns messages in Chinese."""
    errors = []
    name = normalise_username(data.username)
    if creating and not USERNAME_RE.match(name):
        errors.append(USERNAME_RULE)
    if not data.display_name.strip():
        errors.append("请填写姓名。")
    elif len(data.display_name.strip()) > 64:
        errors.append("姓名不能超过 64 个字。")
    unknown = [r for r in data.roles if r not in ROLE_LABELS]
    if unknown:
        errors.append(f"未知角色：{', '.join(unknown)}。")
    if not data.roles:
        errors.append("请至少选择一个角色。")
    unit_bound = [ROLE_LABELS[r] for r in data.roles if r in CAPABILITIES["act_for_own_unit"]]
    if unit_bound and not data.unit_code:
        errors.append(f"{'、'.join(unit_bound)}必须归属一个单位。")
    separated = [ROLE_LABELS[r] for r in SEPARATED_ROLES if r in data.roles]
    if len(separated) > 1:  # 三员分立 (等保 2.0): no one administers, secures and audits at once
        errors.append(f"{'、'.join(separated)}须由不同账号担任（三员分立），一个账号只能选其中一个角色。")
    if creating and (data.password is None or len(data.password) < MIN_PASSWORD_LENGTH):
        errors.append(f"初始密码至少 {MIN_PASSWORD_LENGTH} 位。")
    elif creating:
        weak = password_problem(data.password, username=name, display_name=data.display_name)
        if weak:
            errors.append(weak)
    return errors


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": user.roles,
        "unit": user.unit.code if user.unit else "",
        "active": user.active,
    }


def _resolve_unit(code: str) -> Unit | None:
    if not code:
        return None
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code, Unit.active))
    if unit is None:
        raise AccountError(f"单位代码 {code} 不存在或已撤销。")
    return unit


def check_new_account(data: AccountInput) -> None:
    """Everything about a new account except its password: lets a command ask for the password last."""
    errors = validate_account(data, creating=False)
    if errors:
        raise AccountError(" ".join(errors))
    name = normalise_username(data.username)
    if db.session.scalar(sa.select(User.id).where(User.username == name)):
        raise AccountError(f"用户名 {name} 已存在。")
    _resolve_unit(data.unit_code)


def create_account(data: AccountInput, actor=None, temporary: bool | None = None) -> User:
    """`temporary`: the holder must set their own password at first sign-in. By default, whenever
    someone else chose it through the portal's pages (an `actor`); the CLI (operators, scripts)
    keeps its password unless asked (`create-user --temporary`)."""
    errors = validate_account(data, creating=True)
    if errors:
        raise AccountError(" ".join(errors))
    name = normalise_username(data.username)
    if db.session.scalar(sa.select(User.id).where(User.username == name)):
        raise AccountError(f"用户名 {name} 已存在。")
    user = User(username=name, display_name=data.display_name.strip(), unit=_resolve_unit(data.unit_code))
    user.set_password(data.password)
    user.must_change_password = actor is not None if temporary is None else temporary
    user.set_roles(data.roles)
    db.session.add(user)
    db.session.flush()
    record("create", "user", user.id, label=name,
           after={**_snapshot(user), "must_change_password": user.must_change_password}, actor=actor)
    db.session.commit()
    return user


def update_account(user: User, data: AccountInput, expected_version: int, actor=None) -> None:
    """Refuses an edit made on a stale copy of the account (no lost update)."""
    errors = validate_account(data, creating=False)
    if errors:
        raise AccountError(" ".join(errors))
    locking.check_version(user.version, expected_version, _stale)
    if not roles_with("manage_users") & set(data.roles) and _is_last_admin(user):
        raise AccountError("这是唯一在用的管理员账号，不能取消其管理员角色；请先为其他人设置管理员角色。")
    before = _snapshot(user)
    user.display_name = data.display_name.strip()
    user.unit = _resolve_unit(data.unit_code)
    user.set_roles(data.roles)
    after = _snapshot(user)
    if before == after:
        return
    flag_modified(user, "display_name")  # role rows alone would not bump the version
    old, new = changed_fields(before, after)
    record("update", "user", user.id, label=user.username, before=old, after=new, actor=actor)
    _commit_or_stale()


def set_active(user: User, active: bool, expected_version: int, actor=None) -> None:
    locking.check_version(user.version, expected_version, _stale)
    if actor is not None and actor.id == user.id and not active:
        raise AccountError("不能停用自己的账号。")
    if not active and _is_last_admin(user):
        raise AccountError("这是唯一在用的管理员账号，不能停用。")
    if user.active == active:
        return
    user.active = active
    record("reactivate" if active else "deactivate", "user", user.id, label=user.username,
           before={"active": not active}, after={"active": active}, actor=actor)
    _commit_or_stale()


def _is_last_admin(user: User) -> bool:
    """The only active account that can manage accounts: without it nobody could give the role again."""
    managers = roles_with("manage_users")
    if not (user.active and any(r in managers for r in user.roles)):
        return False
    others = db.session.scalar(sa.select(sa.func.count(User.id)).where(
        User.active, User.id != user.id, User.role_rows.any(UserRole.role.in_(managers))))
    return others == 0


def reset_password(user: User, new_password: str, actor=None) -> None:
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"新密码至少 {MIN_PASSWORD_LENGTH} 位。")
    weak = password_problem(new_password, username=user.username, display_name=user.display_name)
    if weak:
        raise AccountError(weak)
    user.set_password(new_password)
    # The admin knows this password now: the owner sets their own at the next sign-in.
    user.must_change_password = actor is None or actor.id != user.id
    record("reset_password", "user", user.id, label=user.username,
           after={"must_change_password": user.must_change_password}, actor=actor)
    _commit_or_stale()


def reset_second_factor(user: User, expected_version: int, actor) -> None:
    """Another admin clears a person's second factor (a lost phone, no recovery codes left): the
    person signs in with the password alone, and is led to set it up again if it is required."""
    locking.check_version(user.version, expected_version, _stale)
    if actor is not None and actor.id == user.id:
        raise AccountError("您自己的动态验证码请在“我的账号”中重新设置。")
    if not user.has_second_factor:
        raise AccountError("该账号未启用动态验证码。")
    second_factor.turn_off(user)
    record("reset_second_factor", "user", user.id, label=user.username, actor=actor,
           before={"second_factor": "动态验证码"}, after={"second_factor": "未启用"})
    _commit_or_stale()
class StaleAccount(AccountError, Stale):
    """Someone changed the account after this form was opened (shown as a portal.locking.Conflict)."""

    def __init__(self) -> None:
        super().__init__(STALE_EDIT)


def _stale() -> AccountError:
    return StaleAccount()


def _commit_or_stale() -> None:
    locking.commit(_stale)


def search_users(text: str = "", role: str = "", unit_code: str = "", status: str = "active"):
    stmt = sa.select(User).order_by(User.active.desc(), User.username)
    if text:
        stmt = stmt.where(sa.or_(User.username.icontains(text, autoescape=True), User.display_name.icontains(text, autoescape=True)))
    if role in ROLE_LABELS:
        stmt = stmt.where(User.role_rows.any(role=role))
    if unit_code:
        stmt = stmt.join(Unit, User.unit_id == Unit.id).where(Unit.code == unit_code)
    if status == "active":
        stmt = stmt.where(User.active)
    elif status == "inactive":
        stmt = stmt.where(~User.active)
    return stmt
