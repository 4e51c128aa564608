"""Issue 21, questions that teach: after five trainees of the county all miss the same question, the
trainer opens the module's 题目统计 from the module page and that question is flagged for review."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import QuizAttempt
from portal.training import services
from portal.training.item_stats import MIN_ATTEMPTS
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.training.helpers import import_rows, sync_modules, trainee

pytestmark = pytest.mark.browser

KEY = "qiangzhi-baogao"


def test_statistics_flag_a_question_everyone_misses(page, live_server, plan):
    sync_modules()
    module = services.get_module(KEY)
    right = {q["number"]: [i for i, o in enumerate(q["options"]) if o["correct"]] for q in module.quiz["questions"]}
    for n in range(MIN_ATTEMPTS):
        phone = f"1380000010{n}"
        import_rows(f"学员{n},儿童主任,盐湖区,北城街道,红旗社区,{phone},,")
        answers = {str(q): right[q] for q in (2, 3, 4, 5)}
        answers["1"] = [0]  # option 0 of question 1 is wrong: everyone misses it
        db.session.add(QuizAttempt(trainee_id=trainee(phone).id, module_id=module.id, answers=answers,
                                   score=80, passed=True))
        db.session.commit()
    make_user("wanglaoshi", "trainer", unit="yanhu-mz")
    login(page, "wanglaoshi", PASSWORD)
    page.goto(f"/training/modules/{KEY}")
    page.get_by_test_id("statistics-link").click()
    expect(page.get_by_test_id("flag-count")).to_contain_text("1 道题需要复核")
    rows = page.get_by_test_id("item-row")
    expect(rows).to_have_count(len(module.quiz["questions"]))
    first = rows.filter(has_text=module.quiz["questions"][0]["text"])
    expect(first.get_by_test_id("item-flag")).to_contain_text("多数人答错")
    expect(first).to_contain_text("0%")
    second = rows.filter(has_text=module.quiz["questions"][1]["text"])
    expect(second).to_contain_text("100%")
    expect(second.get_by_test_id("item-flag")).to_have_text("")
