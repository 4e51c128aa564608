"""督办 in a browser: the office 催办s a late unit from the duty page with the prefilled message; the
unit's liaison sees it, 签收s and replies; the office sees the reply. Then the ladder: `flask portal
remind` run on days moved forward (the portal's day, `portal.core.time.today`) takes 提醒 →
督办通知单 → 红色督办单, each visible on the duty page, the red one copied to the 分管领导 the office named.
All at 390 px. And 交办: a matter assigned from a 批示 goes the same way, its messages reaching a local
SMTP server and robot receiver, until the office closes it."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Notice
from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user
from tests.outbox.receivers import HttpReceiver, SmtpReceiver
from tests.supervision.test_escalation import _only

pytestmark = pytest.mark.browser

KEY = "transfer-children@yanhu-mz"


def _narrow(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    return context


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_urge_sign_reply_and_the_ladder(browser, live_server, app, plan, runner, clock):
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
            clock(day)
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


def _deliver(runner) -> None:
    result = runner.invoke(args=["portal", "deliver"])
    assert result.exit_code == 0, result.output


def _mail_to(smtp, address: str, words: str) -> list:
    return [m for to, m in smtp.messages if address in to and words in m["Subject"]]


def _posted(robot, words: str) -> list:
    return [r for r in robot.requests if words in json.dumps(r.body, ensure_ascii=False)]


def test_assign_from_an_instruction_sign_escalate_to_red_reply_and_close(browser, live_server, live_settings, app, plan,
                                                                          runner, tmp_path, clock):
    """交办 (issue #20's journey): the office assigns a matter from a leader's 批示; the unit signs it; the
    deadline passes (the portal's day moved); the ladder goes blue → orange → red with the 分管领导
    copied; each message reaches the local SMTP server and the robot receiver; the unit replies, the
    office closes the 督办单 and, once the unit asks, the matter (销号)."""
    smtp, robot = SmtpReceiver(), HttpReceiver()
    settings = dict(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_DOMAIN="mz.test.gov.cn",
                    SMTP_FROM="portal@mz.test.gov.cn", WECOM_WEBHOOK=f"{robot.url}/wecom?key=office-key")
    app.config.update(settings)  # the deliverer (this process)
    live_settings(**settings)    # the pages (the live server plans each message's deliveries)
    _only(0)  # the plan's duties carry no deadline: the ladder and the digest look at the 交办 only
    db.session.commit()
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    make_user("fenguan", "leader")
    clock(date(2025, 9, 1))
    title = "摸清全区散居孤儿安置底数"

    office_ctx, unit_ctx = _narrow(browser, live_server), _narrow(browser, live_server)
    office, unit = office_ctx.new_page(), unit_ctx.new_page()
    try:
        # the office assigns the matter from the 批示
        login(office, "office", PASSWORD)
        office.goto("/duban/")
        office.get_by_test_id("assign-new").first.click()
        expect(office.get_by_role("heading", level=1)).to_have_text("交办事项")
        _fits(office)
        office.fill("#title", title)
        office.select_option("#source_kind", label="领导批示")
        office.fill("#instructed_by", "副市长")
        office.fill("#source_date", "2025年8月29日")
        office.fill("#source_text", "请民政部门两周内摸清底数，逐人落实安置。")
        office.select_option("#lead", label="盐湖区民政局")
        office.fill("#deadline", "2025年9月30日")
        office.select_option("#importance", label="紧急")
        office.fill("#steps", "摸清底数\n逐人建档")
        office.get_by_test_id("assign-submit").click()
        expect(office.locator(".flashes .flash")).to_contain_text("已交办")
        expect(office.get_by_role("heading", level=1)).to_have_text(title)
        expect(office.get_by_test_id("matter")).to_contain_text("领导批示：副市长2025年8月29日")
        expect(office.get_by_test_id("matter-source")).to_contain_text("逐人落实安置")
        expect(office.get_by_test_id("duty-signed")).to_contain_text("尚未签收")
        duty_url = office.url
        _fits(office)

        _deliver(runner)
        assert _mail_to(smtp, "liaison@mz.test.gov.cn", f"【紧急】交办：{title}")
        assert _posted(robot, "逐人落实安置")

        # the unit signs it
        login(unit, "liaison", PASSWORD)
        unit.locator("nav.main-nav").get_by_role("link", name="待签收").click()
        unit.get_by_test_id("inbox-waiting").locator("li", has_text=title).get_by_test_id("ack").click()
        expect(unit.locator(".flashes .flash")).to_contain_text("已签收")
        office.goto(duty_url)
        expect(office.get_by_test_id("duty-signed")).to_contain_text("已签收")
        # the unit opens the 交办 notice: the page posts its read receipt as it opens (a GET writes nothing)
        notice_id = db.session.scalar(sa.select(Notice.id).where(Notice.title == f"【紧急】交办：{title}"))
        unit.goto(f"/duban/notices/{notice_id}")
        expect(unit.get_by_test_id("notice-read")).to_contain_text("已读")
        office.goto("/duban/notices")
        expect(office.locator("tr", has_text=f"【紧急】交办：{title}")).to_contain_text("测试liaison")

        # the office names the unit's 分管领导 (an account)
        office.goto("/duban/settings")
        office.select_option("#unit_id", label="盐湖区民政局")
        office.select_option("#account", label="测试fenguan")
        office.fill("#title", "副区长")
        office.get_by_role("button", name="保存分管领导").click()
        expect(office.get_by_test_id("leaders")).to_contain_text("副区长测试fenguan")

        # the days pass: blue, orange, red; each step reaches the mailbox and the robot
        ladder = office.get_by_test_id("ladder")
        for day, level, subject in ((date(2025, 9, 26), "blue", "提醒："), (date(2025, 10, 1), "orange", "督办通知："),
                                    (date(2025, 10, 14), "red", "红色督办：")):
            clock(day)
            assert runner.invoke(args=["portal", "remind"]).exit_code == 0
            _deliver(runner)
            assert _mail_to(smtp, "liaison@mz.test.gov.cn", subject), subject
            assert _posted(robot, subject), subject
            office.goto(duty_url)
            expect(ladder.locator(f"li[data-level={level}]")).to_have_count(1)
        expect(ladder.locator("li[data-level=red]")).to_contain_text("抄送 副区长测试fenguan")
        copied = _mail_to(smtp, "fenguan@mz.test.gov.cn", "红色督办：")
        assert copied and title in copied[0].get_body(("plain",)).get_content()
        assert not _mail_to(smtp, "fenguan@mz.test.gov.cn", "督办通知：")  # only the red step is copied

        # the unit replies to the red order; the office closes it
        unit.goto("/duban/inbox")
        received = unit.get_by_test_id("urge-received").first
        expect(received).to_contain_text("红色督办")
        received.locator("textarea").fill("底数已摸清，安置方案本周报送。")
        received.get_by_test_id("reply").click()
        expect(unit.locator(".flashes .flash")).to_contain_text("回复已送达督查室")
        office.goto(duty_url)
        red = ladder.locator("li[data-level=red]")
        expect(red).to_contain_text("底数已摸清")
        red.get_by_test_id("close-urge").click()
        expect(office.locator(".flashes .flash")).to_contain_text("已办结该催办")
        expect(ladder.locator("li[data-level=red]").get_by_test_id("urge-closed")).to_be_visible()

        # the unit finishes the work and asks for 销号; the office closes the matter
        unit.goto(duty_url)
        checklist = unit.get_by_test_id("checklist")
        for n, step in enumerate(("摸清底数", "逐人建档"), 1):
            checklist.get_by_label(step).check()
            expect(unit.get_by_test_id("checklist").locator("li.done")).to_have_count(n)
        proof = tmp_path / "安置台账.pdf"
        proof.write_bytes(b"%PDF-1.4\n% list\n")
        unit.set_input_files("input[name=file]", str(proof))
        unit.get_by_role("button", name="上传", exact=True).click()
        expect(unit.get_by_role("link", name="安置台账.pdf")).to_be_visible()
        unit.get_by_role("button", name="申请销号").click()
        expect(unit.get_by_test_id("status")).to_contain_text("申请销号")
        office.goto(duty_url)
        office.get_by_role("button", name="核验通过，销号").click()
        expect(office.get_by_test_id("status")).to_contain_text("已销号")
        office.goto("/duban/assigned")
        expect(office.get_by_test_id("assigned-row").first).to_contain_text("已销号")
        _fits(office)
    finally:
        office_ctx.close()
        unit_ctx.close()
        smtp.close()
        robot.close()
