"""What each role's home page shows."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, Unit, User, UserRole


def org_summary() -> dict:
    by_level = dict(
        db.session.execute(
            sa.select(Unit.level, sa.func.count(Unit.id)).where(Unit.active).group_by(Unit.level)
        ).all()
    )
    units_with_liaison = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(User.unit_id))).where(
            User.active, User.role_rows.any(UserRole.role == "liaison")
        )
    )
    return {"by_level": by_level, "units_with_liaison": units_with_liaison}


def account_summary() -> dict:
    by_role = dict(
        db.session.execute(
            sa.select(UserRole.role, sa.func.count(UserRole.user_id))
            .join(User, User.id == UserRole.user_id)
            .where(User.active)
            .group_by(UserRole.role)
        ).all()
    )
    inactive = db.session.scalar(sa.select(sa.func.count(User.id)).where(~User.active))
    return {"by_role": by_role, "inactive": inactive}


def recent_audit(limit: int = 8) -> list[AuditEntry]:
    """The latest changes (logins are in the audit log, not news)."""
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.not_in(["login", "login_failed"]))
        .order_by(AuditEntry.id.desc()).limit(limit)))


def unit_colleagues(user: User) -> list[User]:
    if user.unit_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.unit_id == user.unit_id, User.active, User.id != user.id)
            .order_by(User.display_name)
        )
    )


def duty_light_counts(user: User) -> dict[str, int]:
    """The user's board (a liaison: their unit; others: every unit) counted by warning light."""
    from portal.duties.services import BoardFilter, board

    unit = user.unit.code if user.has_role("liaison") and user.unit else ""
    counts: dict[str, int] = {}
    for v in board(user, BoardFilter(unit_code=unit)):
        counts[v.light] = counts.get(v.light, 0) + 1
    return counts
