"""What a date box says when it refuses a date: the one example everywhere (2026年12月31日), and the real
reason — a well-written date outside 2000–2099 is out of range, not badly formatted; a day the month
lacks is named (portal/web/zhcontrols.py is the one home of these messages)."""
from __future__ import annotations

from datetime import date

from portal.training import forms as training_forms
from portal.web.zhcontrols import DATE_EXAMPLE, DATE_HINT, DATE_RANGE, DATE_REQUIRED, date_problem, parse_zh_date


def test_the_reason_a_date_is_refused():
    assert date_problem("2026年12月31日") == "" and parse_zh_date("2026-12-31") == date(2026, 12, 31)
    assert date_problem("1999年1月1日") == DATE_RANGE and "2000年1月1日" in DATE_RANGE and "2099年12月31日" in DATE_RANGE
    assert date_problem("2026-02-30") == "2026年2月没有30日，请核对日期。"
    assert date_problem("2026-13-01") == "没有13月，请核对日期。"
    assert date_problem("明年三月") == DATE_HINT
    assert parse_zh_date("1999年1月1日") is None and parse_zh_date("2026-02-30") is None


def test_one_example_for_every_date_box():
    assert DATE_EXAMPLE in DATE_HINT and DATE_EXAMPLE in DATE_REQUIRED
    assert training_forms.DATE_MSG == DATE_REQUIRED


def test_a_training_session_dated_1999_is_out_of_range_not_badly_formatted(app):
    with app.test_request_context(method="POST", data={"held_on": "1999年1月1日"}):
        form = training_forms.SessionForm(meta={"csrf": False})
        form.held_on.validate(form)
        assert form.held_on.errors == [DATE_RANGE]
    with app.test_request_context(method="POST", data={"held_on": ""}):
        form = training_forms.SessionForm(meta={"csrf": False})
        form.held_on.validate(form)
        assert form.held_on.errors == [DATE_REQUIRED] and "如 2026年12月31日" in DATE_REQUIRED
