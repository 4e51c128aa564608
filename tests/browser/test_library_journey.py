"""Staff paste a sentence from a law into the search box, land on its article, and follow its
citation to another law (the version of that law in force when the citing text was made)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.search import services
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

# from 未成年人网络保护条例 第一条, cut mid-word at both ends as a pasted fragment is
FRAGMENT = "利于未成年人身心健康的网络环"


def test_paste_a_sentence_land_on_its_article_follow_its_citation(page, app, policy_library):
    services.sync_index()
    user = make_user("b-paste", "staff")
    login(page, user.username, PASSWORD)

    box = page.get_by_test_id("header-search")
    box.fill(FRAGMENT)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    first = page.get_by_test_id("search-hit").first
    expect(first).to_have_attribute("data-clause", "a1")
    expect(first.locator("a.search-hit-title")).to_contain_text("第一条")
    first.locator("a.search-hit-title").click()

    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-wangluo-baohu-tiaoli/a1$"))
    expect(page.get_by_test_id("clause-title")).to_contain_text("第一条")
    text = page.get_by_test_id("clause-text")
    expect(text).to_contain_text("营造有利于未成年人身心健康的网络环境")

    # the 条例 (2023) cites 《中华人民共和国未成年人保护法》: the link opens the version in force then
    text.get_by_role("link", name="《中华人民共和国未成年人保护法》").click()
    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-baohu-fa/v/2020-10-17$"))
    expect(page.get_by_test_id("edition-notice")).to_contain_text("不是现行文本")
    page.get_by_test_id("edition-notice").get_by_role("link", name="查看现行版本").click()
    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-baohu-fa$"))
    expect(page.get_by_test_id("editions")).to_contain_text("现行有效")


def test_library_pages_fit_a_phone(page, app, policy_library):
    user = make_user("b-phone", "admin")
    login(page, user.username, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/policy/weichengnianren-baohu-fa/v/2020-10-17", "/policy/yunmin-2021-74/print",
                "/policy/minfadian/a1093", "/admin/library/", "/admin/library/register/ertong-fuli-jigou-guanli-banfa",
                "/policy/register/ertong-fuli-jigou-guanli-banfa"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide at 390px"
    expect(page.get_by_test_id("no-full-text")).to_contain_text("本门户未收录此文件的全文")
    expect(page.get_by_test_id("entry-meta")).to_contain_text("民政部令第63号")
