"""Demo accounts for `make run`: one per role, printed to the terminal. Never in production."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal.admin.services import AccountInput, create_account
from portal.extensions import db
from portal.models import User


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[str, ...]
    unit: str
    password: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "王督查", ("admin",), "city-mz", "Demo-admin-2026"),
    DemoAccount("leader", "李局长", ("leader",), "city-mz", "Demo-leader-2026"),
    DemoAccount("liaison", "赵联络", ("liaison",), "city-mz", "Demo-liaison-2026"),
    DemoAccount("liaison-yanhu", "孙联络", ("liaison",), "yanhu-mz", "Demo-liaison-2026"),
    DemoAccount("trainer", "周培训", ("trainer",), "city-mz", "Demo-trainer-2026"),
    DemoAccount("staff", "吴科员", ("staff",), "city-mz", "Demo-staff-2026"),
)


def ensure_demo_accounts() -> list[tuple[DemoAccount, str]]:
    """Create missing demo accounts; existing ones (and changed passwords) are left alone."""
    result = []
    for demo in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.username == demo.username))
        if user is None:
            create_account(AccountInput(demo.username, demo.display_name, list(demo.roles), demo.unit, demo.password))
            result.append((demo, "created"))
        elif user.check_password(demo.password):
            result.append((demo, "exists"))
        else:
            result.append((demo, "password changed"))
    return result
