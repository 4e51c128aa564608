"""A wrong answer to a question without its own 解析 still says where the answer is: the module's
clauses, linked (the review used to show a bare 「答错」). And 我的培训 never shows an empty 完成情况."""
import re
from html import unescape

from portal.extensions import db
from portal.training import bank, services
from tests.conftest import make_user
from tests.training.helpers import import_rows, sync_modules, trainee
from tests.training.test_question_bank import _post_answers

KEY = "fangan-yu-zhize"  # content/training/01-fangan-yu-zhize.md


def _without_explanations(module) -> None:
    """The shipped modules all carry a 解析 per question (tests/content/test_quiz_explanations.py); the
    parser still accepts a question without one, so the test removes them from the loaded module."""
    module.quiz = {**module.quiz, "questions": [{k: v for k, v in q.items() if k != "explanation"}
                                                for q in module.quiz["questions"]]}
    db.session.commit()


def test_a_wrong_answer_without_an_explanation_points_to_the_clauses(app, plan, auth):
    sync_modules()
    make_user("stu2", "trainee")
    import_rows("主任丙,儿童主任,盐湖区,北城街道,红旗社区,13800000003,stu2,")
    auth.login("stu2")
    person = trainee("13800000003")
    module = services.get_module(KEY)
    _without_explanations(module)
    assert module is not None and not any(q.get("explanation") for q in module.quiz["questions"])
    shown = bank.drawn(person, module)
    html = unescape(auth.post(f"/training/modules/{module.key}/quiz", data=_post_answers(shown, False)).get_data(as_text=True))
    review = html.split('data-testid="quiz-review"')[1].split("</section>")[0]
    items = review.split('data-testid="review-item"')[1:]
    assert items and all("答错" in i for i in items)
    for item in items:
        assert re.search(r'data-testid="explanation">.*?<a href="/policy/yunmin-2021-74/[^"]+"', item, re.S), item
    mine = auth.client.get("/training/my").get_data(as_text=True)
    assert not re.search(r'data-label="完成情况">\s*</td>', mine)
