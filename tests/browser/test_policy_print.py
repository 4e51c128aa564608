"""Printing the 方案 from its page gives the document: the text, without the portal's chrome."""
from __future__ import annotations

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
