"""督办 in a browser: the office 催办s a late unit from the duty page with the prefilled message; the
unit's liaison sees it, 签收s and replies; the office sees the reply. Then the ladder: `flask portal
remind` run on days moved forward (the portal's day, `portal.duties.ledger.today`) takes 提醒 →
督办通知单 → 红色督办单, each visible on the duty page, the red one copied to the 分管领导 the office named.
All at 390 px."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from portal.duties import ledger
from portal.extensions import db
from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user
from tests.supervision.test_escalation import _only

pytestmark = pytest.mark.browser

KEY = "transfer-children@yanhu-mz"


def _narrow(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    return context


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_urge_sign_reply_and_the_ladder(browser, live_server, app, plan, runner, monkeypatch):
    inst = instance_by_key(KEY)
    inst.deadline = date(2025, 9, 30)
    _only(inst.id)
    db.session.commit()
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    make_user("fenguan", "leader")
    title = inst.duty.title

    office_ctx, unit_ctx = _narrow(browser, live_server), _narrow(browser, live_server)
    office, unit = office_ctx.new_page(), unit_ctx.new_page()
    try:
        # the office urges the late unit from the duty page, editing the prefilled message
        login(office, "office", PASSWORD)
        office.goto(f"/tasks/{inst.id}")
        office.get_by_test_id("urge-duty").click()
        expect(office).to_have_url(re.compile(r"/duban/urge\?instance="))
        body = office.locator("#body")
        expect(body).to_have_value(re.compile("盐湖区民政局"))
        assert title in body.input_value() and "2025年9月30日" in body.input_value()
        _fits(office)
        body.fill(body.input_value() + "\n请于三日内报送移交名单。")
        office.get_by_role("button", name="发送催办").click()
        expect(office).to_have_url(re.compile(rf"/tasks/{inst.id}$"))
        expect(office.get_by_test_id("ladder")).to_contain_text("催办")
        expect(office.get_by_test_id("ladder")).to_contain_text("未签收")
        expect(office.get_by_test_id("timeline")).to_contain_text("催办")

        # the unit's liaison finds it under 待签收, signs and replies
        login(unit, "liaison", PASSWORD)
        unit.locator("nav.main-nav").get_by_role("link", name="待签收").click()
        received = unit.get_by_test_id("urge-received").first
        expect(received).to_contain_text("请于三日内报送移交名单。")
        _fits(unit)
        urge_row = unit.get_by_test_id("inbox-waiting").locator("li", has_text="催办")
        urge_row.get_by_test_id("ack").click()
        expect(unit.locator(".flashes .flash")).to_contain_text("已签收")
        received = unit.get_by_test_id("urge-received").first
        expect(received).to_contain_text("已签收")
        received.locator("textarea").fill("移交名单已汇总，明日报送。")
        received.get_by_test_id("reply").click()
        expect(unit.locator(".flashes .flash")).to_contain_text("回复已送达督查室")
        expect(unit.get_by_test_id("my-reply")).to_contain_text("移交名单已汇总")

        # the office sees the reply
        office.goto("/duban/?replied=yes")
        row = office.get_by_test_id("urge-row").first
        expect(row).to_contain_text("已签收")
        expect(row.get_by_test_id("urge-reply")).to_contain_text("移交名单已汇总，明日报送。")
        _fits(office)

        # the office names the unit's 分管领导 (an account)
        office.goto("/duban/settings")
        office.select_option("#unit_id", label="盐湖区民政局")
        office.select_option("#account", label="测试fenguan")
        office.fill("#title", "副区长")
        office.get_by_role("button", name="保存分管领导").click()
        expect(office.get_by_test_id("leaders")).to_contain_text("副区长测试fenguan")
        _fits(office)

        # remind on days moved forward: blue, orange, red
        ladder = office.get_by_test_id("ladder")
        for day, level, words in ((date(2025, 9, 26), "blue", "提醒"), (date(2025, 10, 1), "orange", "督办通知单"),
                                  (date(2025, 10, 14), "red", "红色督办单")):
            monkeypatch.setattr(ledger, "today", lambda day=day: day)
            result = runner.invoke(args=["portal", "remind"])
            assert result.exit_code == 0 and words in result.output, result.output
            office.goto(f"/tasks/{inst.id}")
            expect(ladder.locator(f"li[data-level={level}]")).to_have_count(1)
            expect(ladder.locator(f"li[data-level={level}]")).to_contain_text(words)
        expect(ladder.locator("li[data-level=orange]")).to_contain_text("限 2025年10月14日 前办结")
        expect(ladder.locator("li[data-level=red]")).to_contain_text("抄送 副区长测试fenguan")
        expect(office.get_by_test_id("timeline")).to_contain_text("督办升级")
        _fits(office)
        # running remind again that day takes no step twice
        runner.invoke(args=["portal", "remind"])
        office.reload()
        expect(ladder.locator("li[data-level]")).to_have_count(4)

        # the unit sees the red order among what it received, with its Word file
        unit.goto("/duban/inbox")
        expect(unit.get_by_test_id("urge-received").first).to_contain_text("红色督办")
        with unit.expect_download() as download:
            unit.get_by_test_id("urge-received").first.get_by_role("link", name="下载通知单").click()
        assert download.value.suggested_filename.startswith("红色督办单")
    finally:
        office_ctx.close()
        unit_ctx.close()
