"""Two liaisons of one unit edit the same month's 进展报告. The second to save sees the colleague's saved
text, who and when, beside their own (still in the box, unsaved); saving again changes nothing; they
merge the two in the box, choose 「以我填写的内容覆盖」, and the merged text is what both then read."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.reports.services import current_month
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

WANG = "完成移交人员梳理，建立台账。"
LI = "召开推进会，部署档案整理。"


def test_the_second_saver_sees_both_versions_and_chooses(page, browser, live_server, plan):
    make_user("rep-wang", "liaison", unit="yanhu-mz")
    make_user("rep-li", "liaison", unit="yanhu-mz")
    url = f"/reports/yanhu-mz/{current_month()}"
    other = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844})
    other.set_default_timeout(10_000)
    li = other.new_page()
    try:
        login(page, "rep-wang", PASSWORD)
        login(li, "rep-li", PASSWORD)
        page.goto(url)
        li.goto(url)  # both have the form open

        page.locator("#progress").fill(WANG)
        page.get_by_role("button", name="保存草稿").click()
        expect(page.get_by_text("草稿已保存")).to_be_visible()

        li.locator("#progress").fill(LI)
        li.get_by_role("button", name="保存草稿").click()
        conflict = li.get_by_test_id("conflict")
        expect(conflict).to_contain_text("测试rep-wang")
        expect(conflict).to_contain_text("保存了新的内容")
        expect(li.get_by_test_id("theirs-progress")).to_have_text(WANG)
        expect(li.get_by_test_id("mine-progress")).to_have_text(LI)
        expect(li.locator("#progress")).to_have_value(LI)  # nothing typed is lost

        li.get_by_role("button", name="保存草稿").click()  # the same form again: refused again
        expect(li.get_by_test_id("conflict")).to_be_visible()
        page.reload()
        expect(page.locator("#progress")).to_have_value(WANG)  # the colleague's draft is intact

        merged = f"{WANG}\n{LI}"
        li.locator("#progress").fill(merged)
        li.get_by_test_id("overwrite").check()
        li.get_by_role("button", name="保存草稿").click()
        expect(li.get_by_text("草稿已保存")).to_be_visible()
        expect(li.get_by_test_id("conflict")).to_have_count(0)
        page.reload()
        expect(page.locator("#progress")).to_have_value(merged)
        expect(page.locator("p.muted").first).to_contain_text(re.compile("最后修改 测试rep-li"))
        assert li.evaluate("document.documentElement.scrollWidth") <= 390  # the panel fits a phone
    finally:
        other.close()
