"""Training, session 3 journeys: a trainer imports a roster that opens login accounts, is told before
confirming that the first passwords show once, keeps them (sheet + print), and corrects one person;
the new trainee logs in with the first password and must set their own. Screenshots at 1280 and 390 px
go to test-artifacts/ (what a new trainer and a new trainee see)."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, login
from tests.conftest import PASSWORD, make_user
from tests.training.helpers import sync_modules

pytestmark = pytest.mark.browser

ROWS = [
    ["督导甲", "儿童督导员", "盐湖区", "北城街道", "", "13800000001", "", ""],
    ["主任乙", "儿童主任", "盐湖区", "北城街道", "红旗社区", "13800000002", "zhuren-yi", ""],
    ["主任丙", "儿童主任", "盐湖区", "北城街道", "槐东社区", "13800000003", "", "新任"],
]


def shot(page, name: str) -> None:
    """The page at 1280 px and at 390 px (a phone), full length."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"training3-{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name}: sideways scroll"
    page.screenshot(path=str(ARTIFACTS / f"training3-{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_import_opens_accounts_shows_passwords_once_and_trainee_sets_their_own(page, plan, tmp_path, browser,
                                                                              live_server):
    page.set_default_timeout(30_000)
    sync_modules()
    make_user("city-trainer", "trainer")
    login(page, "city-trainer", PASSWORD)
    page.goto("/training/roster/import")
    with page.expect_download() as info:
        page.get_by_test_id("template").click()
    roster = tmp_path / "花名册.xlsx"
    info.value.save_as(roster)
    book = load_workbook(roster)
    for r in ROWS:
        book.worksheets[0].append(r)
    book.save(roster)
    page.set_input_files("input[name=file]", str(roster))
    page.get_by_role("button", name="上传并预览").click()
    preview = page.get_by_test_id("import-preview")
    expect(preview).to_contain_text("新增 3 人")
    expect(page.get_by_test_id("new-accounts-note")).to_contain_text("只显示一次")
    shot(page, "import-preview")
    page.get_by_role("button", name="确认导入").click()

    table = page.get_by_test_id("initial-passwords")
    expect(table).to_contain_text("zhuren-yi")
    password = table.locator("tbody tr", has_text="zhuren-yi").locator("code").nth(1).inner_text()
    with page.expect_download() as info:
        page.get_by_test_id("passwords-xlsx").click()
    sheet = tmp_path / "passwords.xlsx"
    info.value.save_as(sheet)
    ws = load_workbook(sheet).active
    assert [c.value for c in ws[3]][1:4] == ["主任乙", "zhuren-yi", password]
    shot(page, "initial-passwords")
    page.get_by_role("link", name="我已保存，返回").click()

    # correct one person from the roster list
    page.get_by_role("link", name="修改主任丙的信息").click()
    form = page.get_by_test_id("trainee-form")
    form.get_by_label("姓名").fill("主任丙丙")
    form.get_by_label("村（社区）").fill("")
    form.get_by_role("button", name="保存修改").click()
    expect(page.get_by_text("儿童主任必须填写所在村（社区）")).to_be_visible()  # refused beside the field
    shot(page, "edit-refused")
    form.get_by_label("村（社区）").fill("学苑社区")
    form.get_by_role("button", name="保存修改").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("主任丙丙")
    expect(page.get_by_test_id("changes")).to_contain_text("主任丙 → 主任丙丙")
    expect(page.get_by_test_id("changes")).to_contain_text("槐东社区 → 学苑社区")
    shot(page, "trainee-after-edit")

    # the new trainee: the first password, then their own, then their training
    trainee_page = browser.new_context(base_url=live_server, locale="zh-CN",
                                       viewport={"width": 1280, "height": 900}).new_page()
    login(trainee_page, "zhuren-yi", password)
    expect(trainee_page.get_by_test_id("first-password")).to_be_visible()
    trainee_page.goto("/training/my")  # every page leads back until the password is changed
    expect(trainee_page.get_by_test_id("first-password")).to_be_visible()
    shot(trainee_page, "trainee-first-login")
    trainee_page.get_by_label("当前密码").fill(password)
    trainee_page.get_by_label("新密码（至少 8 位，勿用常见或简单密码）").fill("Hongqi-Shequ-2026")
    trainee_page.get_by_label("确认新密码").fill("Hongqi-Shequ-2026")
    trainee_page.get_by_role("button", name="保存").click()
    expect(trainee_page.get_by_text("密码已修改")).to_be_visible()
    trainee_page.goto("/training/my")
    expect(trainee_page.get_by_role("heading", level=1)).to_have_text("我的培训")
    shot(trainee_page, "trainee-my-training")
    trainee_page.context.close()
