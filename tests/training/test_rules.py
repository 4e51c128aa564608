"""The training rules module: states, tallies, masking, coverage (pure)."""
from datetime import date

from portal.core import training_rules

TODAY = date(2026, 11, 30)


def test_states():
    assert training_rules.state_of(True, date(2026, 12, 1), False, False, TODAY) == training_rules.NOT_STARTED
    assert training_rules.state_of(True, date(2026, 12, 1), False, True, TODAY) == training_rules.IN_PROGRESS
    assert training_rules.state_of(True, date(2026, 11, 29), False, True, TODAY) == training_rules.OVERDUE
    assert training_rules.state_of(True, TODAY, False, False, TODAY) == training_rules.NOT_STARTED  # due today is not late yet
    assert training_rules.state_of(True, date(2026, 1, 1), True, False, TODAY) == training_rules.COMPLETED  # late but done
    assert training_rules.state_of(False, None, True, False, TODAY) == training_rules.COMPLETED
    assert training_rules.state_of(False, None, False, False, TODAY) == training_rules.NOT_ASSIGNED
    assert [training_rules.STATE_LABELS[s] for s in training_rules.STATES] == ["未开始", "进行中", "已完成", "已逾期"]
    assert len(set(training_rules.STATE_SYMBOLS.values())) == len(training_rules.STATE_SYMBOLS)


def test_matrix_tallies_rows_columns_and_total():
    states = {(1, "a"): training_rules.COMPLETED, (1, "b"): training_rules.OVERDUE, (2, "a"): training_rules.COMPLETED,
              (2, "b"): training_rules.NOT_STARTED, (3, "a"): training_rules.IN_PROGRESS}
    m = training_rules.build_matrix([1, 2, 3], ["a", "b"], states)
    assert (m.rows[1].completed, m.rows[1].assigned, m.rows[1].percent) == (1, 2, 50)
    assert (m.cols["a"].completed, m.cols["a"].assigned, m.cols["a"].percent) == (2, 3, 67)
    assert m.cols["b"].overdue == 1
    assert (m.total.completed, m.total.assigned) == (2, 5)
    assert m.state(3, "b") == training_rules.NOT_ASSIGNED and m.rows[3].assigned == 1


def test_mask_phone_and_percent():
    assert training_rules.mask_phone("13812345678") == "138****5678"
    assert training_rules.percent(1, 3) == 33 and training_rules.percent(0, 0) == 0 and training_rules.percent(3, 3) == 100


def test_percent_rounds_half_up_and_keeps_its_ends():
    assert [training_rules.percent(p, w) for p, w in ((2, 3), (1, 8), (3, 8), (1, 6), (5, 6), (1, 2))] == [67, 13, 38, 17, 83, 50]
    assert training_rules.percent(199, 200) == 99 and training_rules.percent(200, 200) == 100  # 100% only when all are done
    assert training_rules.percent(1, 300) == 1 and training_rules.percent(0, 300) == 0  # 0% only when none is
    assert training_rules.percent_text(2, 3) == "67%" and training_rules.percent_text(0, 0) == "—"


def test_coverage_rows_follow_the_module_audience():
    rows = training_rules.coverage_rows({"director": 4, "supervisor": 1},
                               [("m1", "一", ("supervisor", "director")), ("m2", "二", ("director",))],
                               {("m1", "director"): 2, ("m2", "director"): 4})
    assert [(r.module_key, r.post, r.trained, r.on_roster, r.percent) for r in rows] == [
        ("m1", "supervisor", 0, 1, 0), ("m1", "director", 2, 4, 50), ("m2", "director", 4, 4, 100)]


def test_quiz_wait_after_three_quick_failures():
    from datetime import datetime, timedelta

    now = datetime(2026, 11, 30, 10, 0)
    ago = [now - timedelta(minutes=m) for m in (1, 3, 5)]
    assert training_rules.quiz_wait_minutes(ago[:2], now) == 0  # two failures: try again at once
    assert training_rules.quiz_wait_minutes(ago, now) == 4  # third failure a minute ago: 5 minutes after it
    assert training_rules.quiz_wait_minutes(ago, now + timedelta(minutes=4)) == 0
    spread = [now - timedelta(minutes=m) for m in (1, 3, 30)]  # one failure long ago does not count
    assert training_rules.quiz_wait_minutes(spread, now) == 0
    assert "4分钟后再试" in training_rules.quiz_wait_message(4)
