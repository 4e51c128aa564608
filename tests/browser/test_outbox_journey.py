"""The office's outbox journey (issue #20): a unit's 企业微信 robot set on the portal, a 催办 message
waiting (待发送) on 消息发送情况, `flask portal deliver` run, and the message shown as 已送达, having
arrived at the local SMTP server and the robot receiver."""
from __future__ import annotations

import re
import subprocess

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Unit
from portal.outbox import enqueue
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.ops.test_kill9 import ROOT, command_env, flask_portal
from tests.outbox.receivers import HttpReceiver, SmtpReceiver

pytestmark = pytest.mark.browser

DOMAIN = "mz.test.gov.cn"


@pytest.fixture
def receivers():
    smtp, http = SmtpReceiver(), HttpReceiver()
    yield smtp, http
    smtp.close()
    http.close()


def test_office_sees_a_message_go_from_waiting_to_delivered(page, app, receivers, tmp_path):
    smtp, http = receivers
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_DOMAIN=DOMAIN)
    make_user("office", "admin")
    make_user("alice", "liaison", unit="yanhu-mz")
    login(page, "office", PASSWORD)

    # The unit's group robot, set on the office's page.
    page.goto("/supervision/")
    page.get_by_role("link", name="消息发送情况").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("消息发送情况")
    page.get_by_role("link", name="单位消息设置").click()
    page.get_by_test_id("unit-robots").get_by_role("row", name=re.compile("盐湖区民政局")).get_by_role("link", name="设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("盐湖区民政局 · 消息设置")
    page.get_by_label("机器人地址").first.fill(f"{http.url}/unit-wecom?key=0123456789abcdef")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flashes")).to_contain_text("已保存盐湖区民政局的消息设置")
    expect(page.get_by_test_id("robot-wecom")).to_contain_text("key=012…def")

    # A 催办 to the unit, as the office's actions enqueue it.
    yanhu = db.session.scalar(sa.select(Unit).where(Unit.code == "yanhu-mz"))
    enqueue("urge", subject="催办：做好儿童移交工作", body="盐湖区民政局：请于2026年12月31日前办结。", units=[yanhu],
            link="/tasks/")
    db.session.commit()

    page.goto("/admin/outbox/")
    row = page.get_by_test_id("outbox-message").filter(has_text="催办：做好儿童移交工作")
    expect(row.get_by_test_id("outbox-overall")).to_have_text("待发送")

    env = command_env(app, tmp_path)
    # The deliverer unseals the robot's address with the portal's key: it runs with the portal's settings.
    env.update(PORTAL_SECRET_KEY=app.config["SECRET_KEY"], PORTAL_SMTP_HOST="127.0.0.1", PORTAL_SMTP_PORT=str(smtp.port), PORTAL_SMTP_DOMAIN=DOMAIN)
    result = subprocess.run(flask_portal("deliver"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr

    page.reload()
    row = page.get_by_test_id("outbox-message").filter(has_text="催办：做好儿童移交工作")
    expect(row.get_by_test_id("outbox-overall")).to_have_text("已送达")
    row.get_by_role("link", name="催办：做好儿童移交工作").click()
    states = page.get_by_test_id("delivery-state")
    expect(states).to_have_count(3)  # the in-app notice, alice's email, the unit's robot
    expect(states.filter(has_text="已送达")).to_have_count(3)
    expect(page.get_by_test_id("outbox-deliveries")).to_contain_text("企业微信群")

    # At a phone's width the pages fit (tables stack).
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/admin/outbox/", page.url, "/admin/outbox/units/yanhu-mz", "/account/messages"):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide at 390px"

    assert [r.path for r in http.requests] == ["/unit-wecom"]
    assert "做好儿童移交工作" in http.requests[0].body["markdown"]["content"]
    assert [rcpts for rcpts, _ in smtp.messages] == [[f"alice@{DOMAIN}"]]
