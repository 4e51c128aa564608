"""The 学时 ledger: per person and year, the 学时 of the certificates that stand (revoked ones count
nothing; an expired one still counts in the year it was earned). Each certificate carries the 学时 the
office's rules gave its completion when it was issued (`certificates.hours_tenths`), so the ledger is
a sum, and what a certificate prints is what the ledger counts."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import Certificate, Trainee, User
from portal.training.scope import scoped

# A course's certificate prints the sum of its modules' 学时: the ledger counts the modules' only.
MODULES_ONLY = Certificate.course_id.is_(None)


def _standing(year: int | None = None):
    stmt = sa.select(Certificate.trainee_id, sa.func.sum(Certificate.hours_tenths).label("tenths")).where(
        ~Certificate.revoked, MODULES_ONLY)
    if year is not None:
        stmt = stmt.where(Certificate.year == year)
    return stmt.group_by(Certificate.trainee_id)


def by_year(trainee_id: int) -> list[tuple[int, int]]:
    """(year, tenths) of one person, newest year first."""
    return [(y, t) for y, t in db.session.execute(
        sa.select(Certificate.year, sa.func.sum(Certificate.hours_tenths))
        .where(Certificate.trainee_id == trainee_id, ~Certificate.revoked, MODULES_ONLY)
        .group_by(Certificate.year).order_by(Certificate.year.desc()))]


def by_year_of(certs) -> list[tuple[int, int]]:
    """`by_year` from a person's certificates already loaded."""
    years: dict[int, int] = {}
    for cert in certs:
        if not cert.revoked and cert.course_id is None:
            years[cert.year] = years.get(cert.year, 0) + cert.hours_tenths
    return sorted(years.items(), reverse=True)


def year_total(trainee_id: int, year: int) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Certificate.hours_tenths), 0)).where(
        Certificate.trainee_id == trainee_id, Certificate.year == year, ~Certificate.revoked, MODULES_ONLY)) or 0


def ledger_query(user: User, year: int, county_id: int | None, short_of: int | None) -> sa.Select:
    """Active people in the user's scope (in the database query, not after it) with their year's total,
    lowest first; with `short_of`, only those below it."""
    sums = _standing(year).subquery()
    total = sa.func.coalesce(sums.c.tenths, 0)
    stmt = (sa.select(Trainee).outerjoin(sums, sums.c.trainee_id == Trainee.id).where(Trainee.active)
            .options(so.joinedload(Trainee.county), so.joinedload(Trainee.township), so.joinedload(Trainee.village)))
    stmt = scoped(stmt, Trainee.county_id, user)
    if county_id is not None:
        stmt = stmt.where(Trainee.county_id == county_id)
    if short_of is not None:
        stmt = stmt.where(total < short_of)
    return stmt.order_by(total, Trainee.county_id, Trainee.township_id, Trainee.name, Trainee.id)


def totals_for(trainee_ids: list[int], year: int) -> dict[int, int]:
    """The year's total of each listed person (one statement for a page)."""
    if not trainee_ids:
        return {}
    return {tid: t for tid, t in db.session.execute(_standing(year).where(Certificate.trainee_id.in_(trainee_ids)))}
