"""The outbox (issue #20, messages that reach people): enqueue in the caller's transaction, one
delivery per recipient and channel, sent by the deliverer to a real SMTP server and robot receiver."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.core.time import utcnow
from portal.extensions import db
from portal.models import Notice, OutboxDelivery, OutboxMessage, Unit
from portal.outbox import AttachmentRefused, enqueue
from portal.outbox.deliver import MAX_ATTEMPTS, backoff, claim, deliver_due
from portal.outbox.recipients import set_choices
from tests.conftest import make_user
from tests.outbox.conftest import DINGTALK_SECRET, DOMAIN


def unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def deliveries(message: OutboxMessage) -> dict[tuple[str, str], OutboxDelivery]:
    return {(d.channel, d.address): d for d in db.session.scalars(
        sa.select(OutboxDelivery).where(OutboxDelivery.message_id == message.id))}


def test_a_unit_means_its_liaisons_and_its_robots(channels_on):
    alice = make_user("alice", "liaison", unit="yanhu-mz")
    alice.email = "alice@example.org"
    make_user("bob", "liaison", unit="yanhu-mz")
    make_user("carol", "staff", unit="yanhu-mz")  # not a liaison: not addressed for the unit
    make_user("dave", "liaison", unit="city-mz")  # another unit
    message = enqueue("digest", subject="任务提醒", body="已逾期 1 项", units=[unit("yanhu-mz")], link="/duties/")
    db.session.commit()
    got = deliveries(message)
    assert set(got) == {("inapp", f"unit:{unit('yanhu-mz').id}"), ("email", "alice@example.org"),
                        ("email", f"bob@{DOMAIN}"), ("wecom", "office"), ("dingtalk", "office")}
    assert got[("inapp", f"unit:{unit('yanhu-mz').id}")].state == "sent"
    assert all(d.state == "pending" for k, d in got.items() if k[0] != "inapp")
    notice = db.session.scalar(sa.select(Notice).where(Notice.unit_id == unit("yanhu-mz").id))
    assert (notice.title, notice.body, notice.link) == ("任务提醒", "已逾期 1 项", "/duties/")


def test_the_message_goes_with_the_callers_transaction(channels_on):
    make_user("alice", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办", body="请尽快办理", units=[unit("yanhu-mz")])
    db.session.rollback()  # the action that caused it failed: no message, no notice, no delivery
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxDelivery)) == 0


def test_a_dedupe_key_makes_the_second_enqueue_a_no_op(channels_on):
    make_user("alice", "liaison", unit="yanhu-mz")
    first = enqueue("digest", subject="提醒", body="x", units=[unit("yanhu-mz")], dedupe_key="digest:2026-12-07:yanhu-mz")
    again = enqueue("digest", subject="提醒", body="x", units=[unit("yanhu-mz")], dedupe_key="digest:2026-12-07:yanhu-mz")
    db.session.commit()
    assert first is not None and again is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_attachments_are_checked_and_travel_with_the_email(channels_on, smtp):
    user = make_user("leader1", "leader", unit="city-mz")
    with pytest.raises(AttachmentRefused):
        enqueue("bulletin", subject="通报", body="见附件", users=[user], attachments=[("../../etc/run.sh", b"#!")])
    db.session.rollback()
    enqueue("bulletin", subject="通报", body="见附件", users=[user], attachments=[("dir/通报.xlsx", b"PK\x03\x04data")])
    db.session.commit()
    assert deliver_due().sent == 1  # a person (not a unit): email only, no group robot
    _, mail = smtp.messages[0]
    parts = list(mail.iter_attachments())
    assert [p.get_filename() for p in parts] == ["通报.xlsx"] and parts[0].get_content() == b"PK\x03\x04data"


def test_deliver_sends_email_and_robot_posts_in_chinese_with_the_link(channels_on, smtp, receiver):
    make_user("alice", "liaison", unit="yanhu-mz")
    make_user("bob", "liaison", unit="yanhu-mz", ).mobile = "13800000000"
    enqueue("digest", subject="任务提醒：逾期 1 项", body="盐湖区民政局：\n· 困境儿童排查（时限 2026年12月1日）",
            units=[unit("yanhu-mz")], link="/duties/")
    db.session.commit()
    tally = deliver_due()
    assert (tally.sent, tally.retry, tally.failed) == (5, 0, 0)  # 2 emails, 1 SMS, 企业微信, 钉钉
    assert sorted(rcpt for rcpts, _ in smtp.messages for rcpt in rcpts) == [f"alice@{DOMAIN}", f"bob@{DOMAIN}"]
    _, mail = smtp.messages[0]
    assert mail["Subject"] == "任务提醒：逾期 1 项"
    assert "困境儿童排查" in mail.get_content() and "https://portal.test.gov.cn/duties/" in mail.get_content()
    assert mail["Message-ID"].startswith("<outbox-")  # the idempotency key
    by_path = {r.path: r for r in receiver.requests}
    assert set(by_path) == {"/wecom", "/dingtalk", "/sms"}
    assert by_path["/wecom"].body["msgtype"] == "markdown"
    assert "困境儿童排查" in by_path["/wecom"].body["markdown"]["content"]
    assert by_path["/sms"].body["to"] == "13800000000" and "任务提醒" in by_path["/sms"].body["text"]
    assert all(d.state == "sent" and d.sent_at for d in db.session.scalars(sa.select(OutboxDelivery)))


def test_dingtalk_webhooks_are_signed_as_dingtalk_documents(channels_on, receiver):
    make_user("alice", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办", body="请办理", units=[unit("yanhu-mz")])
    db.session.commit()
    deliver_due()
    (post,) = [r for r in receiver.requests if r.path == "/dingtalk"]
    timestamp, sign = post.query["timestamp"][0], post.query["sign"][0]
    expected = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert sign == expected  # parse_qs has undone the URL encoding
    assert post.query["access_token"] == ["office-token"]
    assert abs(int(timestamp) / 1000 - utcnow().timestamp()) < 3600 * 24  # milliseconds, not seconds


def test_a_receiver_that_is_down_is_retried_with_backoff(channels_on, receiver):
    app = channels_on
    app.config.update(SMTP_HOST="", DINGTALK_WEBHOOK="")
    make_user("alice", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办", body="请办理", units=[unit("yanhu-mz")])
    db.session.commit()
    receiver.down = True
    before = utcnow()
    assert deliver_due().retry == 1
    (wecom,) = db.session.scalars(sa.select(OutboxDelivery).where(OutboxDelivery.channel == "wecom"))
    assert (wecom.state, wecom.attempts) == ("pending", 1) and "503" in wecom.last_error
    assert wecom.next_attempt_at >= before + backoff(1) - timedelta(seconds=1)
    assert deliver_due().sent == 0  # not due yet: nothing is tried
    receiver.down = False
    db.session.execute(sa.update(OutboxDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert deliver_due().sent == 1
    db.session.refresh(wecom)
    assert (wecom.state, wecom.attempts, wecom.last_error) == ("sent", 2, "")
    assert len(receiver.requests) == 1


def test_backoff_doubles_and_the_last_attempt_fails_for_good(channels_on, receiver):
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    channels_on.config.update(SMTP_HOST="", DINGTALK_WEBHOOK="")
    make_user("alice", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办", body="请办理", units=[unit("yanhu-mz")])
    db.session.commit()
    receiver.down = True
    for _ in range(MAX_ATTEMPTS):
        db.session.execute(sa.update(OutboxDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        tally = deliver_due()
    assert tally.failed == 1
    (wecom,) = db.session.scalars(sa.select(OutboxDelivery).where(OutboxDelivery.channel == "wecom"))
    assert (wecom.state, wecom.attempts) == ("failed", MAX_ATTEMPTS)


def test_a_refusal_is_not_retried(channels_on, receiver):
    channels_on.config.update(SMTP_HOST="", DINGTALK_WEBHOOK="", WECOM_WEBHOOK=f"{receiver.url}/missing")
    receiver.server.RequestHandlerClass.do_POST = lambda self: (self.send_response(404), self.end_headers())
    make_user("alice", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办", body="请办理", units=[unit("yanhu-mz")])
    db.session.commit()
    assert deliver_due().failed == 1
    (wecom,) = db.session.scalars(sa.select(OutboxDelivery).where(OutboxDelivery.channel == "wecom"))
    assert wecom.state == "failed" and "404" in wecom.last_error


def test_two_claims_never_share_a_delivery_and_an_expired_lease_is_taken_again(channels_on):
    for n in range(6):
        make_user(f"l{n}", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办", body="请办理", units=[unit("yanhu-mz")])
    db.session.commit()
    first_token, first = claim(batch=4, lease_s=600)
    second_token, second = claim(batch=100, lease_s=600)
    assert len(first) == 4 and len(second) == 4  # 6 emails and 2 robots, none twice
    assert not {d.id for d in first} & {d.id for d in second}
    assert claim(batch=100)[1] == []  # everything is held
    later = utcnow() + timedelta(seconds=601)
    _, again = claim(batch=100, now=later)  # a deliverer killed while holding them: the lease ran out
    assert {d.id for d in again} == {d.id for d in first} | {d.id for d in second}
    assert all(d.attempts == 2 for d in again)


def test_a_person_chooses_which_channels_carry_which_kinds(channels_on):
    alice = make_user("alice", "liaison", unit="yanhu-mz")
    alice.mobile = "13800000001"
    set_choices({("digest", "email"): False, ("digest", "sms"): True}, user_id=alice.id)
    set_choices({("digest", "wecom"): False}, unit_id=unit("yanhu-mz").id)
    digest = enqueue("digest", subject="提醒", body="x", units=[unit("yanhu-mz")])
    urge = enqueue("urge", subject="催办", body="x", units=[unit("yanhu-mz")])
    db.session.commit()
    assert {k[0] for k in deliveries(digest)} == {"inapp", "sms", "dingtalk"}
    assert {k[0] for k in deliveries(urge)} == {"inapp", "email", "sms", "wecom", "dingtalk"}


def test_the_looping_deliverer_sends_what_arrives_between_rounds(channels_on, smtp):
    from portal.outbox.deliver import deliver_loop

    leader = make_user("leader1", "leader", unit="city-mz")
    enqueue("bulletin", subject="通报", body="本期通报", users=[leader])
    db.session.commit()
    lines: list[str] = []
    deliver_loop(0, echo=lines.append, rounds=2)
    assert lines == ["sent 1, to retry 0, failed 0"]  # the quiet second round says nothing
    assert len(smtp.messages) == 1


def test_a_mail_server_that_is_not_listening_is_retried(channels_on, smtp):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    channels_on.config.update(SMTP_PORT=closed_port)
    leader = make_user("leader1", "leader", unit="city-mz")
    enqueue("bulletin", subject="通报", body="本期通报", users=[leader])
    db.session.commit()
    assert deliver_due().retry == 1
    (email,) = db.session.scalars(sa.select(OutboxDelivery).where(OutboxDelivery.channel == "email"))
    assert email.state == "pending" and "邮件服务器无法连接" in email.last_error
    channels_on.config.update(SMTP_PORT=smtp.port)
    email.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver_due().sent == 1 and len(smtp.messages) == 1
