"""Printing the 方案 from its page gives the document: the text, without the portal's chrome."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_printing_the_plan_page_shows_only_the_document(page, app, plan):
    make_user("reader", "staff")
    login(page, "reader", PASSWORD)
    page.goto("/policy/yunmin-2021-74")
    expect(page.get_by_test_id("toc")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_test_id("policy-text")).to_be_visible()
    for hidden in (page.get_by_test_id("toc"), page.locator(".breadcrumb"), page.get_by_test_id("doc-meta"),
                   page.locator(".clause-tools").first, page.locator(".main-nav")):
        expect(hidden).to_be_hidden()


def test_print_one_article_as_a_citation(page, app, policy_library):
    """打印本条: from an article's page on a phone, one click gives the article with its citation and
    which text it is; on paper only that is printed."""
    make_user("reader-article", "staff")
    login(page, "reader-article", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/policy/weichengnianren-baohu-fa/a59")
    page.get_by_test_id("print-clause").click()
    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-baohu-fa/a59/print$"))
    article = page.get_by_test_id("clause-print")
    expect(article).to_contain_text("禁止向未成年人销售烟、酒、彩票")
    expect(page.get_by_test_id("print-citation")).to_have_text("引自：《中华人民共和国未成年人保护法》第五十九条")
    expect(page.get_by_test_id("print-source")).to_contain_text("现行有效")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the printed article is {width}px wide at 390px"
    page.emulate_media(media="print")
    expect(article).to_be_visible()
    for hidden in (page.locator(".print-hint"), page.locator(".main-nav")):
        expect(hidden).to_be_hidden()
