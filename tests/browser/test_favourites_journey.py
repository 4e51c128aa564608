"""A staff member, on a phone, makes a folder, stars an article of 未成年人保护法 into it from the
article's page (in place, without leaving it), and finds it in 我的收藏 under that folder; then prints
the article as a citation."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

LAW = "weichengnianren-baohu-fa"


def test_a_user_stars_an_article_into_a_folder_and_finds_it_in_my_favourites(page, app, policy_library):
    user = make_user("b-stars", "staff")
    login(page, user.username, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/policy/")
    page.get_by_test_id("my-favourites").click()
    expect(page).to_have_url(re.compile(r"/policy/favourites/$"))
    expect(page.get_by_test_id("favourites-empty")).to_be_visible()
    page.get_by_label("收藏夹名称").fill("强制报告")
    page.get_by_role("button", name="新建").click()
    expect(page.locator(".flash-success")).to_contain_text("已新建收藏夹“强制报告”")

    page.goto(f"/policy/{LAW}/a11")
    box = page.get_by_test_id("star-box").first
    box.get_by_test_id("star-folder").select_option(label="强制报告")
    box.get_by_test_id("star").click()
    expect(page.get_by_test_id("starred")).to_contain_text("已收藏到“强制报告”")
    expect(page).to_have_url(re.compile(rf"/policy/{LAW}/a11$"))  # swapped in place
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the article page is {width}px wide at 390px"

    page.get_by_test_id("star-box").get_by_role("link", name="我的收藏").click()
    folder = page.get_by_test_id("favourite-folder").filter(has_text="强制报告")
    expect(folder.get_by_test_id("favourite")).to_contain_text("《中华人民共和国未成年人保护法》第十一条")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"我的收藏 is {width}px wide at 390px"
    folder.get_by_role("link", name=re.compile("第十一条")).click()
    expect(page).to_have_url(re.compile(rf"/policy/{LAW}/a11$"))

    page.get_by_test_id("print-clause-link").click()
    expect(page.get_by_test_id("print-citation")).to_have_text("《中华人民共和国未成年人保护法》第十一条")
    expect(page.get_by_test_id("print-edition")).to_contain_text("起施行")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print-clause-text")).to_be_visible()
    expect(page.locator(".main-nav")).to_be_hidden()
    expect(page.locator(".print-hint")).to_be_hidden()


def test_library_filters_combine_in_the_url_and_a_bad_date_says_so(page, app, policy_library):
    user = make_user("b-filters", "staff")
    login(page, user.username, PASSWORD)
    page.goto("/policy/")
    page.get_by_test_id("filter-level").select_option("部门规章")
    expect(page.get_by_test_id("policy-documents")).to_contain_text("中国公民收养子女登记办法")
    expect(page.get_by_test_id("policy-documents")).not_to_contain_text("中华人民共和国民法典")
    expect(page).to_have_url(re.compile(r"level="))
    page.get_by_test_id("filter-issued_from").fill("2022-02-30")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("filter-error")).to_contain_text("公布日期（起）“2022-02-30”不是有效日期")
