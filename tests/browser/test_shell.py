"""The shell in a real browser: each role sees its navigation; bad logins; logout; expired sessions."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, submit_login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

NAV_BY_ROLE = {
    # 三员分立: the 管理员 has no 审计日志 and no 登录保护; each is the only tab of its own administrator.
    "admin": {"首页", "工作总览", "任务台账", "方案", "政策库", "组织机构", "进展报告", "培训", "督查室", "督办", "用户管理", "法规管理"},
    "security_admin": {"首页", "政策库", "登录保护"},
    "auditor": {"首页", "政策库", "审计日志"},
    "leader": {"首页", "工作总览", "任务台账", "方案", "政策库", "组织机构", "进展报告", "培训", "督办"},
    "liaison": {"首页", "工作总览", "我的任务", "方案", "政策库", "组织机构", "进展报告", "待签收"},
    "trainer": {"首页", "工作总览", "任务台账", "方案", "政策库", "组织机构", "培训"},
    "staff": {"首页", "工作总览", "任务台账", "方案", "政策库", "组织机构"},
}


@pytest.mark.parametrize("role", list(NAV_BY_ROLE))
def test_each_role_sees_its_navigation(page, role):
    user = make_user(f"b-{role}", role)
    login(page, user.username, PASSWORD)
    # Leaders and the office land on the progress board, everyone else on the home page.
    expect(page).to_have_url(re.compile(r"/board$" if role in ("admin", "leader") else r"/$"))
    nav = page.locator("nav.main-nav a")
    expect(nav.first).to_be_visible()
    assert set(nav.all_inner_texts()) == NAV_BY_ROLE[role]
    box = page.get_by_test_id("user-box")
    expect(box).to_contain_text(user.display_name)
    expect(box).to_contain_text(user.unit.name)


def test_a_trainee_lands_on_their_own_training(page):
    make_user("b-trainee", "trainee")
    login(page, "b-trainee", PASSWORD)
    expect(page).to_have_url(re.compile(r"/training/my$"))
    nav = page.locator("nav.main-nav a")
    expect(nav.first).to_be_visible()
    assert set(nav.all_inner_texts()) == {"政策库", "我的培训"}  # 首页 is 我的培训 for a 学员: one entry


def test_wrong_password_gives_a_message(page):
    make_user("b-staff", "staff")
    login(page, "b-staff", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    expect(page.locator("nav.main-nav")).to_have_count(0)
    # The username stays filled in; the password does not.
    expect(page.locator("input[name=username]")).to_have_value("b-staff")
    expect(page.locator("input[name=password]")).to_have_value("")


def test_logout_ends_the_session(page):
    make_user("b-leader", "leader")
    login(page, "b-leader", PASSWORD)
    expect(page.get_by_test_id("user-box")).to_be_visible()
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()
    page.goto("/units/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_expired_session_in_htmx_request_goes_to_login_page(page):
    make_user("b-admin", "admin")
    login(page, "b-admin", PASSWORD)
    page.goto("/admin/users")
    expect(page.get_by_test_id("user-table")).to_be_visible()
    # A response still in flight (an asset, a count loaded after the page) would set the session
    # cookie again after it is cleared: let the page settle first.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()  # the session expires while the page is open
    page.fill("form.filters input[name=q]", "b-")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)admin(/|%2F)users"))
    # A whole login page, not a login form inside the results fragment.
    expect(page.locator("#user-rows")).to_have_count(0)
    expect(page.locator("input[name=username]")).to_have_count(1)
    submit_login(page, "b-admin", PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/users"))


def test_admin_live_filter_updates_rows_and_url(page):
    make_user("b-admin", "admin")
    make_user("zhang-liaison", "liaison")
    login(page, "b-admin", PASSWORD)
    page.goto("/admin/users")
    page.fill("form.filters input[name=q]", "zhang")
    rows = page.locator("[data-testid=user-table] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("zhang-liaison")
    expect(page).to_have_url(re.compile(r"q=zhang"))


def test_chinese_renders_with_a_cjk_font(page, tmp_path):
    """Print-to-PDF of a page with Chinese: the PDF embeds a CJK font."""
    make_user("b-staff", "staff")
    login(page, "b-staff", PASSWORD)
    page.goto("/units/")
    pdf = page.pdf(format="A4")
    assert b"CJK" in pdf or b"Noto" in pdf, "no CJK font embedded in the printed PDF"
