"""The daily snapshot (`flask portal snapshot`, also run by `remind`): one row per instance per day,
idempotent, a missed day written alone; and the trend charts drawn from it."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.board import snapshots, trends
from portal.core import duty_rules
from portal.core.time import local_today
from portal.extensions import db
from portal.models import DutyInstance, DutySnapshot
from tests.conftest import instance_by_key


def rows_on(day: date) -> dict[int, DutySnapshot]:
    return {s.instance_id: s for s in db.session.scalars(sa.select(DutySnapshot).where(DutySnapshot.day == day))}


def live_instances() -> int:
    return db.session.scalar(sa.select(sa.func.count(DutyInstance.id)).where(~DutyInstance.archived))


def test_a_snapshot_records_every_live_instance_as_the_board_judged_it(plan):
    inst = instance_by_key("transfer-children@yanhu-mz")
    inst.state = duty_rules.IN_PROGRESS
    for item in inst.active_items[:2]:
        item.done = True
    db.session.commit()
    today = local_today()
    taken = snapshots.take(today)
    got = rows_on(today)
    assert taken.rows == len(got) == live_instances()
    row = got[inst.id]
    total = len(inst.active_items)
    assert (row.state, row.progress, row.deadline, row.unit_id) == (
        duty_rules.IN_PROGRESS, round(200 / total), inst.deadline, inst.unit_id)
    assert row.light == duty_rules.RED and row.overdue_days == (today - inst.deadline).days  # the 方案's 2022 deadline


def test_running_twice_a_day_keeps_one_row_each_with_the_later_state(plan):
    today = local_today()
    snapshots.take(today)
    inst = instance_by_key("transfer-children@yanhu-mz")
    inst.state, inst.closed_at = duty_rules.CLOSED, None
    db.session.commit()
    again = snapshots.take(today)
    assert again.replaced == again.rows == live_instances()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DutySnapshot)) == live_instances()
    assert rows_on(today)[inst.id].state == duty_rules.CLOSED and rows_on(today)[inst.id].light == duty_rules.GREY


def test_a_missed_day_is_written_alone_and_judged_on_that_day(plan):
    today = local_today()
    snapshots.take(today)
    inst = instance_by_key("transfer-children@yanhu-mz")
    before_deadline = inst.deadline - timedelta(days=60)
    snapshots.take(before_deadline)  # a backfill: today's rows stay as they were
    assert len(rows_on(today)) == live_instances()
    old = rows_on(before_deadline)[inst.id]
    assert old.light != duty_rules.RED and old.overdue_days == 0
    assert snapshots.day_on_or_before(before_deadline + timedelta(days=3)) == before_deadline
    assert snapshots.day_on_or_before(before_deadline - timedelta(days=1)) is None


def test_the_command_and_remind_take_the_snapshot(plan, runner):
    result = runner.invoke(args=["portal", "snapshot"])
    assert result.exit_code == 0, result.output
    assert f"{live_instances()} duty instance(s)" in result.output
    assert runner.invoke(args=["portal", "snapshot", "--on", "2026年1月5日"]).exit_code == 0
    assert len(rows_on(date(2026, 1, 5))) == live_instances()
    bad = runner.invoke(args=["portal", "snapshot", "--on", "yesterday"])
    assert bad.exit_code == 2 and "not a date" in bad.output
    future = runner.invoke(args=["portal", "snapshot", "--on", (local_today() + timedelta(days=2)).isoformat()])
    assert future.exit_code == 2
    db.session.execute(sa.delete(DutySnapshot))
    db.session.commit()
    reminded = runner.invoke(args=["portal", "remind"])
    assert reminded.exit_code == 0, reminded.output
    assert len(rows_on(local_today())) == live_instances()


# ---- trends -------------------------------------------------------------------------------------

def test_sample_days_spread_from_the_first_snapshot_to_today():
    assert trends.sample_days(None, date(2026, 1, 1)) == []
    assert trends.sample_days(date(2026, 1, 1), date(2026, 1, 3)) == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    days = trends.sample_days(date(2021, 1, 1), date(2026, 1, 1))
    assert len(days) == trends.POINTS and days[0] == date(2021, 1, 1) and days[-1] == date(2026, 1, 1)


def test_the_chart_maps_percentages_to_the_axis():
    point = snapshots.TrendPoint
    chart = trends.chart([point(date(2026, 1, 1), 4, 4, 0, 0, 0), point(date(2026, 1, 11), 4, 1, 0, 2, 300)])
    red = next(s for s in chart.series if s.key == "pct_red")
    assert [v for _, _, v in red.dots] == [100, 25]
    progress = next(s for s in chart.series if s.key == "avg_progress")
    assert progress.last == 75
    assert red.dots[0][1] == trends.y_of(100) < trends.y_of(25) and red.dots[0][0] == trends.LEFT
    assert red.dots[1][0] == trends.WIDTH - trends.RIGHT
    assert trends.chart([]).empty


def test_county_and_unit_pages_draw_the_trend_from_the_snapshots(plan, auth, client):
    today = local_today()
    inst = instance_by_key("transfer-children@yanhu-mz")
    snapshots.take(today - timedelta(days=10))
    inst.state, inst.closed_at = duty_rules.CLOSED, None
    db.session.commit()
    snapshots.take(today)
    auth.as_role("leader")
    county = client.get("/board/counties/yanhu").get_data(as_text=True)
    assert 'data-testid="trend"' in county and "<polyline" in county and "盐湖区任务变化趋势" in county
    unit = client.get("/units/yanhu-mz").get_data(as_text=True)
    trend = unit.split('data-testid="trend"')[1].split("</section>")[0]
    n = len([i for i in db.session.scalars(sa.select(DutyInstance).where(DutyInstance.unit_id == inst.unit_id,
                                                                          ~DutyInstance.archived))])
    assert f"已销号占比（最近 {round(100 / n)}%）" in trend  # the one closed duty of the unit's n


def test_a_staff_member_sees_no_unit_trend(plan, auth, client):
    snapshots.take(local_today())
    auth.as_role("staff")
    assert 'data-testid="trend"' not in client.get("/units/yanhu-mz").get_data(as_text=True)
