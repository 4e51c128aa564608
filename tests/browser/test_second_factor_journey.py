"""The second factor in a real browser (issue 18, 等保 2.0 第三级): a new admin is led to set it up,
scans (here: reads) the QR code's secret, keeps the recovery codes, signs in with a code, and later
with a recovery code when the phone is not at hand — at a phone's width too."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from portal.admin.services import AccountInput, create_account
from portal.extensions import db
from tests.browser.conftest import login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_enrol_then_sign_in_with_a_code_then_with_a_recovery_code(page):
    create_account(AccountInput("xin", "辛主任", ["admin"], "city-mz", PASSWORD))  # no second factor yet
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "xin", PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/second-factor/setup$"))
    expect(page.get_by_test_id("second-factor-required")).to_be_visible()
    qr = page.get_by_test_id("second-factor-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.querySelector('[data-testid=second-factor-qr]').naturalWidth") > 0  # drawn (CSP allows it)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    secret = page.get_by_test_id("second-factor-secret").inner_text().replace(" ", "")
    app_on_phone = pyotp.TOTP(secret)
    page.fill("input[name=code]", "000000")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="启用").click()
    expect(page.get_by_role("alert")).to_contain_text("验证码不正确")
    page.fill("input[name=code]", app_on_phone.now())
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="启用").click()
    shown = page.get_by_test_id("recovery-codes").locator("code")
    expect(shown).to_have_count(10)  # waits for the answer to the click; reading at once raced it in CI
    codes = shown.all_inner_texts()
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page.locator("h1")).not_to_have_text("设置动态验证码")
    sign_out(page)

    # Next sign-in: the password, then the code the phone shows (the next one: each works once).
    page.fill("input[name=username]", "xin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.fill("input[name=code]", app_on_phone.at(time.time() + 30))
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/board$"))
    expect(page.get_by_test_id("user-box")).to_contain_text("辛主任")
    sign_out(page)

    # The phone is not at hand: a recovery code, once.
    for attempt in range(2):
        page.fill("input[name=username]", "xin")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.fill("input[name=code]", codes[0])
        page.get_by_role("button", name="登录").click()
        if attempt == 0:
            expect(page).to_have_url(re.compile(r"/board$"))
            page.get_by_role("link", name="我的账号").click()
            expect(page.get_by_test_id("second-factor-status")).to_contain_text("尚有 9 个未用的恢复码")
            sign_out(page)
        else:
            expect(page.get_by_role("alert")).to_contain_text("验证码不正确或已用过")
            expect(page).to_have_url(re.compile(r"/login/code$"))
