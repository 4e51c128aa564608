"""Local (Asia/Shanghai) calendar days against stored naive-UTC datetimes — in one place."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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


def day_start_utc(day: date) -> datetime:
    """The stored (naive UTC) instant at which a local calendar day begins."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def month_bounds_utc(year: int, month: int) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return day_start_utc(first), day_start_utc(nxt)


__all__ = ["LOCAL_TZ", "day_start_utc", "local_today", "month_bounds_utc", "timedelta", "to_local", "utcnow"]
