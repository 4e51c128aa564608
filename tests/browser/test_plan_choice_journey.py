"""Several plans in the browser: the office archives a plan and restores it (its duties back on the 任务台账);
choosing a plan on the home page and on the 通报 shows that plan's duties only."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Plan
from portal.plans import publish
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.plans.helpers import ready_plan

pytestmark = pytest.mark.browser

TITLE = "运城市困境儿童关爱保护工作要点"
NUMBER = "运民字〔2026〕9号"


def _published():
    other = ready_plan()
    assert publish.publish(other, actor=None) == []
    return other


def test_the_office_archives_a_plan_and_restores_it(page, app, plan):
    other = _published()
    office = make_user("c-office", "admin")
    login(page, office.username, PASSWORD)
    page.goto("/plans")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.locator(f"tr[data-plan='{other.id}']").get_by_role("button", name="归档").click()
    page.wait_for_timeout(500)  # a dismissed question sends nothing; a wrongly sent form would land meanwhile
    assert asked and "确定归档" in asked[0]
    db.session.expire_all()
    assert db.session.get(Plan, other.id).state == "published"  # 取消 archives nothing
    expect(page.locator(".flash-success")).to_have_count(0)

    page.goto("/plans")
    page.once("dialog", lambda d: d.accept())
    page.locator(f"tr[data-plan='{other.id}']").get_by_role("button", name="归档").click()
    expect(page.locator(".flash-success")).to_contain_text(f"已归档「{TITLE}」")
    page.goto(f"/tasks/?unit=&plan={other.id}")
    expect(page.locator("#board-rows")).not_to_contain_text("建立关爱服务台账")

    page.goto("/plans")
    page.locator(f"tr[data-plan='{other.id}']").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("plan-archived")).to_be_visible()
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("plan-restore").click()
    expect(page.locator(".flash-success")).to_contain_text(f"已恢复「{TITLE}」")
    expect(page.get_by_test_id("plan-state")).to_contain_text("已发布")
    expect(page.get_by_test_id("plan-archived")).to_have_count(0)
    expect(page.get_by_test_id("plan-counts")).to_contain_text("2 项任务，14 项单位任务")
    page.goto(f"/tasks/?unit=&plan={other.id}")
    expect(page.locator("#board-rows")).to_contain_text("建立关爱服务台账")


def test_choosing_a_plan_on_the_home_page_and_the_bulletin(page, app, plan):
    _published()
    office = make_user("c-office2", "admin")
    login(page, office.username, PASSWORD)

    page.goto("/")
    every = page.get_by_test_id("home-duties")
    expect(every).to_contain_text("共 ")
    total = int(re.search(r"共 (\d+) 项", every.inner_text()).group(1))
    assert total > 14
    page.get_by_test_id("home-plan").get_by_test_id("plan-chooser").select_option(label=NUMBER)
    expect(page).to_have_url(re.compile(r"[?&]plan=\d+"))
    expect(page.get_by_test_id("home-plan-name")).to_contain_text(TITLE)
    expect(page.get_by_test_id("home-duties")).to_contain_text("共 14 项")
    page.get_by_test_id("home-duties").get_by_role("link", name="打开任务台账").click()
    expect(page.get_by_test_id("plan-chooser")).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#board-rows")).not_to_contain_text("做好儿童移交工作")

    page.goto("/board/report")
    report = page.get_by_test_id("report-form")
    report.get_by_test_id("plan-chooser").select_option(label=NUMBER)
    report.get_by_role("button", name="生成").click()
    expect(page.get_by_test_id("report-basis")).to_have_text(f"依据：《{TITLE}》（{NUMBER}）")
    expect(page.locator('[data-figure="total"]')).to_have_text("14")
    expect(page.locator("h1")).to_contain_text(f"《{TITLE}》落实工作推进情况通报")
    with page.expect_download() as download:
        page.get_by_test_id("report-xlsx").click()
    assert "plan=" in download.value.url

    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/", "/board/report", "/board/counties/yanhu"):
        page.goto(url)
        expect(page.get_by_test_id("plan-chooser").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
