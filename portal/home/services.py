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


def duty_overview(user: User) -> tuple[dict[str, int], list[tuple[Unit, dict[str, int]]]]:
    """The user's board counted by warning light (a liaison: their unit; others: every unit), and
    for leaders and the office the units ranked by overdue duties — who is behind, at a glance.

    Counted from the board's lean rows (lights computed from plain columns): no duty object is
    built, and the ranked units come from one query."""
    from portal.duties.services import BoardFilter, board_rows

    unit = user.unit.code if user.has_role("liaison") and user.unit and not user.has_role("admin", "leader") else ""
    counts: dict[str, int] = {}
    per_unit: dict[int, dict[str, int]] = {}
    for row in board_rows(user, BoardFilter(unit_code=unit)):
        counts[row.light] = counts.get(row.light, 0) + 1
        unit_counts = per_unit.setdefault(row.unit_id, {})
        unit_counts[row.light] = unit_counts.get(row.light, 0) + 1
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(per_unit)))} if per_unit else {}
    ranked = sorted(((units[uid], c) for uid, c in per_unit.items() if uid in units),
                    key=lambda uc: (-uc[1].get("red", 0), -uc[1].get("yellow", 0), uc[0].sort_order))
    return counts, ranked
