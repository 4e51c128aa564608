"""A leader checks the 74号 decomposition says only what the 方案 says (issue 19, "The first plan,
faithful"): the periodic drill is 定期（每季度）, the office's own deadline reasoning and cooperating
units are marked as its 工作安排, and the transfer tracker counts the two 儿童福利院."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_leader_sees_the_office_s_arrangements_marked(page, plan):
    make_user("faithful-boss", "leader")
    login(page, "faithful-boss", PASSWORD)
    expect(page).to_have_url(re.compile(r"/board$"))

    page.locator('[data-cell="市福利院|三（一）1"]').click()
    drill = page.get_by_test_id("drill")
    item = drill.locator("li", has_text="应急预案定期演练")
    expect(item).to_contain_text("定期（每季度）")
    item.get_by_role("link", name="应急预案定期演练").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("应急预案定期演练")
    deadline = page.get_by_test_id("deadline-text")
    expect(deadline).to_contain_text("时限说明")
    expect(deadline).to_contain_text("督查室工作安排")
    expect(deadline).not_to_contain_text("方案表述")

    page.goto("/board/transfer")
    tracker = page.get_by_test_id("transfer")
    expect(tracker.locator("tbody tr")).to_have_count(15)
    expect(tracker.locator('tr[data-county="闻喜县儿童福利院"]')).to_be_visible()
    expect(tracker.locator('tr[data-county="新绛县儿童福利院"]')).to_be_visible()
    tracker.locator('tr[data-county="闻喜县儿童福利院"]').get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("福利院儿童移交")

    page.goto("/tasks/?q=成年孤儿优先住房保障")
    page.get_by_role("link", name="成年孤儿优先住房保障").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("成年孤儿优先住房保障")
    cooperators = page.get_by_test_id("cooperators")
    expect(cooperators).to_contain_text("运城市民政局")
    expect(cooperators.locator(".badge.arranged")).to_have_count(1)
