"""run_escalations: blue → orange → red on the dates the office's working-day thresholds give, each
step once (however often remind runs), recorded on the duty and sent through the outbox; the red step
names and copies the unit's 分管领导; `flask portal remind` runs it."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry, DutyInstance, Notice, Urge
from portal.supervision import ladder
from tests.conftest import instance_by_key, make_user

KEY = "transfer-children@yanhu-mz"


def _only(inst_id: int):
    """Every other open duty loses its deadline, so the ladder looks at this one only."""
    db.session.execute(sa.update(DutyInstance).where(DutyInstance.id != inst_id).values(deadline=None))


def _steps(inst_id: int) -> list[tuple[str, date | None]]:
    return [(u.level, u.reply_by) for u in db.session.scalars(
        sa.select(Urge).where(Urge.instance_id == inst_id).order_by(Urge.id))]


def test_the_ladder_across_national_day_each_step_once(app, plan):
    inst = instance_by_key(KEY)
    inst.deadline = date(2025, 9, 30)
    _only(inst.id)
    boss = make_user("fenguan", "leader")
    ladder.set_leader(None, inst.unit_id, boss.id, "", "副区长")
    db.session.commit()

    assert ladder.run_escalations(date(2025, 9, 25)) == []  # 26, 28 (调休 Sunday), 29, 30: four working days
    assert ladder.run_escalations(date(2025, 9, 26))[0].startswith("提醒：盐湖区民政局")  # 28, 29, 30
    assert ladder.run_escalations(date(2025, 9, 26)) == []  # idempotent
    assert ladder.run_escalations(date(2025, 9, 30)) == []  # due today: not overdue
    assert ladder.run_escalations(date(2025, 10, 1))[0].startswith("督办通知单：")
    assert ladder.run_escalations(date(2025, 10, 3)) == []
    assert ladder.run_escalations(date(2025, 10, 13)) == []  # 9, 10, 11 (调休 Saturday), 13: four
    assert ladder.run_escalations(date(2025, 10, 14))[0].startswith("红色督办单：")  # the fifth
    assert ladder.run_escalations(date(2025, 10, 20)) == []
    assert _steps(inst.id) == [("blue", None), ("orange", date(2025, 10, 14)), ("red", date(2025, 10, 21))]

    red = db.session.scalar(sa.select(Urge).where(Urge.level == "red"))
    assert red.copy_to == "副区长测试fenguan" and "抄送你单位分管领导副区长测试fenguan" in red.body
    assert (red.year, red.serial) == (today().year, 3)  # numbered in the year: the third 督办单
    trace = list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "duty_instance", AuditEntry.object_id == str(inst.id), AuditEntry.action == "escalate")))
    assert len(trace) == 3
    titles = set(db.session.scalars(sa.select(Notice.title).where(Notice.unit_id == inst.unit_id)))
    assert {"督办通知：「" + inst.duty.title + "」任务已逾期"} <= titles


def test_an_extension_starts_the_ladder_again_for_the_new_deadline(app, plan):
    inst = instance_by_key(KEY)
    inst.deadline = date(2026, 3, 2)
    _only(inst.id)
    db.session.commit()
    ladder.run_escalations(date(2026, 3, 3))
    inst.deadline = date(2026, 4, 30)  # an approved 延期
    db.session.commit()
    assert ladder.run_escalations(date(2026, 3, 4)) == []
    assert ladder.run_escalations(date(2026, 5, 6))[0].startswith("督办通知单")
    assert [level for level, _ in _steps(inst.id)] == ["orange", "orange"]


def test_a_closed_duty_is_not_escalated(app, plan):
    inst = instance_by_key(KEY)
    inst.deadline, inst.state = date(2026, 3, 2), "closed"
    _only(inst.id)
    db.session.commit()
    assert ladder.run_escalations(date(2026, 4, 1)) == []


def test_the_thresholds_are_the_offices_settings(app, plan):
    inst = instance_by_key(KEY)
    inst.deadline = date(2026, 2, 24)  # the Tuesday after 春节
    _only(inst.id)
    config = ladder.settings()  # the defaults until the office saves (reading never writes)
    config.remind_days = 1
    db.session.add(config)
    db.session.commit()
    assert ladder.run_escalations(date(2026, 2, 13)) == []  # 14 (调休 Saturday) and 24: two working days
    assert ladder.run_escalations(date(2026, 2, 14))[0].startswith("提醒")


def test_a_deadline_beyond_the_holiday_data_says_how_days_were_counted(app, plan):
    from portal.workdays import LAST_KNOWN_YEAR

    inst = instance_by_key(KEY)
    inst.deadline = date(LAST_KNOWN_YEAR + 1, 6, 1)
    _only(inst.id)
    db.session.commit()
    lines = ladder.run_escalations(date(LAST_KNOWN_YEAR + 1, 6, 3))
    assert lines[0].startswith("督办通知单") and "周一至周五" in lines[-1]


def test_remind_runs_the_ladder_on_the_portals_day(app, plan, runner, clock):
    inst = instance_by_key(KEY)
    inst.deadline = date(2025, 9, 30)
    _only(inst.id)
    db.session.commit()
    clock(date(2025, 10, 9))
    result = runner.invoke(args=["portal", "remind"])
    assert result.exit_code == 0, result.output
    assert "督办通知单：盐湖区民政局" in result.output
    again = runner.invoke(args=["portal", "remind"])
    assert "督办通知单" not in again.output
    assert _steps(inst.id) == [("orange", date(2025, 10, 15))]  # 10, 11, 13, 14, 15


def test_a_step_taken_by_a_concurrent_run_is_not_taken_again_nor_an_error(app, plan, monkeypatch):
    """Two hosts running remind at once: the second finds the step's key taken (the unique step_key)."""
    from portal.supervision.services import add_urge

    inst = instance_by_key(KEY)
    inst.deadline = date(2025, 9, 30)
    _only(inst.id)
    db.session.commit()
    # the other run's row, committed while this run had read the steps already taken
    add_urge(level="orange", topic="duty", unit_id=inst.unit_id, instance_id=inst.id, subject="督办通知", body="x",
             deadline=inst.deadline, step_key=f"orange:{inst.id}:2025-09-30")
    monkeypatch.setattr(ladder, "_taken", lambda: {})  # as if read before the other run committed
    assert ladder.run_escalations(date(2025, 10, 1)) == []
    assert [level for level, _ in _steps(inst.id)] == ["orange"]


def test_a_unit_with_several_late_duties_gets_one_message_per_step(app, plan):
    first, second = instance_by_key(KEY), instance_by_key("grassroots-training@yanhu-mz")
    db.session.execute(sa.update(DutyInstance).values(deadline=None))
    first.deadline = second.deadline = date(2025, 9, 30)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(Notice.id)))
    lines = ladder.run_escalations(date(2025, 10, 9))
    assert len(lines) == 2 and len(_steps(first.id)) == len(_steps(second.id)) == 1  # two numbered 督办单
    notices = list(db.session.scalars(sa.select(Notice).order_by(Notice.id).offset(before)))
    assert [n.title for n in notices] == ["督办通知单：盐湖区民政局2项任务"]
    assert first.duty.title in notices[0].body and second.duty.title in notices[0].body
