"""The 三色督查单 ladder as pure rules: 提醒 before the deadline, 督办通知单 when overdue, 红色督办单 when
still overdue M working days later — each once, counted in working days."""
from __future__ import annotations

from datetime import date

from portal.supervision import rules
from portal.supervision.rules import BLUE, ORANGE, RED, Facts, Thresholds, next_step

T = Thresholds(remind_days=3, order_days=5, red_days=5)


def test_blue_only_within_n_working_days_before_the_deadline():
    deadline = date(2025, 10, 10)  # Friday after 国庆: 9th and 10th are the only working days from 30 Sep
    assert next_step(deadline, date(2025, 9, 25), {}, T) is None  # 25th → 10th: 26, 28, 29, 30, 9, 10 = 6
    step = next_step(deadline, date(2025, 9, 29), {}, T)  # 30, 9, 10 = 3 working days
    assert step == rules.Step(BLUE, None)
    assert next_step(deadline, date(2025, 9, 29), {BLUE: date(2025, 9, 29)}, T) is None  # never twice


def test_orange_when_overdue_with_a_new_deadline_in_working_days():
    step = next_step(date(2025, 9, 30), date(2025, 10, 1), {BLUE: date(2025, 9, 26)}, T)
    assert step.level == ORANGE
    assert step.reply_by == date(2025, 10, 14)  # 9, 10, 11 (调休 Saturday), 13, 14: the fifth
    assert next_step(date(2025, 9, 30), date(2025, 10, 2), {ORANGE: date(2025, 10, 1)}, T) is None


def test_red_m_working_days_after_the_orange_step():
    taken = {ORANGE: date(2025, 9, 30)}
    assert next_step(date(2025, 9, 26), date(2025, 10, 10), taken, T) is None  # 9, 10: two working days
    step = next_step(date(2025, 9, 26), date(2025, 10, 14), taken, T)  # 9, 10, 11, 13, 14
    assert step.level == RED
    assert next_step(date(2025, 9, 26), date(2025, 10, 20), {**taken, RED: date(2025, 10, 14)}, T) is None


def test_the_step_key_names_level_instance_and_deadline():
    assert rules.step_key(ORANGE, 7, date(2026, 3, 1)) == "orange:7:2026-03-01"


def test_messages_name_the_duty_unit_deadline_and_link():
    facts = Facts(unit="盐湖区民政局", matter="「建立工作台账」任务", deadline=date(2026, 3, 1), link="/tasks/7")
    subject, body = rules.urge_text(facts, date(2026, 3, 5))
    assert "建立工作台账" in subject
    assert "盐湖区民政局" in body and "2026年3月1日" in body and "已逾期4天" in body and "/tasks/7" in body
    subject, body = rules.step_text(RED, facts, date(2026, 3, 20), date(2026, 3, 27), copy_to="副区长李四")
    assert subject.startswith("红色督办") and "抄送你单位分管领导副区长李四" in body and "2026年3月27日" in body
    many = rules.fill("〔单位〕：〔事项〕时限〔时限〕，见〔链接〕", facts)
    assert many == "盐湖区民政局：「建立工作台账」任务时限2026年3月1日，见/tasks/7"
