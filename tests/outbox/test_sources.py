"""What the portal already sent as home-page notices now goes through the outbox (issue #20): a
leader's 批示 and the office's decisions reach the unit's channels, each with a link to the duty; the
home page shows the notice with a 查看详情 link, never the path as text."""
from __future__ import annotations

import sqlalchemy as sa

from portal.board.services import add_instruction
from portal.duties import services
from portal.extensions import db
from portal.models import Notice, OutboxDelivery, OutboxMessage
from tests.conftest import AuthActions, instance_by_key, make_user


def test_an_instruction_reaches_the_units_channels_with_a_link(channels_on, plan):
    boss = make_user("boss", "leader")
    make_user("yh", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    add_instruction(boss, inst, "请于本周内完成档案移交。")
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "instruction"))
    assert message.subject == "领导对「做好儿童移交工作」作出批示" and message.link == f"/tasks/{inst.id}"
    assert {d.channel for d in db.session.scalars(sa.select(OutboxDelivery).where(
        OutboxDelivery.message_id == message.id))} == {"inapp", "email", "wecom", "dingtalk"}

    auth = AuthActions(channels_on.test_client())
    auth.login("yh")
    home = auth.client.get("/").get_data(as_text=True)
    assert f'<a href="/tasks/{inst.id}">查看详情</a>' in home
    notice = db.session.scalar(sa.select(Notice).where(Notice.unit_id == inst.unit_id))
    assert notice.body == "请于本周内完成档案移交。"  # the path is a link, not text


def test_a_returned_close_request_reaches_the_unit_as_a_decision(channels_on, plan):
    office = make_user("office", "admin")
    liaison = make_user("yh", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    for item in inst.items:
        item.done = True
    db.session.commit()
    services.request_close(liaison, inst, "已全部完成", inst.version)
    services.decide_close(office, inst, False, "佐证材料不全，请补充。", inst.version)
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "decision"))
    assert message.subject == "「做好儿童移交工作」销号申请被退回" and message.body == "佐证材料不全，请补充。"
    assert message.link == f"/tasks/{inst.id}"
