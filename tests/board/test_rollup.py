"""Pure roll-ups: plain rows in, figures out (no Flask, no database)."""
from __future__ import annotations

from datetime import date, datetime

from portal.board import rollup
from portal.core import duty_rules

TODAY = date(2022, 9, 10)


def row(n, unit="city-ga", state=duty_rules.IN_PROGRESS, light=duty_rules.GREEN, area="3.1.1", county="", group="市公安局",
        level="市级", deadline=None, progress=50, kind="公安部门", title=None):
    return rollup.Row(n, f"d{n}@{unit}", f"d{n}", title or f"任务{n}", (area,), area, unit, f"{unit}名", f"{unit}简",
                      n, level, county, f"{county}名" if county else "", kind, group, state, light, progress,
                      deadline, datetime(2022, 9, 1), (), n)


def test_task_area_takes_the_first_three_item_then_four_then_goals():
    assert rollup.task_area(["2", "3.1.1.2", "4.3"]) == "3.1.1"
    assert rollup.task_area(["4.2.6"]) == "4"
    assert rollup.task_area(["2"]) == "2"
    assert rollup.task_area_label("3.2.8") == "三（二）8"


def test_counts_by_state_light_and_percent_closed():
    rows = [row(1, state=duty_rules.CLOSED, light=duty_rules.GREY, progress=100), row(2, light=duty_rules.RED),
            row(3, state=duty_rules.BLOCKED, light=duty_rules.RED), row(4, state=duty_rules.NOT_STARTED, progress=0)]
    c = rollup.count(rows)
    assert (c.total, c.closed, c.overdue, c.pct_complete) == (4, 1, 2, 25)
    assert c.by_state[duty_rules.BLOCKED] == 1 and c.by_state[duty_rules.REQUESTED] == 0
    assert c.worst_light == duty_rules.RED and c.avg_progress == 50


def test_county_bureaus_of_one_kind_form_one_department_row():
    rows = [row(1), row(2, unit="yanhu-mz", county="yanhu", group="民政局", level="县级", light=duty_rules.RED),
            row(3, unit="yongji-mz", county="yongji", group="民政局", level="县级", state=duty_rules.CLOSED, light=duty_rules.GREY)]
    groups = rollup.department_matrix(rows)
    assert [g.label for g in groups] == ["city-ga简", "各县（市、区）民政局"]
    mz = groups[1]
    assert mz.grouped and [m.code for m in mz.members] == ["yanhu-mz", "yongji-mz"]
    assert mz.counts.total == 2 and mz.counts.overdue == 1 and mz.counts.closed == 1


def test_area_matrix_cells_carry_the_worst_light_and_drill_lists_the_duties():
    rows = [row(1, area="3.1.1"), row(2, area="3.1.1", light=duty_rules.YELLOW), row(3, area="4"),
            row(4, unit="city-jy", area="3.2.8")]
    columns, units = rollup.task_area_matrix(rows)
    assert columns == ["3.1.1", "3.2.8", "4"]
    cells = dict((u.code, c) for u, c in units)
    assert cells["city-ga"]["3.1.1"].light == duty_rules.YELLOW and cells["city-ga"]["3.1.1"].counts.total == 2
    assert "3.2.8" not in cells["city-ga"]
    assert [r.instance_id for r in rollup.drill(rows, "city-ga", "3.1.1")] == [2, 1]  # yellow first


def test_filters_combine():
    rows = [row(1), row(2, unit="yanhu-mz", county="yanhu", level="县级", kind="民政部门")]
    assert [r.instance_id for r in rollup.apply_filters(rows, rollup.Filters(county="yanhu"))] == [2]
    assert [r.instance_id for r in rollup.apply_filters(rows, rollup.Filters(level="市级", kind="公安部门"))] == [1]
    assert rollup.apply_filters(rows, rollup.Filters(level="市级", county="yanhu")) == []


def test_transfer_steps_done_in_progress_overdue():
    steps = (("安排部署", True), ("梳理应移交人员信息", False))
    t = rollup.TransferInput("yanhu", "盐湖区", "yanhu-mz", 1, duty_rules.IN_PROGRESS, date(2022, 9, 30), steps,
                             {"移交儿童人数": 4})
    [before] = rollup.transfer_tracker([t], date(2022, 9, 1))
    assert before.cells == [("安排部署", "done"), ("梳理应移交人员信息", "in_progress")]
    [after] = rollup.transfer_tracker([t], date(2022, 10, 1))
    assert after.cells[1] == ("梳理应移交人员信息", "overdue") and after.status == "overdue"
    idle = rollup.TransferInput("yongji", "永济市", "yongji-mz", 2, duty_rules.NOT_STARTED, date(2022, 9, 30),
                                (("安排部署", False),), {"移交儿童人数": 3})
    rows = rollup.transfer_tracker([t, idle], date(2022, 9, 1))
    assert rows[1].cells == [("安排部署", "not_started")] and rows[1].status == "not_started"
    totals = rollup.transfer_totals(rows, ["移交儿童人数", "移交档案份数"])
    assert totals["indicators"] == {"移交儿童人数": 7, "移交档案份数": 0}
    assert totals["indicators_reported"] == {"移交儿童人数": 2, "移交档案份数": 0}
    assert totals["steps_done"]["安排部署"] == 1 and totals["counties_done"] == 0


def test_closed_transfer_counts_every_step_done():
    t = rollup.TransferInput("yanhu", "盐湖区", "yanhu-mz", 1, duty_rules.CLOSED, date(2022, 9, 30),
                             (("安排部署", False),))
    [r] = rollup.transfer_tracker([t], date(2023, 1, 1))
    assert r.cells == [("安排部署", "done")] and r.done and r.status == "done"


def test_red_list_most_overdue_first_and_yellow_by_deadline():
    rows = [row(1, light=duty_rules.RED, deadline=date(2022, 9, 1)), row(2, light=duty_rules.RED, deadline=date(2022, 5, 31)),
            row(3, light=duty_rules.YELLOW, deadline=date(2022, 9, 15)), row(4, light=duty_rules.YELLOW, deadline=date(2022, 9, 12))]
    assert [r.instance_id for r in rollup.red_list(rows, TODAY)] == [2, 1]
    assert rollup.days_overdue(rows[1], TODAY) == 102
    assert [r.instance_id for r in rollup.yellow_list(rows)] == [4, 3]
    assert [u for u, _ in rollup.group_by_unit(rows)] == ["city-ga名"]


def test_milestones_until_end_of_2025():
    rows = [row(1, deadline=date(2022, 9, 1), state=duty_rules.CLOSED, light=duty_rules.GREY),
            row(2, deadline=date(2022, 9, 30), light=duty_rules.RED), row(3, deadline=date(2025, 12, 31)),
            row(4, deadline=date(2026, 6, 30))]
    ms = rollup.milestones(rows, TODAY)
    assert [(m.on, m.state) for m in ms] == [(date(2022, 9, 1), "done"), (date(2022, 9, 30), "due"),
                                            (date(2025, 12, 31), "due")]
    assert rollup.milestones(rows, date(2022, 10, 1))[1].state == "late"


def test_bar_segments_fill_the_width_and_skip_zeros():
    segs = rollup.bar_segments([("a", 1), ("b", 0), ("c", 2)], 300)
    assert [(k, x, w) for k, x, w, _ in segs] == [("a", 0, 100), ("c", 100, 200)]
    assert rollup.bar_segments([("a", 0)], 300) == []
    assert rollup.timeline_positions([date(2022, 1, 1), date(2023, 1, 1)], date(2022, 1, 1), date(2023, 1, 1), 100) == [0, 100]


def test_a_transfer_with_every_step_ticked_says_what_it_waits_for():
    steps = (("安排部署", True), ("移交工作总结", True))
    ticked = rollup.TransferInput("yanhu", "盐湖区", "yanhu-mz", 1, duty_rules.IN_PROGRESS, date(2022, 9, 30), steps)
    asked = rollup.TransferInput("linyi", "临猗县", "linyi-mz", 2, duty_rules.REQUESTED, date(2022, 9, 30), steps)
    half = rollup.TransferInput("yongji", "永济市", "yongji-mz", 3, duty_rules.REQUESTED, date(2022, 9, 30),
                                (("安排部署", True), ("移交工作总结", False)))
    rows = rollup.transfer_tracker([ticked, asked, half], date(2022, 9, 1))
    assert [r.status for r in rows] == ["to_request", "to_verify", "to_verify"]
    assert [rollup.STEP_LABELS[r.status] for r in rows] == ["待申请销号", "待核验", "待核验"]
    assert not any(r.done for r in rows)


def test_a_list_row_in_the_report_sheet_dates_the_last_activity_in_local_time():
    """Stored times are UTC: 20:00 UTC on 30 November is already 1 December in the city, as on the board."""
    import dataclasses

    from portal.board.exports import list_row

    late = dataclasses.replace(row(1), last_activity=datetime(2026, 11, 30, 20, 0))
    assert list_row(late, date(2026, 12, 1))[-1] == date(2026, 12, 1)
