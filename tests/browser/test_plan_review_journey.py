"""The office reviews a drafted plan in the browser: maps the name the register did not know, corrects a
drafted duty, gives the reason a general clause has no duty, publishes, and finds the duties on the
任务台账 beside 74号's (the draft is made by hand: the reader and drafter are portal.plan_text's)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.duties.sync import seed_plan
from portal.plans import drafts
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.plans.helpers import sample_document, sample_drafts

pytestmark = pytest.mark.browser


def test_review_map_correct_publish_and_see_the_duties(page, app, plan):
    drafted = drafts.create_plan(sample_document(), sample_drafts(), actor=None)
    admin = make_user("b-office", "admin")
    login(page, admin.username, PASSWORD)

    page.goto("/plans")
    page.get_by_role("link", name="运城市困境儿童关爱保护工作要点").click()
    expect(page.get_by_test_id("plan-state")).to_contain_text("草稿")
    page.get_by_test_id("plan-review").click()
    expect(page).to_have_url(re.compile(rf"/plans/{drafted.id}/review$"))
    expect(page.get_by_test_id("draft")).to_have_count(2)
    expect(page.get_by_test_id("draft-source").first).to_contain_text("（市民政局牵头，市教育局配合）")

    # the name the register does not know
    mapping = page.get_by_test_id("map-name")
    expect(mapping).to_contain_text("市儿童之家")
    mapping.locator("select[name=unit]").select_option(label="运城市社会福利院")
    mapping.get_by_role("button", name="对应").click()
    expect(page.get_by_test_id("names-ok")).to_be_visible()

    # correct the first drafted duty: its title and an office step (one duty's form at a time, in place)
    expect(page.get_by_test_id("draft-form")).to_have_count(0)
    page.get_by_test_id("draft").first.get_by_test_id("draft-edit").click()
    first = page.get_by_test_id("draft-form")
    expect(first).to_have_count(1)
    first.locator("input[name=title]").fill("摸底排查困境儿童")
    first.locator("textarea[name=arranged]").fill("每月报送排查进度")
    first.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("draft-saved")).to_contain_text("已保存「摸底排查困境儿童」")
    expect(page.get_by_test_id("draft-form")).to_have_count(0)
    expect(page.get_by_test_id("draft-title").first).to_contain_text("摸底排查困境儿童")
    expect(page.get_by_test_id("draft-steps").first).to_contain_text("每月报送排查进度（工作安排）")

    # 一、总体要求 needs no duty: say why
    reason = page.get_by_test_id("no-duty")
    reason.locator("input[name=reason]").fill("总体要求，由各项任务承接。")
    reason.get_by_role("button", name="说明").click()
    expect(page.get_by_test_id("coverage-ok")).to_be_visible()

    # the review page fits a phone
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_test_id("draft")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_test_id("publish").get_by_role("button", name="发布任务分工").click()
    expect(page).to_have_url(re.compile(rf"/plans/{drafted.id}$"))
    expect(page.get_by_test_id("plan-state")).to_contain_text("已发布（第1版任务分工）")
    expect(page.get_by_test_id("plan-counts")).to_contain_text("2 项任务，14 项单位任务")
    expect(page.get_by_test_id("plan-duties")).to_contain_text("摸底排查困境儿童")

    # on the 任务台账, beside 74号's duties; the chooser narrows to this plan
    page.goto("/tasks/?unit=yanhu-mz")
    chooser = page.get_by_test_id("plan-chooser")
    expect(chooser.locator("option")).to_have_count(3)  # 全部方案, 74号, this plan
    expect(page.locator("#board-rows")).to_contain_text("建立关爱服务台账")
    expect(page.locator("#board-rows")).to_contain_text("移交")
    chooser.select_option(label="运民字〔2026〕9号")
    expect(page).to_have_url(re.compile(rf"plan={drafted.id}"))
    expect(page.locator("#board-rows")).not_to_contain_text("移交")
    page.locator("#board-rows").get_by_role("link", name=re.compile("建立关爱服务台账")).first.click()
    expect(page.get_by_test_id("duty-plan")).to_contain_text("运城市困境儿童关爱保护工作要点")


def test_plan_pages_fit_a_phone(page, app, plan):
    drafted = drafts.create_plan(sample_document(), sample_drafts(), actor=None)
    admin = make_user("b-office-phone", "admin")
    login(page, admin.username, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    seed = seed_plan().id
    for url in ("/plans", f"/plans/{seed}", f"/plans/{drafted.id}", "/plans/new"):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide at 390px"


def test_split_and_merge_work_in_place(page, app, plan):
    drafted = drafts.create_plan(sample_document(), sample_drafts(), actor=None)
    admin = make_user("b-office-reshape", "admin")
    login(page, admin.username, PASSWORD)
    page.goto(f"/plans/{drafted.id}/review")
    expect(page.get_by_test_id("draft")).to_have_count(2)
    page.evaluate("window.stayed = true")  # gone if the page reloads
    page.on("dialog", lambda d: d.accept())  # 合并 asks first

    first = page.get_by_test_id("draft").first
    first.get_by_test_id("draft-split").locator("summary").click()
    split = first.get_by_test_id("draft-split")
    split.locator("input[name=title]").fill("完成摸底排查")
    split.get_by_label("完成摸底排查").check()
    split.get_by_role("button", name="拆分").click()
    expect(page.get_by_test_id("draft")).to_have_count(3)
    expect(page.get_by_test_id("draft-reshaped")).to_contain_text("新任务「完成摸底排查」在其后")
    expect(page.get_by_test_id("draft-title").nth(1)).to_contain_text("第2项 完成摸底排查")
    expect(page.get_by_test_id("draft-steps").first).not_to_contain_text("完成摸底排查")
    expect(page.locator("#drafts h2")).to_contain_text("起草的任务（3 项）")
    assert page.evaluate("window.stayed") is True

    # merge the new duty back into the first (the number typed is the page's 第几项)
    first = page.get_by_test_id("draft").first
    first.get_by_test_id("draft-merge").locator("summary").click()
    first.get_by_test_id("draft-merge").locator("input[name=other]").fill("2")
    first.get_by_test_id("draft-merge").get_by_role("button", name="合并").click()
    expect(page.get_by_test_id("draft")).to_have_count(2)
    expect(page.get_by_test_id("draft-reshaped")).to_contain_text("已将第2项「完成摸底排查」并入「开展困境儿童摸底排查」。")
    expect(page.get_by_test_id("draft-steps").first).to_contain_text("完成摸底排查")
    expect(page.get_by_test_id("draft-title").nth(1)).to_contain_text("第2项 建立关爱服务台账")

    # a refusal lands on its duty, and the list stays as it was
    first = page.get_by_test_id("draft").first
    first.get_by_test_id("draft-merge").locator("summary").click()
    first.get_by_test_id("draft-merge").locator("input[name=other]").fill("1")
    first.get_by_test_id("draft-merge").get_by_role("button", name="合并").click()
    expect(page.get_by_test_id("form-refused")).to_contain_text("请选择另一项任务合并。")
    expect(page.get_by_test_id("draft")).to_have_count(2)
    assert page.evaluate("window.stayed") is True
