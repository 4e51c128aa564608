"""The outbox's pages: the office sets a unit's robots (checked, sealed, shown back only in part,
audited) and sees each message's delivery state; a person sets their own address and channels."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, ChannelChoice, OutboxDelivery, RobotWebhook, Unit, User
from portal.outbox import enqueue
from portal.outbox.deliver import deliver_due
from tests.conftest import AuthActions, make_user

UNIT_PAGE = "/admin/outbox/units/yanhu-mz"
TOKEN = "a1b2c3d4e5f6g7h8i9j0"
SECRET = "SECunit-secret-0123456789"
OVERALL = '<td data-label="状态" data-testid="outbox-overall"><span class="badge state-'



def office(app) -> AuthActions:
    make_user("office", "admin")
    auth = AuthActions(app.test_client())
    auth.login("office")
    return auth


def yanhu() -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == "yanhu-mz"))


def test_a_bad_robot_address_is_refused_in_chinese_and_nothing_is_saved(channels_on):
    auth = office(channels_on)
    response = auth.post(UNIT_PAGE, {"wecom_url": "javascript:alert(1)"})
    assert response.status_code == 422
    assert "机器人地址应为 https:// 开头的完整网址" in response.get_data(as_text=True)
    response = auth.post(UNIT_PAGE, {"dingtalk_url": "https://user:pw@oapi.dingtalk.com/robot/send"})
    assert response.status_code == 422 and "不能含用户名或密码" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RobotWebhook)) == 0


def test_the_office_sets_a_units_robots_sealed_shown_in_part_and_audited(channels_on, receiver):
    auth = office(channels_on)
    response = auth.post(UNIT_PAGE, {
        "wecom_url": f"{receiver.url}/unit-wecom?key={TOKEN}", "dingtalk_url": f"{receiver.url}/unit-ding?access_token={TOKEN}",
        "dingtalk_secret": SECRET, **{f"{k}__{c}": "y" for k in ("digest", "urge") for c in ("wecom", "dingtalk")}})
    assert response.status_code == 302
    robots = {r.channel: r for r in db.session.scalars(sa.select(RobotWebhook))}
    assert set(robots) == {"wecom", "dingtalk"}
    assert TOKEN not in robots["wecom"].sealed_url and SECRET not in robots["dingtalk"].sealed_secret
    page = auth.client.get(UNIT_PAGE).get_data(as_text=True)
    assert TOKEN not in page and SECRET not in page
    assert "a1b…9j0" in page and "SEC…89" in page
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "set_robot")).all()
    assert len(entries) == 2 and all(TOKEN not in str(e.after) for e in entries)
    # Unchecked kinds are switched off for the unit's robots.
    assert db.session.scalar(sa.select(ChannelChoice).where(
        ChannelChoice.unit_id == yanhu().id, ChannelChoice.kind == "bulletin", ChannelChoice.channel == "wecom")).enabled is False

    make_user("alice", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办", body="请办理", units=[yanhu()])
    db.session.commit()
    deliver_due()
    posts = {r.path: r for r in receiver.requests}
    assert posts["/unit-wecom"].query["key"] == [TOKEN]
    assert posts["/unit-ding"].query["access_token"] == [TOKEN] and posts["/unit-ding"].query["sign"]
    # A blank address keeps the robot; removing it removes it (audited).
    assert auth.post(UNIT_PAGE, {"remove_wecom": "y"}).status_code == 302
    assert {r.channel for r in db.session.scalars(sa.select(RobotWebhook))} == {"dingtalk"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "remove_robot")) == 1


def test_the_office_sees_each_message_go_from_waiting_to_delivered(channels_on, smtp):
    auth = office(channels_on)
    make_user("alice", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办：困境儿童排查", body="请办理", units=[yanhu()])
    db.session.commit()
    page = auth.client.get("/admin/outbox/").get_data(as_text=True)
    assert "催办：困境儿童排查" in page and f"{OVERALL}pending\">待发送" in page and "已送达 1" in page  # the in-app notice
    deliver_due()
    page = auth.client.get("/admin/outbox/?state=done").get_data(as_text=True)
    assert "催办：困境儿童排查" in page and f"{OVERALL}sent\">已送达" in page and "待发送 " not in page
    message_id = db.session.scalar(sa.select(OutboxDelivery.message_id))
    detail = auth.client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "测试alice（盐湖区民政局）" in detail and "电子邮件" in detail and "督查室全局群" in detail
    assert "alice@" not in detail  # names, not addresses made from usernames


def test_a_failed_delivery_can_be_sent_again(channels_on):
    auth = office(channels_on)
    make_user("alice", "liaison", unit="yanhu-mz")
    enqueue("urge", subject="催办", body="请办理", units=[yanhu()])
    db.session.commit()
    email = db.session.scalar(sa.select(OutboxDelivery).where(OutboxDelivery.channel == "email"))
    email.state, email.attempts, email.last_error = "failed", 8, "收件地址被拒绝"
    db.session.commit()
    assert "重新发送" in auth.client.get(f"/admin/outbox/{email.message_id}").get_data(as_text=True)
    assert auth.post(f"/admin/outbox/deliveries/{email.id}/retry").status_code == 302
    db.session.refresh(email)
    assert (email.state, email.attempts) == ("pending", 0)
    again = auth.post(f"/admin/outbox/deliveries/{email.id}/retry")  # a page drawn before the first retry
    rows = again.get_data(as_text=True).split('data-testid="outbox-delivery"')[1:]
    refused = [row for row in rows if 'data-testid="form-refused"' in row]
    assert again.status_code == 422 and len(refused) == 1  # in that delivery's row
    assert "该消息当前不是发送失败状态，无需重新发送。" in refused[0] and "收件地址被拒绝" in refused[0]
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "retry_delivery")) is not None


def test_a_person_sets_their_address_and_channels(channels_on):
    make_user("alice", "liaison", unit="yanhu-mz")
    auth = AuthActions(channels_on.test_client())
    auth.login("alice")
    page = auth.client.get("/account/messages").get_data(as_text=True)
    assert "消息接收设置" in page and "每日提醒" in page
    bad = auth.post("/account/messages", {"email": "not-an-address", "mobile": "12345"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "电子邮箱格式不正确" in text and "手机号码应为 11 位数字" in text
    boxes = {f"{k}__{c}": "y" for k in ("digest", "urge", "report_missing") for c in ("email", "sms")}
    boxes.pop("digest__email")
    ok = auth.post("/account/messages", {"email": "alice@example.org", "mobile": "13800000000", **boxes})
    assert ok.status_code == 302
    alice = db.session.scalar(sa.select(User).where(User.username == "alice"))
    assert (alice.email, alice.mobile) == ("alice@example.org", "13800000000")
    message = enqueue("digest", subject="提醒", body="x", units=[yanhu()])
    db.session.commit()
    assert {d.channel for d in message.deliveries} == {"inapp", "sms", "wecom", "dingtalk"}  # no digest email
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "set_contact")) is not None
