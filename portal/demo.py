"""Demo accounts for `make run`: one per role, printed to the terminal. Never in production."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from portal.admin.services import AccountInput, create_account
from portal.extensions import db
from portal.models import User
from portal.security.passwords import password_problem


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[str, ...]
    unit: str
    password: str  # the fixed demo set (`setup --demo --fixed-passwords`); otherwise random


DEMO_ACCOUNTS = (
    DemoAccount("admin", "王督查", ("admin",), "city-mz", "Demo-2026-dcs"),
    # 三员分立: the security administrator and the auditor are separate people from the admin.
    DemoAccount("security", "郑安全", ("security_admin",), "city-mz", "Demo-2026-zaq"),
    DemoAccount("auditor", "冯审计", ("auditor",), "city-mz", "Demo-2026-fsj"),
    DemoAccount("leader", "李局长", ("leader",), "city-mz", "Demo-2026-ljz"),
    DemoAccount("liaison", "赵联络", ("liaison",), "city-mz", "Demo-2026-zll"),
    DemoAccount("liaison-yanhu", "孙联络", ("liaison",), "yanhu-mz", "Demo-2026-sll"),
    DemoAccount("trainer", "周培训", ("trainer",), "city-mz", "Demo-2026-zpx"),
    DemoAccount("staff", "吴科员", ("staff",), "city-mz", "Demo-2026-wky"),
    # The training demo (portal/training/demo.py): a county-bound trainer and a 学员 on its roster.
    DemoAccount("trainer-yanhu", "钱培训（盐湖区）", ("trainer",), "yanhu-mz", "Demo-2026-qpx"),
    DemoAccount("trainee", "刘红（演示）", ("trainee",), "", "Demo-2026-lhx"),
)

# Letters and digits that cannot be confused when read off a terminal (no 0/O, 1/l/I).
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_password(length: int = 14) -> str:
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if password_problem(password) is None:
            return password


@dataclass(frozen=True)
class DemoResult:
    account: DemoAccount
    state: str  # "created", "exists" (fixed password still valid) or "kept" (password unknown here)
    password: str | None  # shown once, when known


def ensure_demo_accounts(fixed: bool = False) -> list[DemoResult]:
    """Create missing demo accounts, with random passwords unless `fixed`; existing ones are left alone.

    A random password exists only in this return value: it is printed once and never stored."""
    result = []
    for demo in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.username == demo.username))
        if user is None:
            password = demo.password if fixed else random_password()
            create_account(AccountInput(demo.username, demo.display_name, list(demo.roles), demo.unit, password))
            result.append(DemoResult(demo, "created", password))
        elif fixed and user.check_password(demo.password):
            result.append(DemoResult(demo, "exists", demo.password))
        else:
            result.append(DemoResult(demo, "kept", None))
    return result
