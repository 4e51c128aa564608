"""Recurring work: a periodic duty has one record per period, rolls over when its period is over
(on the duty page and by `flask portal roll-periods` / `remind`), and keeps every period's outcome."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.core import duty_rules
from portal.core.time import local_today
from portal.duties import periods
from portal.extensions import db
from portal.models import AuditEntry, DutyPeriod
from tests.conftest import instance_by_key


def test_period_bounds_and_labels():
    assert duty_rules.period_bounds("monthly", date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert duty_rules.period_bounds("monthly", date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert duty_rules.period_bounds("quarterly", date(2026, 11, 5)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert duty_rules.period_bounds("quarterly", date(2026, 4, 1)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert duty_rules.period_bounds("yearly", date(2024, 2, 29)) == (date(2024, 1, 1), date(2024, 12, 31))
    assert duty_rules.period_label("monthly", date(2026, 11, 1)) == "2026年11月"
    assert duty_rules.period_label("quarterly", date(2026, 10, 1)) == "2026年第4季度"
    assert duty_rules.period_label("yearly", date(2026, 1, 1)) == "2026年度"
    # 「每半年」: 上半年 and 下半年
    assert duty_rules.period_bounds("halfyearly", date(2026, 8, 5)) == (date(2026, 7, 1), date(2026, 12, 31))
    assert duty_rules.period_label("halfyearly", date(2026, 1, 1)) == "2026年上半年"
    assert duty_rules.period_named("每半年报送一次") == "halfyearly"


def test_a_period_is_over_after_its_last_day_when_closed_or_past_its_deadline():
    start = date(2026, 11, 1)
    assert not duty_rules.period_over("monthly", start, date(2026, 11, 30), duty_rules.IN_PROGRESS, date(2026, 11, 30))
    assert duty_rules.period_over("monthly", start, date(2026, 11, 30), duty_rules.IN_PROGRESS, date(2026, 12, 1))
    # an approved 延期 to 12月10日 keeps November open until then, unless it is closed
    assert not duty_rules.period_over("monthly", start, date(2026, 12, 10), duty_rules.IN_PROGRESS, date(2026, 12, 5))
    assert duty_rules.period_over("monthly", start, date(2026, 12, 10), duty_rules.CLOSED, date(2026, 12, 5))


def monthly_drills():
    """The shipped quarterly drill made monthly (the test's own 月报-like duty)."""
    inst = instance_by_key("sfly-drills")
    inst.duty.period = "monthly"
    db.session.commit()
    return inst


def test_rolling_keeps_the_period_and_starts_the_next(plan):
    inst = monthly_drills()
    today = local_today()
    assert periods.due(inst, today) and periods.roll(inst, today) == []  # the first period starts
    first, last = duty_rules.period_bounds("monthly", today)
    assert (inst.period_start, inst.deadline, inst.state) == (first, last, duty_rules.NOT_STARTED)
    inst.state, inst.closed_at = duty_rules.CLOSED, datetime(first.year, first.month, first.day, 3)
    if inst.active_items:
        inst.active_items[0].done = True
    db.session.commit()
    later = last + timedelta(days=40)  # the next month passed untouched too
    kept = periods.roll(inst, later)
    db.session.commit()
    assert [(p.starts, p.state) for p in kept] == [(first, duty_rules.CLOSED),
                                                    (last + timedelta(days=1), duty_rules.NOT_STARTED)]
    assert kept[0].progress == 100 and kept[0].closed_at is not None
    assert kept[0].done_items == ([inst.active_items[0].title] if inst.active_items else [])
    assert inst.period_start == duty_rules.period_bounds("monthly", later)[0] and inst.deadline == duty_rules.period_bounds("monthly", later)[1]
    assert inst.state == duty_rules.NOT_STARTED and inst.closed_at is None and not any(i.done for i in inst.items)
    assert periods.roll(inst, later) == []  # idempotent
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "roll_period").order_by(AuditEntry.id.desc()))
    assert entry is not None and entry.object_id == str(inst.id)


def test_an_open_period_past_its_deadline_is_kept_as_not_closed(plan):
    inst = monthly_drills()
    today = local_today()
    periods.roll(inst, today)
    inst.state = duty_rules.IN_PROGRESS
    db.session.commit()
    periods.roll(inst, inst.deadline + timedelta(days=1))
    db.session.commit()
    kept = periods.history(inst)
    assert [(p.state, p.closed_at) for p in kept] == [(duty_rules.IN_PROGRESS, None)]


def test_the_command_rolls_every_periodic_duty_and_remind_runs_it(plan, runner):
    inst = monthly_drills()
    result = runner.invoke(args=["portal", "roll-periods"])
    assert result.exit_code == 0 and "periods: 1 periodic duty instance(s)" in result.output
    assert instance_by_key("sfly-drills").period_start is not None
    again = runner.invoke(args=["portal", "remind"])
    assert again.exit_code == 0 and "periods: 0 periodic duty instance(s)" in again.output
    assert db.session.scalar(sa.select(sa.func.count(DutyPeriod.id)).where(DutyPeriod.instance_id == inst.id)) == 0


def test_the_duty_page_shows_the_current_period_and_the_history(plan, auth, client):
    inst = monthly_drills()
    periods.roll(inst, date(2026, 1, 15))
    inst.state, inst.closed_at = duty_rules.CLOSED, datetime(2026, 1, 20, 3)
    db.session.commit()
    auth.as_role("admin")
    html = client.get(f"/tasks/{inst.id}").get_data(as_text=True)  # opened after January: it rolls over
    section = html.split('data-testid="periods"')[1].split("</section>")[0]
    this = duty_rules.period_label("monthly", local_today().replace(day=1))
    assert f"本期：<strong>{this}</strong>" in section
    history = section.split('data-testid="period-history"')[1]
    assert "2026年1月" in history and "已销号" in history and "2026年1月20日" in history
    assert "2026年2月" in history and "期内未销号" in history  # the months nobody worked in are kept


# ---- long-term duties: the office's check-in ------------------------------------------------------

def test_checkin_is_done_due_or_missed():
    today = date(2026, 12, 7)
    assert duty_rules.checkin("monthly", date(2026, 12, 2), today).status == duty_rules.CHECKIN_DONE
    assert duty_rules.checkin("monthly", date(2026, 11, 20), today).status == duty_rules.CHECKIN_DUE
    assert duty_rules.checkin("monthly", date(2026, 10, 31), today).status == duty_rules.CHECKIN_MISSED
    assert duty_rules.checkin("monthly", None, today).status == duty_rules.CHECKIN_MISSED
    c = duty_rules.checkin("quarterly", date(2026, 9, 30), today)
    assert (c.status, c.starts, c.ends) == (duty_rules.CHECKIN_DUE, date(2026, 10, 1), date(2026, 12, 31))


def test_the_office_asks_long_term_duties_to_check_in(plan, auth, client, runner):
    from portal.models import AssessmentSettings, Notice

    inst = instance_by_key("protection-duties@yanhu-mz")  # 长期 (deadline: none in the 任务分工表)
    assert inst.duty.deadline_kind == "none"
    auth.as_role("admin")
    assert 'data-testid="checkin"' not in client.get(f"/tasks/{inst.id}").get_data(as_text=True)  # none asked yet
    db.session.add(AssessmentSettings(id=1, checkin_period="monthly"))
    db.session.commit()
    html = client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "上期未报告，请尽快报告" in html.split('data-testid="checkin"')[1]
    result = runner.invoke(args=["portal", "remind"])
    assert result.exit_code == 0 and "long-term duty check-in(s) asked" in result.output
    notice = db.session.scalar(sa.select(Notice).where(Notice.unit_id == inst.unit_id, Notice.title.like("长期任务%")))
    assert notice is not None and inst.duty.title in notice.body
    from portal.duties.services import add_note
    from tests.conftest import make_user

    add_note(make_user("yh", "liaison", unit=inst.unit.code), inst, "本月已开展入户走访")
    html = client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert ">已报告<" in html.split('data-testid="checkin"')[1]
