"""Warning lights, progress and state rules (pure functions)."""
from datetime import date

import pytest

from portal.core import duty_rules
from portal.core.duty_rules import LightInput, light

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize("state, deadline, start, progress, expected", [
    ("closed", date(2020, 1, 1), None, 100, "grey"),
    ("in_progress", date(2026, 11, 28), None, 90, "red"),          # overdue
    ("in_progress", None, None, 0, "green"),                        # standing duty
    ("in_progress", date(2027, 6, 1), None, 10, "green"),
    ("in_progress", date(2026, 12, 20), None, 10, "blue"),           # ≤ 30 days
    ("in_progress", date(2026, 12, 5), None, 90, "yellow"),          # ≤ 7 days
    ("in_progress", date(2026, 11, 29), None, 90, "yellow"),         # due today is not overdue
    ("in_progress", date(2027, 11, 29), date(2025, 11, 29), 20, "yellow"),  # behind: 50% of time gone, 20% done
    ("in_progress", date(2027, 11, 29), date(2025, 11, 29), 60, "green"),
    ("requested", date(2026, 12, 31), None, 100, "green"),           # waiting for verification
    ("requested", date(2026, 1, 1), None, 100, "red"),               # overdue stays red until verified
])
def test_light(state, deadline, start, progress, expected):
    assert light(LightInput(state, deadline, start, progress), TODAY) == expected


def test_progress_and_schedule():
    assert duty_rules.progress(3, 7, "in_progress") == 43
    assert duty_rules.progress(0, 0, "not_started") == 0
    assert duty_rules.progress(0, 0, "in_progress") == 50
    assert duty_rules.progress(1, 5, "closed") == 100
    assert duty_rules.expected_progress(date(2026, 1, 1), date(2026, 12, 31), date(2026, 7, 2)) == 50
    assert duty_rules.schedule(20, date(2026, 1, 1), date(2026, 12, 31), date(2026, 7, 2)) == "behind"
    assert duty_rules.schedule(50, date(2026, 1, 1), date(2026, 12, 31), date(2026, 7, 2)) == "on"
    assert duty_rules.schedule(90, date(2026, 1, 1), date(2026, 12, 31), date(2026, 7, 2)) == "ahead"
    assert duty_rules.schedule(90, None, date(2026, 12, 31), TODAY) is None


def test_transitions():
    assert duty_rules.next_state("in_progress", "request_close") == "requested"
    assert duty_rules.next_state("requested", "close") == "closed"
    assert duty_rules.next_state("requested", "return") == "in_progress"
    assert duty_rules.next_state("closed", "request_close") is None
    assert duty_rules.next_state("in_progress", "close") is None
    assert duty_rules.next_state("blocked", "unblock") == "in_progress"


def test_close_request_needs_items_and_a_record_or_a_reason():
    assert duty_rules.close_request_problem(False, True, "") is not None
    assert duty_rules.close_request_problem(True, False, "") is not None
    assert duty_rules.close_request_problem(True, True, "") is None
    assert duty_rules.close_request_problem(False, False, "该项工作已由省厅统一办理") is None


def test_rules_say_which_actions_each_state_allows():
    assert duty_rules.allowed_actions(duty_rules.NOT_STARTED) == {"start", "block", "request_close", duty_rules.TICK, duty_rules.EXTEND}
    assert duty_rules.allowed_actions(duty_rules.BLOCKED) == {"unblock", "request_close", duty_rules.TICK, duty_rules.EXTEND}
    assert duty_rules.allowed_actions(duty_rules.REQUESTED) == {"close", "return", duty_rules.EXTEND}
    assert duty_rules.allowed_actions(duty_rules.CLOSED) == frozenset()
    assert duty_rules.reason_label(duty_rules.IN_PROGRESS) == "退回理由" and duty_rules.reason_label(duty_rules.BLOCKED) == "受阻原因"
    assert set(duty_rules.NOTE_KIND_LABELS) >= {"note", "request_close", "returned", "closed", "blocked", "unblocked", "extension"}


def test_duty_templates_ask_the_rules_instead_of_testing_state_names():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    pattern = re.compile(r"\.(state|kind|status)\s*(==|!=|in|not in)\s*[\('\"]")
    offenders = [f"{path.relative_to(root)}:{n}" for path in sorted(root.glob("duties/*.html"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
