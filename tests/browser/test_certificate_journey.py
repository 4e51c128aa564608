"""Issue 21 (certificates): on a phone-sized screen a trainee passes a module's quiz and downloads the
结业证书; the link its QR code carries opens the public verification page without signing in (有效);
the trainer voids the completion and the same page says 已撤销."""
from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.core.time import today
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.training.helpers import import_rows, sync_modules

pytestmark = pytest.mark.browser


def test_trainee_passes_downloads_certificate_and_its_link_verifies_until_voided(page, browser, live_server, plan):
    page.set_viewport_size({"width": 390, "height": 844})
    sync_modules()
    make_user("liuhong", "trainee")
    import_rows("刘红梅,儿童主任,盐湖区,北城街道,红旗社区,13800000009,liuhong,")
    from portal.training import services
    from tests.training.helpers import trainee

    module = services.get_module("xinxi-modi-paicha")
    person = trainee("13800000009")
    services.assign_people(make_user("adm", "admin"), module, [person], today() + timedelta(days=7))
    login(page, "liuhong", PASSWORD)
    page.get_by_role("link", name=module.title).first.click()
    quiz = page.get_by_test_id("quiz")
    for q in module.quiz["questions"]:
        for o in q["options"]:
            if o["correct"]:
                quiz.get_by_label(o["text"], exact=True).first.check()
    quiz.get_by_role("button", name="提交答案").click()
    expect(page.get_by_text("测验通过")).to_be_visible()

    certificates = page.get_by_test_id("certificates")
    expect(certificates.get_by_test_id("certificate-state")).to_have_text("有效")
    expect(page.get_by_test_id("hours-by-year")).to_contain_text("1.5 学时")  # 45 minutes + a passed test
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_download() as info:
        certificates.get_by_role("link", name="下载证书（PDF）").click()
    with open(info.value.path(), "rb") as pdf:
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.read())).pages)
    assert "刘红梅" in text and module.title in text and "1.5学时" in text.replace(" ", "")
    url = re.search(r"https?://\S+/verify/\d{4}-\d{6}-[0-9A-Z]{6}", text).group(0)

    stranger = browser.new_context(viewport={"width": 390, "height": 844})  # no session: anyone with the QR code
    public = stranger.new_page()
    public.goto(url)
    expect(public.get_by_test_id("verify-state")).to_have_text("有效")
    expect(public.get_by_test_id("verify-name")).to_have_text("刘*梅")
    expect(public.locator("body")).not_to_contain_text("刘红梅")

    page.get_by_role("button", name="退出").click()
    make_user("yh-trainer", "trainer", unit="yanhu-mz")
    login(page, "yh-trainer", PASSWORD)
    page.goto(f"/training/trainees/{person.id}")
    history = page.get_by_test_id("history")
    history.get_by_text("更正").first.click()
    history.get_by_label("更正理由").fill("测验由他人代答")
    history.get_by_role("button", name="作废此记录").click()
    expect(page.get_by_test_id("certificates").get_by_test_id("certificate-state")).to_contain_text("已撤销")

    public.reload()
    expect(public.get_by_test_id("verify-state")).to_have_text("已撤销")
    expect(public.locator("body")).not_to_contain_text("他人代答")
    stranger.close()
