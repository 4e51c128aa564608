"""`flask portal remind` puts the day's digest and the reports not filed by the due day into the outbox
(issue #20); `flask portal deliver` sends them in Chinese, naming the duty, unit, deadline and a link."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.models import MonthlyReport, OutboxDelivery, OutboxMessage, Unit
from portal.models.reports import SUBMITTED
from portal.reports.reminders import queue_missing_reports
from tests.conftest import make_user


def test_remind_queues_each_units_digest_once_a_day_and_deliver_mails_it(channels_on, plan, runner, smtp):
    make_user("mz", "liaison", unit="yanhu-mz")
    result = runner.invoke(args=["portal", "remind"])
    assert result.exit_code == 0, result.output
    yanhu = db.session.scalar(sa.select(Unit).where(Unit.code == "yanhu-mz"))
    digest = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "digest",
                                                             OutboxMessage.dedupe_key.endswith(":yanhu-mz")))
    assert "盐湖区民政局" in digest.subject and digest.body.startswith("盐湖区民政局：")
    assert "做好儿童移交工作" in digest.body and "年" in digest.body and "月" in digest.body  # the duty, its deadline
    assert digest.link == "/tasks/?unit=yanhu-mz"
    email = db.session.scalar(sa.select(OutboxDelivery).where(OutboxDelivery.message_id == digest.id,
                                                              OutboxDelivery.channel == "email"))
    assert email.state == "pending" and email.unit_id == yanhu.id
    runner.invoke(args=["portal", "remind"])  # cron twice the same day: nothing more
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.dedupe_key.endswith(":yanhu-mz"))) == 1

    delivered = runner.invoke(args=["portal", "deliver"])
    assert delivered.exit_code == 0 and "failed 0" in delivered.output
    # the liaison's mail: the digest once (remind also takes the 督办 ladder's step for the overdue duty,
    # a message of its own)
    mails = [mail for rcpts, mail in smtp.messages if rcpts == ["mz@mz.test.gov.cn"] and mail["Subject"] == digest.subject]
    assert len(mails) == 1
    text = mails[0].get_content()
    assert "做好儿童移交工作" in text and "https://portal.test.gov.cn/tasks/?unit=yanhu-mz" in text


def test_reports_not_filed_by_the_due_day_are_queued_once_a_month(channels_on, plan, clock):
    clock(date(2026, 11, 26))
    channels_on.config["REPORT_DUE_DAY"] = 25
    filed = db.session.scalar(sa.select(Unit).where(Unit.code == "city-mz"))
    db.session.add(MonthlyReport(unit_id=filed.id, month="2026-11", status=SUBMITTED, progress="已完成"))
    db.session.flush()
    lines = queue_missing_reports("2026-11")
    db.session.commit()
    messages = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "report_missing")))
    assert messages and len(messages) == len(lines)
    yanhu = next(m for m in messages if m.dedupe_key == "report_missing:2026-11:yanhu-mz")
    assert yanhu.body == "盐湖区民政局：2026年11月的月度进展报告应于2026年11月25日前提交，目前尚未提交，请尽快填报。"
    assert yanhu.link == "/reports/yanhu-mz/2026-11"
    assert not any(m.dedupe_key.endswith(":city-mz") for m in messages)  # filed
    assert queue_missing_reports("2026-11") == []  # once a month


def test_before_the_due_day_no_report_is_missing(channels_on, plan, clock):
    clock(date(2026, 11, 25))
    channels_on.config["REPORT_DUE_DAY"] = 25
    assert queue_missing_reports("2026-11") == []
