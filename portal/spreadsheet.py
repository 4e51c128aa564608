"""What every export's cells share (.xlsx and CSV): the city's local time, text that stays text in Excel,
dates in 年月日. Pure: the 台账, the 通报, the training reports and the audit log's export all use it."""
from __future__ import annotations

from datetime import datetime

from portal.timeutil import to_local

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'


def local_cell(value):
    """The one place exports turn a stored time (naive UTC) into the city's local time.
    Rows carry stored values; both writers call this, nothing else converts."""
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """User text must stay text in Excel: a leading = + - @ would make it a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
