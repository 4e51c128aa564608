"""三员分立 in a browser: a colleague is locked out by wrong passwords; the security administrator (安全管理员)
finds it on the home page, opens 登录保护 and lifts the limit; the auditor (审计管理员) finds that clearance in
the 审计日志, filters by the action and exports the filtered log as an Excel file. The system administrator
sees neither page. Screenshots at 1280 and 390 px go to test-artifacts/."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.security.throttle import PAIR
from tests.browser.conftest import ARTIFACTS, login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"three-admins-{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name}: sideways scroll"
    page.screenshot(path=str(ARTIFACTS / f"three-admins-{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _fail_logins(browser, live_server, username: str, times: int) -> None:
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    other = context.new_page()
    for _ in range(times):
        login(other, username, "not-the-password")
    context.close()


def test_security_admin_lifts_a_lockout_and_the_auditor_exports_it(page, browser, live_server):
    make_user("colleague", "staff")
    make_user("anquan", "security_admin")
    make_user("shenji", "auditor")
    make_user("boss", "admin")
    _fail_logins(browser, live_server, "colleague", PAIR.free + 1)

    # The system administrator: accounts yes, login protection and the audit log no.
    login(page, "boss", PASSWORD)
    nav = page.locator("nav")
    expect(nav.get_by_role("link", name="用户管理")).to_be_visible()
    expect(nav.get_by_role("link", name="登录保护")).to_have_count(0)
    expect(nav.get_by_role("link", name="审计日志")).to_have_count(0)
    page.get_by_role("button", name="退出").click()

    # The security administrator sees the limit on the home page and lifts it.
    login(page, "anquan", PASSWORD)
    card = page.get_by_test_id("home-security")
    expect(card).to_contain_text("正受限")
    shot(page, "security-home")
    card.get_by_role("link", name="打开登录保护").click()
    row = page.get_by_test_id("throttle-table").locator("tr", has_text="测试colleague")
    expect(row).to_contain_text("受限")
    shot(page, "throttles")
    row.get_by_role("button", name="解除", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("已解除")
    page.get_by_role("button", name="退出").click()

    # The colleague can sign in again.
    login(page, "colleague", PASSWORD)
    expect(page.locator("h1")).to_contain_text("您好")
    page.get_by_role("button", name="退出").click()

    # The auditor finds the clearance and exports the filtered log.
    login(page, "shenji", PASSWORD)
    expect(page.get_by_test_id("home-audit")).to_contain_text("解除登录限制")
    page.locator("nav").get_by_role("link", name="审计日志").click()
    page.select_option("select[name=action]", label="解除登录限制")
    table = page.get_by_test_id("audit-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("测试anquan")
    shot(page, "audit")
    with page.expect_download() as got:
        page.get_by_test_id("export-xlsx").click()
    download = got.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(download.path().read_bytes())).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1 and rows[0][1] == "测试anquan" and rows[0][2] == "解除登录限制"
    assert "该账号在此地址" in rows[0][5]
