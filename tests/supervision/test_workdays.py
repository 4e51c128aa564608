"""Working days across 国庆, 春节 and a 调休 Saturday (the State Council's arrangements), and the
message when a date lies beyond the years the holiday data knows."""
from __future__ import annotations

from datetime import date

from portal import workdays
from portal.workdays import add_working_days, fallback_message, is_workday, working_days_between


def test_national_day_holidays_and_their_makeup_sunday():
    # 2025: 10月1日–8日 off; 9月28日 (Sunday) and 10月11日 (Saturday) are working days.
    assert not any(is_workday(date(2025, 10, d)) for d in range(1, 9))
    assert is_workday(date(2025, 9, 28))
    assert is_workday(date(2025, 10, 11))
    assert not is_workday(date(2025, 9, 27))  # an ordinary Saturday


def test_counting_over_national_day():
    # From Tuesday 30 September 2025, the next working day is Thursday 9 October.
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    # Three working days after Friday 26 September: 28th (调休 Sunday), 29th, 30th.
    assert add_working_days(date(2025, 9, 26), 3) == date(2025, 9, 30)
    # 30 September to 10 October: only the 9th and the 10th count.
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 10)) == 2


def test_spring_festival_and_a_makeup_saturday():
    # 2026 春节: 2月15日–23日 off; Saturday 14 February and Saturday 28 February are working days.
    assert is_workday(date(2026, 2, 14))
    assert not any(is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert is_workday(date(2026, 2, 28))
    # Friday 13 February + 1 working day is the 调休 Saturday, + 2 is Tuesday 24 February.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_zero_days_is_the_day_or_the_next_working_day():
    assert add_working_days(date(2025, 10, 9), 0) == date(2025, 10, 9)
    assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 9)
    assert working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 0
    assert working_days_between(date(2025, 10, 10), date(2025, 10, 9)) == 0


def test_beyond_the_known_years_weekdays_count_and_the_message_says_so():
    later = date(workdays.LAST_KNOWN_YEAR + 1, 10, 1)
    assert not workdays.is_known(later)
    assert is_workday(later) == (later.weekday() < 5)  # no holiday data: Monday to Friday
    message = fallback_message(date(2025, 5, 6), later)
    assert f"{later.year}年" in message and "周一至周五" in message and f"{workdays.LAST_KNOWN_YEAR}年" in message
    assert fallback_message(date(2025, 5, 6)) is None
