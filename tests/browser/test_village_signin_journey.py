"""Issue 21, village sign-in: a trainee signs in on a phone-sized browser from the code the trainer's
phone shows (through the login page, back to the code's page); the trainer ticks attendance from a
photographed paper sheet's numbers and attaches the photo."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.core.time import today
from portal.training.signin_views import qr_image
from tests.browser.conftest import login, submit_login
from tests.conftest import PASSWORD, make_user
from tests.training.helpers import JPEG, ROWS, county, db_area, import_rows, sync_modules

pytestmark = pytest.mark.browser


def _sheet():
    from portal.training import services

    sync_modules()
    make_user("bingzr", "trainee")
    import_rows(*ROWS[:2], "主任丙,儿童主任,盐湖区,北城街道,槐东社区,13800000003,bingzr,")
    trainer = make_user("wanglaoshi", "trainer", unit="yanhu-mz")
    return services.create_sheet(trainer, services.get_module("xinxi-modi-paicha"), county("yanhu"),
                                   db_area("北城街道"), today(), "村委会议室", "王老师")


def test_trainee_signs_in_by_qr_from_a_phone_sized_browser(page, browser, live_server, plan):
    sheet = _sheet()
    login(page, "wanglaoshi", PASSWORD)
    page.goto(f"/training/sessions/{sheet.id}/code")
    qr = page.get_by_test_id("screen-qr")
    expect(qr).to_be_visible()
    url = qr.get_attribute("data-signin-url")
    assert qr.get_attribute("src") == qr_image(url)  # the picture is the QR code of that link

    phone = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844})
    trainee_page = phone.new_page()
    trainee_page.goto(url)  # what the phone's camera opens
    expect(trainee_page).to_have_url(re.compile(r"/login\?next="))
    submit_login(trainee_page, "bingzr", PASSWORD)
    expect(trainee_page.get_by_test_id("signin-button")).to_be_visible()
    assert trainee_page.evaluate("document.documentElement.scrollWidth") <= 390
    trainee_page.get_by_test_id("signin-button").click()
    expect(trainee_page.get_by_test_id("signin-done")).to_contain_text("签到成功")
    phone.close()

    expect(page.get_by_test_id("scan-count")).to_contain_text("已到场 1 人", timeout=45_000)  # the screen refreshes
    page.goto(f"/training/sessions/{sheet.id}")
    row = page.locator("tr", has_text="主任丙")
    expect(row.get_by_test_id("tick")).to_be_checked()


def test_trainer_ticks_attendance_from_a_photographed_sheets_numbers(page, live_server, plan, tmp_path):
    sheet = _sheet()
    login(page, "wanglaoshi", PASSWORD)
    page.goto(f"/training/sessions/{sheet.id}")
    numbers = page.get_by_test_id("sheet-number")
    expect(numbers).to_have_count(3)
    rows = page.get_by_test_id("sheet").locator("tbody tr")
    expect(rows.nth(0).get_by_test_id("sheet-number")).to_have_text("1")
    expect(rows.nth(2).get_by_test_id("sheet-number")).to_have_text("3")
    first_name = rows.nth(0).locator(".tick-name").inner_text()
    third_name = rows.nth(2).locator(".tick-name").inner_text()

    page.get_by_test_id("numbers-input").fill("1 3 9")  # 9 is a slip: nothing is ticked, the text stays
    page.get_by_role("button", name="登记到场").click()
    expect(page.get_by_test_id("numbers-error")).to_contain_text("签到表上没有编号 9")
    expect(page.get_by_test_id("numbers-input")).to_have_value("1 3 9")
    expect(page.locator("[data-testid=tick]:checked")).to_have_count(0)

    page.get_by_test_id("numbers-input").fill("1 3")
    page.get_by_role("button", name="登记到场").click()
    expect(page.locator(".flashes")).to_contain_text(f"1号{first_name}")
    expect(page.locator("[data-testid=tick]:checked")).to_have_count(2)
    expect(page.locator("tr", has_text=first_name).get_by_test_id("tick")).to_be_checked()
    expect(page.locator("tr", has_text=third_name).get_by_test_id("tick")).to_be_checked()
    expect(page.get_by_test_id("sheet-count")).to_contain_text("到场 2 / 3 人")

    photo = tmp_path / "签到表.jpg"
    photo.write_bytes(JPEG)
    page.get_by_test_id("photo-input").set_input_files(str(photo))
    page.get_by_role("button", name="上传照片").click()
    expect(page.get_by_test_id("photo-link")).to_have_text("签到表.jpg")
