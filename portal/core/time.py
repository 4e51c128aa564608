"""Local (Asia/Shanghai) calendar days against stored naive-UTC datetimes — in one place; and the
portal's day (`today`), which tests move with `set_today` (tests/conftest.py's `clock` fixture)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Naive UTC: the same value round-trips on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def local_today() -> date:
    return to_local(utcnow()).date()


_set_day: date | None = None  # the day a test or benchmark moved the portal to; None: the real one


def today() -> date:
    """The portal's calendar day: every rule that asks "is it late?" reads it here."""
    return _set_day if _set_day is not None else local_today()


def set_today(day: date | None) -> None:
    """Move the portal's day (tests and benchmarks only); None brings back the real day."""
    global _set_day
    _set_day = day


def day_start_utc(day: date) -> datetime:
    """The stored (naive UTC) instant at which a local calendar day begins."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def month_bounds_utc(year: int, month: int) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return day_start_utc(first), day_start_utc(nxt)


__all__ = ["LOCAL_TZ", "day_start_utc", "local_today", "month_bounds_utc", "set_today", "to_local", "today", "utcnow"]
