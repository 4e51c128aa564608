"""Training pages as a new user finds them: the quiz after three failures, the attendance sheet's count
and touch targets, the township list grouped by county."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.core.time import today
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.training.helpers import import_rows, sync_modules

pytestmark = pytest.mark.browser


def test_quiz_button_looks_disabled_during_the_wait_and_incomplete_answers_keep_the_choices(page, plan):
    from portal.extensions import db
    from portal.models import QuizAttempt
    from portal.training import services
    from tests.training.helpers import trainee

    sync_modules()
    make_user("liuhong", "trainee")
    import_rows("刘红,儿童主任,盐湖区,北城街道,红旗社区,13800000009,liuhong,")
    module = services.get_module("xinxi-modi-paicha")
    login(page, "liuhong", PASSWORD)
    page.goto(f"/training/modules/{module.key}")
    quiz = page.get_by_test_id("quiz")
    first = module.quiz["questions"][0]["options"][0]["text"]
    quiz.get_by_label(first, exact=True).first.check()
    quiz.get_by_role("button", name="提交答案").click()
    expect(page.get_by_test_id("quiz-message")).to_contain_text("请回答全部题目：第2、3、4、5题未作答")
    expect(page.get_by_test_id("quiz").get_by_label(first, exact=True).first).to_be_checked()

    person = trainee("13800000009")
    for _ in range(3):
        db.session.add(QuizAttempt(trainee_id=person.id, module_id=module.id, score=0, passed=False, answers={}))
    db.session.commit()
    page.goto(f"/training/modules/{module.key}")
    button = page.get_by_test_id("quiz").get_by_role("button", name="提交答案")
    expect(button).to_be_disabled()
    assert button.evaluate("b => getComputedStyle(b).cursor") == "not-allowed"
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(183, 28, 28)"  # not the active red


def _sheet(trainer):
    from portal.training import services
    from tests.training.helpers import ROWS, county, db_area

    import_rows(*ROWS)
    module = services.get_module("xinxi-modi-paicha")
    return services.create_sheet(trainer, module, county("yanhu"), db_area("北城街道"), today(), "会议室", "王老师")


def test_attendance_sheet_on_a_phone_tap_the_name_and_the_count_follows(page, plan):
    sync_modules()
    sheet = _sheet(make_user("city-trainer", "trainer"))
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "city-trainer", PASSWORD)
    page.goto(f"/training/sessions/{sheet.id}")
    count = page.get_by_test_id("sheet-count")
    expect(count).to_contain_text("到场 0 / 3 人")
    expect(page.get_by_text("Tab 键逐人移动")).to_be_hidden()  # no keyboard hint on a phone
    box = page.get_by_label("主任乙到场")
    size = box.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24  # a comfortable touch target
    with page.expect_response(lambda r: "/people/" in r.url):
        page.get_by_test_id("sheet").get_by_text("主任乙", exact=True).click()  # the name ticks the box
    expect(page.get_by_label("主任乙到场")).to_be_checked()
    expect(count).to_contain_text("到场 1 / 3 人")  # in place, no reload
    with page.expect_response(lambda r: "/people/" in r.url):
        page.get_by_label("督导甲到场").click()
    expect(count).to_contain_text("到场 2 / 3 人")
    with page.expect_response(lambda r: "/people/" in r.url):
        page.get_by_test_id("sheet").get_by_text("主任乙", exact=True).click()  # and unticks it
    expect(page.get_by_label("主任乙到场")).not_to_be_checked()
    expect(count).to_contain_text("到场 1 / 3 人")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.reload()
    expect(count).to_contain_text("到场 1 / 3 人")


def test_attendance_sheet_keyboard_hint_shows_on_wide_screens(page, plan):
    sync_modules()
    sheet = _sheet(make_user("city-trainer", "trainer"))
    login(page, "city-trainer", PASSWORD)
    page.goto(f"/training/sessions/{sheet.id}")
    expect(page.get_by_text("Tab 键逐人移动")).to_be_visible()


def test_township_list_follows_the_chosen_county(page, plan):
    from tests.training.helpers import ROWS

    sync_modules()
    import_rows(*ROWS, "永济督导,儿童督导员,永济市,城东街道,,13800000021,,",  # 城东街道 in two counties
                "盐湖督导,儿童督导员,盐湖区,城东街道,,13800000022,,")
    make_user("city-trainer", "trainer")
    login(page, "city-trainer", PASSWORD)
    for url, form_id in (("/training/assign", "assign-form"), ("/training/sessions", "session-form")):
        page.goto(url)
        form = page.get_by_test_id(form_id)
        township = form.get_by_label("乡镇（街道）")
        expect(township.locator("optgroup[label='盐湖区'] option")).to_have_count(3)  # 北城、东城、城东
        form.get_by_label("县（市、区）").select_option(label="永济市")
        expect(township.locator("optgroup[label='盐湖区']")).to_be_hidden()
        visible = township.locator("optgroup:not([disabled]) option")
        assert sorted(visible.all_inner_texts()) == sorted(["城东街道", "城西街道"])
        township.select_option(label="城西街道")
        form.get_by_label("县（市、区）").select_option(label="盐湖区")  # the choice from 永济市 is dropped
        assert township.evaluate("s => s.value") == ""
        assert sorted(visible.all_inner_texts()) == sorted(["北城街道", "城东街道", "东城街道"])
