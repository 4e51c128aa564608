"""Issue 21 (courses): the office sets a course of two modules (上岗, for 儿童主任, citing 三（二）10); on a
phone-sized screen a trainee passes both modules' quizzes, sees the course done and their tier, and
downloads the course's 结业证书, whose QR link opens the public verification page (有效) to anyone; a
trainer voids one of its modules' completions and the same page says 已撤销."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.training.helpers import import_rows, sync_modules

pytestmark = pytest.mark.browser

KEYS = ("fangan-yu-zhize", "xinxi-modi-paicha")
COURSE = "儿童主任上岗培训"


def pass_quiz(page, module) -> None:
    quiz = page.get_by_test_id("quiz")
    for q in module.quiz["questions"]:
        for o in q["options"]:
            if o["correct"]:
                quiz.get_by_label(o["text"], exact=True).first.check()
    quiz.get_by_role("button", name="提交答案").click()
    expect(page.get_by_text("测验通过")).to_be_visible()


def test_trainee_passes_a_course_and_its_certificate_verifies(page, browser, live_server, plan):
    sync_modules()
    from portal.training import services

    modules = [services.get_module(k) for k in KEYS]
    make_user("office", "admin")
    make_user("liuhong", "trainee")
    import_rows("刘红梅,儿童主任,盐湖区,北城街道,红旗社区,13800000009,liuhong,")

    login(page, "office", PASSWORD)
    page.goto("/training/courses")
    page.get_by_role("link", name="新建课程").click()
    form = page.get_by_test_id("course-form")
    form.get_by_label("课程名称").fill(COURSE)
    form.get_by_label("课程等级").select_option(label="上岗")
    form.get_by_label("培训对象").select_option(label="儿童主任")
    for m in modules:
        form.get_by_label(m.title, exact=True).check()
    form.get_by_label("依据的方案条款").select_option(value="3.2.10")
    form.get_by_label("结业证书有效期").fill("24")
    form.get_by_role("button", name="保存").click()
    expect(page.locator(".flashes")).to_contain_text(f"课程“{COURSE}”已保存")
    row = page.get_by_test_id("course-row").filter(has_text=COURSE)
    expect(row).to_contain_text("上岗")
    expect(row).to_contain_text("方案三（二）10")
    expect(row).to_contain_text("24 个月")
    page.get_by_role("button", name="退出").click()

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "liuhong", PASSWORD)
    page.goto("/training/my")
    progress = page.get_by_test_id("courses-progress")
    expect(progress.get_by_test_id("course-state")).to_have_text("已完成 0/2 个模块")
    expect(progress.get_by_test_id("tier")).to_have_text("未取得")
    for m in modules:
        page.get_by_test_id("courses-progress").get_by_role("link", name=m.title).click()
        pass_quiz(page, m)
    progress = page.get_by_test_id("courses-progress")
    expect(progress.get_by_test_id("course-state")).to_have_text("已结业")
    expect(progress.get_by_test_id("tier")).to_have_text("上岗")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    row = page.get_by_test_id("certificate-row").filter(has_text=f"{COURSE}（课程）")
    expect(row.get_by_test_id("certificate-state")).to_have_text("有效")
    expect(row.locator('[data-label="学时"]')).to_have_text("3")  # each module 1 学时 and a passed test 0.5
    with page.expect_download() as info:
        row.get_by_role("link", name="下载证书（PDF）").click()
    with open(info.value.path(), "rb") as pdf:
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.read())).pages)
    flat = text.replace(" ", "")
    assert "刘红梅" in flat and COURSE in flat and "3学时" in flat and "儿童主任" in flat
    url = re.search(r"https?://\S+/verify/\d{4}-\d{6}-[0-9A-Z]{6}", text).group(0)

    stranger = browser.new_context(viewport={"width": 390, "height": 844})
    public = stranger.new_page()
    public.goto(url)
    expect(public.get_by_test_id("verify-state")).to_have_text("有效")
    expect(public.get_by_test_id("verify-name")).to_have_text("刘*梅")
    expect(public.locator("body")).to_contain_text(COURSE)
    expect(public.locator("body")).not_to_contain_text("刘红梅")

    # A trainer voids one of the two modules' completions: the course certificate is revoked with it.
    page.get_by_role("button", name="退出").click()
    make_user("yh-trainer", "trainer", unit="yanhu-mz")
    login(page, "yh-trainer", PASSWORD)
    from tests.training.helpers import trainee

    page.goto(f"/training/trainees/{trainee('13800000009').id}")
    expect(page.get_by_test_id("courses-progress").get_by_test_id("tier")).to_have_text("上岗")
    history = page.get_by_test_id("history")
    history.get_by_text("更正").first.click()
    history.get_by_label("更正理由").first.fill("测验由他人代答")
    history.get_by_role("button", name="作废此记录").first.click()
    row = page.get_by_test_id("certificate-row").filter(has_text=f"{COURSE}（课程）")
    expect(row.get_by_test_id("certificate-state")).to_contain_text("已撤销")
    expect(page.get_by_test_id("courses-progress").get_by_test_id("tier")).to_have_text("未取得")
    public.reload()
    expect(public.get_by_test_id("verify-state")).to_have_text("已撤销")
    stranger.close()
