"""Working days in mainland China: official holidays and 调休 (a weekend day made a working day).

Pure: no Flask, no database. The 督办 thresholds (a 提醒 N working days before a deadline, a 督办通知单's
new deadline, a 红色督办单 M working days later) are counted here and nowhere else.

The holiday data comes from the `chinesecalendar` package (import name `chinese_calendar`), which knows
the State Council's arrangement only for the years it was released with. A day beyond those years is
counted Monday to Friday, and `fallback_message` says so in words the office can act on (update the
package once the State Council publishes the next year's arrangement).
"""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants as _calendar_data

# The years the installed package knows (each holiday and 调休 day it lists falls in one of them).
_KNOWN_DAYS = list(_calendar_data.holidays) + list(_calendar_data.workdays)
FIRST_KNOWN_YEAR = min(d.year for d in _KNOWN_DAYS)
LAST_KNOWN_YEAR = max(d.year for d in _KNOWN_DAYS)

# A run of holidays never lasts longer than this; a search for the next working day that walks
# further is a programming error, not a calendar.
_MAX_WALK = 60


def is_known(day: date) -> bool:
    """Whether the holiday arrangement of `day`'s year is known to the installed package."""
    return FIRST_KNOWN_YEAR <= day.year <= LAST_KNOWN_YEAR


def is_workday(day: date) -> bool:
    """A working day: a weekday that is not an official holiday, or a 调休 weekend day. Beyond the
    known years, Monday to Friday."""
    if is_known(day):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (n >= 1); n == 0 is `day` itself, or the first working day
    after it when `day` is not one (a deadline never falls on a holiday)."""
    if n < 0:
        raise ValueError("n must not be negative")
    current, walked = day, 0
    if n == 0:
        while not is_workday(current):
            current += timedelta(days=1)
            walked += 1
            if walked > _MAX_WALK:
                raise ValueError("no working day found")
        return current
    counted = 0
    while counted < n:
        current += timedelta(days=1)
        if is_workday(current):
            counted += 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start): how many working
    days lie between today and a deadline, or have passed since a notice was sent."""
    if end <= start:
        return 0
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_workday(current):
            count += 1
    return count


def fallback_message(*days: date) -> str | None:
    """Why some working days were counted Monday to Friday (None: every day's year is known)."""
    beyond = sorted({d.year for d in days if not is_known(d)})
    if not beyond:
        return None
    years = "、".join(f"{y}年" for y in beyond)
    return (f"节假日数据只收录到{LAST_KNOWN_YEAR}年，{years}的工作日暂按周一至周五计算（未计法定节假日和调休）。"
            f"国务院办公厅公布当年放假安排后，请系统管理员更新 chinesecalendar 软件包。")
