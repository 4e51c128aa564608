"""What each role's home page shows."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal import refdata
from portal.capabilities import can, roles_with
from portal.duties.ledger import LedgerFilter, read_ledger
from portal.extensions import db
from portal.models import AuditEntry, User, UserRole


def org_summary() -> dict:
    by_level: dict[str, int] = {}
    for u in refdata.active_units():
        by_level[u.level] = by_level.get(u.level, 0) + 1
    units_with_liaison = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(User.unit_id))).where(
            User.active, User.role_rows.any(UserRole.role.in_(roles_with("act_for_own_unit")))
        )
    )
    return {"by_level": by_level, "units_with_liaison": units_with_liaison}


def account_summary() -> dict:
    """Active accounts by role and the number of inactive ones, in one statement."""
    by_role = (sa.select(UserRole.role, sa.func.count(UserRole.user_id))
               .join(User, User.id == UserRole.user_id).where(User.active).group_by(UserRole.role))
    inactive = sa.select(sa.literal(""), sa.func.count(User.id)).where(~User.active)
    counts = dict(db.session.execute(sa.union_all(by_role, inactive)).all())
    return {"by_role": {role: n for role, n in counts.items() if role}, "inactive": counts.get("", 0)}


RECENT_WINDOW = 2000  # the newest audit entries looked through for changes


def recent_audit(limit: int = 8) -> list[AuditEntry]:
    """The latest changes (logins are in the audit log, not news), among the newest RECENT_WINDOW
    entries: a morning of sign-ins (or a year of them, imported) is never read through entry by entry."""
    newest = sa.select(sa.func.max(AuditEntry.id)).scalar_subquery()
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.not_in(["login", "login_failed"]),
                                    AuditEntry.id > newest - RECENT_WINDOW)
        .order_by(AuditEntry.id.desc()).limit(limit)))


def unit_colleagues(user: User) -> list[User]:
    if user.unit_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.unit_id == user.unit_id, User.active, User.id != user.id)
            .order_by(User.display_name).options(sa.orm.joinedload(User.role_rows))
        ).unique()
    )


@dataclass
class DutyOverview:
    counts: dict[str, int]  # the user's board by warning light
    ranked: list[tuple[refdata.UnitRef, dict[str, int]]]  # units, most overdue first
    cooperating: int = 0  # of the counts, duties the unit only cooperates on (another unit leads)


def duty_overview(user: User, plan_id: int = 0) -> DutyOverview:
    """The user's board counted by warning light (a liaison: their unit; others: every unit; every plan's
    duties, or one plan's when `plan_id` is given), and
    for leaders and the office the units ranked by overdue duties — who is behind, at a glance.

    Counted from the board's lean rows (lights computed from plain columns): no duty object is
    built, and the ranked units come from one query."""
    unit = user.unit.code if can(user, "act_for_own_unit") and user.unit and not can(user, "see_all_units") else ""
    counts: dict[str, int] = {}
    per_unit: dict[int, dict[str, int]] = {}
    cooperating = 0
    for row in read_ledger(user, LedgerFilter(unit_code=unit, plan_id=plan_id)):
        counts[row.light] = counts.get(row.light, 0) + 1
        cooperating += bool(unit) and row.unit_id != user.unit_id
        unit_counts = per_unit.setdefault(row.unit_id, {})
        unit_counts[row.light] = unit_counts.get(row.light, 0) + 1
    units = {uid: u for uid in per_unit if (u := refdata.unit(uid)) is not None}
    ranked = sorted(((units[uid], c) for uid, c in per_unit.items() if uid in units),
                    key=lambda uc: (-uc[1].get("red", 0), -uc[1].get("yellow", 0), uc[0].sort_order))
    return DutyOverview(counts, ranked, cooperating)
