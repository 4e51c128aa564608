"""The daily snapshot of every duty instance (what the board showed that day), and its reads.

`take(day)` writes the day's picture: one row per live instance (state, light, progress, deadline,
overdue days) judged on that day from the rows the board itself loads (`services.load_rows`), so a
snapshot and the board agree by construction. A day's rows are replaced as a whole, in one
transaction: running twice on a day keeps the later picture and never duplicates; running for a
missed past day (`flask portal snapshot --on 2026年12月5日`) writes that day only — with today's
states judged on that day, the best the portal knows — and never touches another day.

Readers take "the nearest snapshot on or before a date" (`day_on_or_before`): a day the job did not
run is read from the day before.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal import refdata
from portal.board import rollup, services, trends
from portal.board.changes import Snap
from portal.core import duty_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import Duty, DutyInstance, DutySnapshot


@dataclass(frozen=True)
class Taken:
    day: date
    rows: int
    replaced: int

    @property
    def line(self) -> str:
        again = f"（替换当日已有 {self.replaced} 条）" if self.replaced else ""
        return f"snapshot {self.day.isoformat()}: {self.rows} duty instance(s){again}"


def snapshot_rows(rows: Iterable[rollup.Row], day: date) -> list[dict]:
    """The day's rows to store, from board rows judged on `day`."""
    unit_ids = {u.code: u.id for u in refdata.units()}
    return [dict(day=day, instance_id=r.instance_id, unit_id=unit_ids[r.unit_code], state=r.state, light=r.light,
                 progress=r.progress, deadline=r.deadline, overdue_days=min(rollup.days_overdue(r, day), 32767))
            for r in rows]


def take(day: date | None = None) -> Taken:
    """Write the day's snapshot (replacing the day's rows if it was taken already)."""
    day = day or today()
    values = snapshot_rows(services.load_rows(day), day)
    for attempt in (1, 2):
        try:
            replaced = db.session.execute(sa.delete(DutySnapshot).where(DutySnapshot.day == day)).rowcount
            if values:
                db.session.execute(sa.insert(DutySnapshot), values)
            db.session.commit()
            return Taken(day, len(values), replaced or 0)
        except IntegrityError:  # another run wrote the same day between our delete and insert
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# ---- reads -------------------------------------------------------------------------------------

def day_on_or_before(day: date) -> date | None:
    """The latest snapshot day not after `day` (the primary key's prefix: one index probe)."""
    return db.session.scalar(sa.select(sa.func.max(DutySnapshot.day)).where(DutySnapshot.day <= day))


def live_picture(rows: Iterable[rollup.Row]) -> dict[int, Snap]:
    return {r.instance_id: Snap(r.state, r.light, r.progress, r.deadline) for r in rows}


@dataclass(frozen=True)
class TrendPoint:
    day: date
    total: int
    red: int
    yellow: int
    closed: int
    progress_sum: int

    @property
    def avg_progress(self) -> int:
        return round(self.progress_sum / self.total) if self.total else 0

    @property
    def pct_closed(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


def trend(unit_ids: Iterable[int], days: list[date], plan_id: int = 0) -> list[TrendPoint]:
    """Per sampled day with a snapshot: how many of these units' instances there were (of one plan's
    duties when `plan_id` is given), red, yellow, closed, and their progress — one grouped statement
    on the (unit, day) index."""
    ids = sorted(set(unit_ids))
    if not ids or not days:
        return []
    red = sa.func.sum(sa.case((DutySnapshot.light == duty_rules.RED, 1), else_=0))
    yellow = sa.func.sum(sa.case((DutySnapshot.light == duty_rules.YELLOW, 1), else_=0))
    closed = sa.func.sum(sa.case((DutySnapshot.state == duty_rules.CLOSED, 1), else_=0))
    stmt = (sa.select(DutySnapshot.day, sa.func.count(), red, yellow, closed, sa.func.sum(DutySnapshot.progress))
            .where(DutySnapshot.unit_id.in_(ids), DutySnapshot.day.in_(days))
            .group_by(DutySnapshot.day).order_by(DutySnapshot.day))
    if plan_id:
        stmt = stmt.where(DutySnapshot.instance_id.in_(
            sa.select(DutyInstance.id).join(Duty, Duty.id == DutyInstance.duty_id).where(Duty.plan_id == plan_id)))
    return [TrendPoint(d, int(n), int(r or 0), int(y or 0), int(c or 0), int(p or 0))
            for d, n, r, y, c, p in db.session.execute(stmt)]


def first_day() -> date | None:
    return db.session.scalar(sa.select(sa.func.min(DutySnapshot.day)))


def trend_chart(unit_ids: Iterable[int], on: date, plan_id: int = 0):
    """The trend chart of these units (one plan's duties, or every plan's) from the first snapshot to
    `on` (two statements)."""
    days = trends.sample_days(first_day(), on)
    return trends.chart(trend(unit_ids, days, plan_id))
