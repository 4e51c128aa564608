"""The quiz refuses an incomplete answer sheet without counting it, keeps the trainee's choices and
names the wrong questions (numbers only) after a failed attempt."""
import re

import sqlalchemy as sa

from portal.extensions import db
from portal.models import QuizAttempt
from portal.training import quiz as q
from portal.training import services
from tests.conftest import make_user
from tests.training.helpers import import_rows, sync_modules


def _setup(auth):
    sync_modules()
    make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    auth.login("stu")
    return services.get_module("xinxi-modi-paicha")


def _options(module, correct: bool) -> dict:
    """Every right option of each question, or the first wrong one."""
    return {f"q{x['number']}": [str(i) for i, o in enumerate(x["options"]) if o["correct"] is correct][:None if correct else 1]
            for x in module.quiz["questions"]}


def checked(html: str) -> set[tuple[str, str]]:
    """(question, option) of every ticked box or radio on the page."""
    out = set()
    for tag in re.findall(r"<input[^>]*>", html):
        if re.search(r"\bchecked\b", tag):
            out.add((re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]*)"', tag).group(1)))
    return out


def attempts() -> int:
    return db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)))


def test_incomplete_quiz_is_refused_names_the_missing_questions_and_is_not_an_attempt(app, plan, client, auth):
    module = _setup(auth)
    url = f"/training/modules/{module.key}/quiz"
    assert "请回答全部题目：第1、2、3、4、5题未作答" in auth.post(url, data={}).get_data(as_text=True)
    partial = _options(module, correct=False)
    del partial["q2"], partial["q4"]
    response = auth.post(url, data=partial)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请回答全部题目：第2、4题未作答" in html
    assert attempts() == 0
    # the choices made for the other questions are still ticked
    assert checked(html) == {(name, values[0]) for name, values in partial.items()}
    for _ in range(4):  # any number of incomplete tries never locks the quiz
        auth.post(url, data={})
    assert 'data-testid="quiz-wait"' not in client.get(f"/training/modules/{module.key}").get_data(as_text=True)


def test_failed_quiz_keeps_the_choices_and_names_the_wrong_questions_only(app, plan, client, auth):
    module = _setup(auth)
    answers = _options(module, correct=True)
    answers["q3"] = _options(module, correct=False)["q3"]
    answers["q1"] = _options(module, correct=False)["q1"]
    response = auth.post(f"/training/modules/{module.key}/quiz", data=answers)
    html = response.get_data(as_text=True)
    assert "测验未通过" in html and "第1、3题答错" in html
    assert "第2" not in html.split("测验未通过")[1].split("</p>")[0]
    assert attempts() == 1
    assert checked(html) == {(name, v) for name, values in answers.items() for v in values}  # as submitted


def test_wrong_and_unanswered_are_pure():
    data = {"questions": [{"number": 1, "options": [{"correct": True}, {"correct": False}]},
                          {"number": 2, "options": [{"correct": True}, {"correct": True}]}]}
    assert q.unanswered(data, {1: {0}, 2: set()}) == [2]
    assert q.wrong(data, {1: {0}, 2: {0}}) == [2]
    assert q.incomplete_message([2, 4]).startswith("请回答全部题目：第2、4题未作答")
