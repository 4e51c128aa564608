"""Staff reads the 方案: library → document → TOC to 三（二）8 → copy its citation →
《家庭寄养管理办法》 → register entry → "cited by" → back to 三（一）1."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

TITLE = "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案"
CITATION_328 = f"《{TITLE}》（运民发〔2021〕74号）三（二）8"


def test_staff_reads_and_cites_the_fangan(page, app, live_server, policy_library):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    user = make_user("b-staff", "staff")
    login(page, user.username, PASSWORD)

    page.locator("nav.main-nav").get_by_role("link", name="政策库").click()
    expect(page).to_have_url(re.compile(r"/policy/$"))
    page.get_by_test_id("policy-documents").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    page.get_by_test_id("toc").get_by_role("link", name="三（二）8 做好移交工作").click()
    expect(page).to_have_url(re.compile(r"/policy/yunmin-2021-74#3\.2\.8$"))
    section = page.locator('section[id="3.2.8"]')
    expect(section).to_be_in_viewport()
    expect(section).to_contain_text("安排部署、梳理应移交人员信息、整理移交人员档案、办理移交手续、移交工作总结")

    copy = section.get_by_test_id("copy-3.2.8")
    expect(copy).to_have_attribute("data-citation", CITATION_328)
    copy.click()
    expect(section.locator(".copy-status")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == CITATION_328

    page.locator('section[id="3.1.1"]').get_by_role("link", name="《家庭寄养管理办法》").click()
    expect(page).to_have_url(re.compile(r"/policy/register/jiating-jiyang-guanli-banfa$"))
    expect(page.get_by_test_id("entry-title")).to_have_text("《家庭寄养管理办法》")

    page.get_by_test_id("cited-by").get_by_role("link", name=re.compile("三（一）1")).click()
    expect(page).to_have_url(re.compile(r"/policy/yunmin-2021-74/3\.1\.1#3\.1\.1\.3$"))
    expect(page.get_by_test_id("clause-title")).to_have_text("三（一）1 做好收留和抚养工作")
    expect(page.locator('[id="3.1.1.3"]')).to_be_attached()
