"""签收, 催办 and replies through the pages: the office 催办s, the unit signs and replies, the office sees
it; the not-signed list with waiting times; notices' read receipts; every step audited."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.core.time import today, utcnow
from portal.extensions import db
from portal.models import Acknowledgement, AuditEntry, DutyInstance, Notice, NoticeRead, Urge
from tests.conftest import instance_by_key, make_user, signed_in

KEY = "transfer-children@yanhu-mz"


def _late(key: str = KEY, days: int = 10) -> DutyInstance:
    inst = instance_by_key(key)
    inst.deadline = today() - timedelta(days=days)
    db.session.commit()
    return inst


def test_office_urges_a_late_duty_with_the_prefilled_message_and_the_unit_replies(app, plan):
    inst = _late()
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    office = signed_in(app, "office")
    page = office.client.get(f"/duban/urge?instance={inst.id}").get_data(as_text=True)
    assert "盐湖区民政局" in page and inst.duty.title in page and "已逾期" in page and f"/tasks/{inst.id}" in page
    sent = office.post(f"/duban/urge?instance={inst.id}",
                       data={"subject": "催办：请加快推进", "body": "盐湖区民政局：请于本周内完成。"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/tasks/{inst.id}")
    urge = db.session.scalar(sa.select(Urge).where(Urge.instance_id == inst.id))
    assert urge.body == "盐湖区民政局：请于本周内完成。" and urge.sent_by.username == "office"
    assert db.session.scalar(sa.select(Notice).where(Notice.unit_id == inst.unit_id,
                                                     Notice.title == "催办：请加快推进")) is not None
    # the duty's timeline shows the 催办
    duty_page = office.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "催办" in duty_page and "未签收" in duty_page

    liaison = signed_in(app, "liaison")
    inbox = liaison.client.get("/duban/inbox").get_data(as_text=True)
    assert "催办：请加快推进" in inbox
    assert liaison.post("/duban/ack", data={"kind": "urge", "object_id": urge.id}).status_code == 302
    assert liaison.post(f"/duban/urges/{urge.id}/reply", data={"body": "已完成移交名单，下周报送。"}).status_code == 302
    db.session.expire_all()
    assert "已完成移交名单" in urge.reply and urge.replied_at is not None

    listing = office.client.get("/duban/?replied=yes").get_data(as_text=True)
    assert "已完成移交名单，下周报送。" in listing and "已签收" in listing
    assert "已完成移交名单" not in office.client.get("/duban/?replied=no").get_data(as_text=True)
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "duty_instance",
                                                                        AuditEntry.object_id == str(inst.id))))
    assert {"urge", "acknowledge", "urge_reply"} <= actions
    timeline = office.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "回复催办" in timeline and "签收" in timeline


def test_urging_every_late_duty_fills_in_each_unit(app, plan):
    first, second = _late(), _late("transfer-children@yongji-mz", days=3)
    make_user("office", "admin")
    office = signed_in(app, "office")
    page = office.client.get("/duban/urge?scope=overdue").get_data(as_text=True)
    assert "〔单位〕" in page and "盐湖区民政局" in page and "永济市民政局" in page
    body = "〔单位〕：你单位〔事项〕（时限〔时限〕）已逾期，请抓紧办理。〔链接〕"
    assert office.post("/duban/urge?scope=overdue", data={"subject": "催办：〔事项〕", "body": body}).status_code == 302
    bodies = {u.instance_id: u.body for u in db.session.scalars(sa.select(Urge))}
    assert bodies[first.id].startswith("盐湖区民政局：你单位「") and f"/tasks/{first.id}" in bodies[first.id]
    assert bodies[second.id].startswith("永济市民政局：") and "〔" not in bodies[second.id]


def test_a_urge_post_without_csrf_is_refused_and_nothing_is_sent(app, plan):
    inst = _late()
    make_user("office", "admin")
    office = signed_in(app, "office")
    response = office.client.post(f"/duban/urge?instance={inst.id}", data={"subject": "x", "body": "y"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Urge.id))) == 0


def test_an_empty_message_is_refused_with_a_chinese_message_and_keeps_the_subject(app, plan):
    inst = _late()
    make_user("office", "admin")
    office = signed_in(app, "office")
    response = office.post(f"/duban/urge?instance={inst.id}", data={"subject": "我的标题", "body": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写催办内容" in page and "我的标题" in page


def test_another_units_liaison_can_neither_sign_nor_reply(app, plan):
    inst = _late()
    make_user("office", "admin")
    make_user("other", "liaison", unit="yongji-mz")
    from portal.supervision.services import add_urge

    urge = add_urge(level="urge", topic="duty", unit_id=inst.unit_id, instance_id=inst.id, subject="催办", body="x")
    db.session.commit()
    other = signed_in(app, "other")
    assert other.post("/duban/ack", data={"kind": "duty", "object_id": inst.id}).status_code == 403
    assert other.post(f"/duban/urges/{urge.id}/reply", data={"body": "不是我们的"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Acknowledgement.id))) == 0


def test_the_unit_signs_a_new_duty_and_a_leaders_instruction_and_the_office_sees_who_waits(app, plan):
    from portal.board.services import add_instruction

    inst = instance_by_key(KEY)
    other = instance_by_key("transfer-children@yongji-mz")
    db.session.execute(sa.update(DutyInstance).where(DutyInstance.id == other.id)
                       .values(created_at=utcnow() - timedelta(days=20)))
    leader = make_user("boss", "leader")
    add_instruction(leader, inst, "请盐湖区抓紧推进。")
    db.session.commit()
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    office = signed_in(app, "office")
    waiting = office.client.get("/duban/").get_data(as_text=True).split("催办和督办记录")[0]
    # longest waiting first: the 20-day-old duty of 永济 heads the list; the fresh 批示 is not on page one
    first_row = waiting.split("<tbody>")[1].split("</tr>")[0]
    assert "永济市民政局" in first_row and "20 天" in first_row
    newest = office.client.get("/duban/?sort=newest").get_data(as_text=True)
    assert "领导批示" in newest.split("<tbody>")[1].split("</tr>")[0]
    only = office.client.get("/duban/?kind=instruction").get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    assert only.count("<tr>") == 1 and "盐湖区民政局" in only

    liaison = signed_in(app, "liaison")
    inbox = liaison.client.get("/duban/inbox").get_data(as_text=True)
    assert "领导批示" in inbox and "新任务" in inbox
    note_id = db.session.scalar(sa.text("select id from duty_note where kind = 'instruction'"))
    assert liaison.post("/duban/ack", data={"kind": "instruction", "object_id": note_id}).status_code == 302
    assert liaison.post("/duban/ack", data={"kind": "duty", "object_id": inst.id,
                                            "back": f"/tasks/{inst.id}"}).headers["Location"].endswith(f"/tasks/{inst.id}")
    # signing twice is one 签收, not an error
    assert liaison.post("/duban/ack", data={"kind": "duty", "object_id": inst.id}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Acknowledgement.id))) == 2
    assert "已签收（测试liaison" in liaison.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    left = office.client.get("/duban/?kind=instruction").get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    assert "各单位都已签收" in left


def test_a_back_address_elsewhere_is_not_followed(app, plan):
    inst = instance_by_key(KEY)
    make_user("liaison", "liaison", unit="yanhu-mz")
    liaison = signed_in(app, "liaison")
    response = liaison.post("/duban/ack", data={"kind": "duty", "object_id": inst.id, "back": "//evil.example/"})
    assert response.headers["Location"].endswith("/duban/inbox")


def test_notices_get_read_receipts(app, plan):
    inst = instance_by_key(KEY)
    notice = Notice(unit_id=inst.unit_id, title="任务提醒：逾期 1 项", body="请办理")
    db.session.add(notice)
    db.session.commit()
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    office = signed_in(app, "office")
    assert "未读" in office.client.get("/duban/notices").get_data(as_text=True)
    office.client.get(f"/duban/notices/{notice.id}")  # the office reading it leaves no receipt
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeRead)) == 0
    liaison = signed_in(app, "liaison")
    assert f"/duban/notices/{notice.id}" in liaison.client.get("/").get_data(as_text=True)
    assert "请办理" in liaison.client.get(f"/duban/notices/{notice.id}").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeRead)) == 0  # a GET writes nothing
    read = liaison.post(f"/duban/notices/{notice.id}/read", headers={"HX-Request": "true"})
    assert read.status_code == 200 and "已读" in read.get_data(as_text=True)  # the page posts it as it opens
    assert liaison.post(f"/duban/notices/{notice.id}/read").status_code == 302  # again: still one receipt
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeRead)) == 1
    assert "已读" in liaison.client.get(f"/duban/notices/{notice.id}").get_data(as_text=True)
    assert office.post(f"/duban/notices/{notice.id}/read").status_code == 404  # not the office's to sign
    receipts = office.client.get("/duban/notices").get_data(as_text=True)
    assert "测试liaison（" in receipts
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "read_notice")) is not None
    # someone else's unit: not found
    make_user("other", "liaison", unit="yongji-mz")
    assert signed_in(app, "other").client.get(f"/duban/notices/{notice.id}").status_code == 404


def test_late_monthly_reports_are_urged_from_the_reports_page(app, plan, clock):
    clock(date(2026, 12, 20))  # past the due day of 2026年11月's report
    make_user("office", "admin")
    office = signed_in(app, "office")
    page = office.client.get("/reports/?month=2026-11").get_data(as_text=True)
    assert "/duban/urge?report=2026-11" in page
    compose = office.client.get("/duban/urge?report=2026-11&unit=yanhu-mz").get_data(as_text=True)
    assert "盐湖区民政局 · 2026年11月月度进展报告" in compose and "永济市民政局" not in compose
    everyone = office.client.get("/duban/urge?report=2026-11").get_data(as_text=True)
    assert "永济市民政局 · 2026年11月月度进展报告" in everyone
    assert office.post("/duban/urge?report=2026-11&unit=yanhu-mz",
                       data={"subject": "催报：11月进展报告", "body": "请于3日内提交。"}).status_code == 302
    urge = db.session.scalar(sa.select(Urge))
    assert (urge.topic, urge.about, urge.unit.code, urge.instance_id) == ("report", "2026-11", "yanhu-mz", None)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "urge",
                                                         AuditEntry.object_type == "unit")).object_id == "yanhu-mz"


def test_a_unit_is_urged_about_its_late_duties_from_its_page(app, plan):
    _late()
    make_user("office", "admin")
    office = signed_in(app, "office")
    assert "/duban/urge?unit=yanhu-mz" in office.client.get("/units/yanhu-mz").get_data(as_text=True)
    compose = office.client.get("/duban/urge?unit=yanhu-mz").get_data(as_text=True)
    assert "任务台账中的任务（逾期" in compose
    assert office.client.get("/duban/urge?unit=nowhere").get_data(as_text=True).count("没有需要催办的单位") == 1


def test_a_training_group_late_in_a_county_is_urged(app, plan, clock):
    from tests.training.helpers import sample_training

    sample = sample_training()
    rule = sample["rule"]
    clock(rule.due + timedelta(days=3))  # the duban page's day and the assign page's
    make_user("office", "admin")
    office = signed_in(app, "office")
    compose = office.client.get(f"/duban/urge?training={rule.id}").get_data(as_text=True)
    assert "逾期）" in compose and rule.module.title in compose, compose[-2000:]
    assert f"/duban/urge?training={rule.id}" in office.client.get("/training/assign").get_data(as_text=True)
    assert office.post(f"/duban/urge?training={rule.id}", data={"subject": "催办培训", "body": "请组织补训。"}).status_code == 302
    urge = db.session.scalar(sa.select(Urge))
    assert (urge.topic, urge.about, urge.unit_id) == ("training", str(rule.id), rule.county_id)


def test_two_liaisons_replying_keep_both_replies(app, plan):
    from portal.supervision.services import add_urge, reply

    inst = _late()
    first, second = make_user("l1", "liaison", unit="yanhu-mz"), make_user("l2", "liaison", unit="yanhu-mz")
    urge = add_urge(level="urge", topic="duty", unit_id=inst.unit_id, instance_id=inst.id, subject="催办", body="x")
    db.session.commit()
    stale = db.session.get(Urge, urge.id)
    reply(first, urge.id, "名单已汇总。")
    reply(second, stale.id, "明日报送。")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Urge, urge.id).reply == "名单已汇总。（测试l1）\n明日报送。（测试l2）"
    assert db.session.scalar(sa.select(sa.func.count(Acknowledgement.id))) == 1  # one 签收 for the unit


def test_a_unit_urge_names_the_unit_and_its_link_reads_as_a_link_not_an_address(app, plan):
    """A tester's finding (session 9): the unit 催办 read 「催办：单位」 and the inbox showed the raw address
    with the unit's code."""
    _late()
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    office = signed_in(app, "office")
    page = office.client.get("/duban/urge?unit=yanhu-mz").get_data(as_text=True)
    assert "<h1>催办：盐湖区民政局</h1>" in page
    assert "催办：盐湖区民政局任务台账中的任务" in page and 'rows="8"' in page
    subject = "催办：盐湖区民政局任务台账中的任务"
    body = "盐湖区民政局：\n请抓紧办理。\n查看详情：http://portal.example/tasks/?unit=yanhu-mz"
    assert office.post("/duban/urge?unit=yanhu-mz", data={"subject": subject, "body": body}).status_code == 302
    inbox = signed_in(app, "liaison").client.get("/duban/inbox").get_data(as_text=True)
    assert '<a href="http://portal.example/tasks/?unit=yanhu-mz">查看详情</a>' in inbox
    assert "查看详情：http" not in inbox
