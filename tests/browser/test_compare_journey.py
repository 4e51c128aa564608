"""Staff compare two editions of 未成年人保护法 from the law's page, on a phone: the changed
article is listed with the words put in marked, and leads to the article in force."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_compare_two_editions_of_the_minors_law(page, app, policy_library):
    user = make_user("b-compare", "staff")
    login(page, user.username, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/policy/weichengnianren-baohu-fa/v/2020-10-17")
    page.get_by_test_id("compare-link").click()
    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-baohu-fa/compare$"))
    expect(page.get_by_test_id("compare-summary")).to_contain_text("修改 1 条，新增 0 条，删除 0 条")
    row = page.get_by_test_id("compare-row")
    expect(row).to_have_count(1)
    expect(row.locator("ins").first).to_contain_text("各级人民政府应当重视和加强未成年人保护工作")
    expect(row.locator("del").first).to_contain_text("应当建立")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the comparison is {width}px wide at 390px"
    row.get_by_role("link", name=re.compile("第九条")).click()
    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-baohu-fa/a9$"))
    expect(page.get_by_test_id("clause-text")).to_contain_text("各级人民政府应当重视和加强未成年人保护工作")


def test_staff_see_which_modules_the_new_edition_affects(page, app, plan):
    from tests.training.helpers import sync_modules

    sync_modules()
    user = make_user("b-affected", "staff")
    login(page, user.username, PASSWORD)
    page.goto("/policy/weichengnianren-baohu-fa")
    section = page.get_by_test_id("affected")
    expect(section).to_contain_text("修改或删除了 1 条（第九条）")
    modules = page.get_by_test_id("affected-module")
    expect(modules).to_contain_text("引用第九条")
    modules.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/training/"))
