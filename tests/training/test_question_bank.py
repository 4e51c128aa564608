"""Issue 21, questions that teach: a bank larger than a quiz shows, each attempt its own draw, the
解析 after an attempt with a link to the clause, item statistics for trainers, trainees' feedback."""
import re
from html import unescape

import pytest
import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry, QuizAttempt, TrainingFeedback
from portal.training import bank, services
from portal.training.item_stats import MIN_ATTEMPTS, item_stats
from tests.conftest import AuthActions, make_user
from tests.training.helpers import import_rows, sync_modules, trainee

BANK_KEY = "qiangzhi-baogao"  # 8 questions, 5 drawn per attempt


def _trainee(auth=None, username="stu", phone="13800000002"):
    sync_modules()
    make_user(username, "trainee")
    import_rows(f"主任乙,儿童主任,盐湖区,北城街道,红旗社区,{phone},{username},")
    if auth is not None:
        auth.login(username)
    return trainee(phone), services.get_module(BANK_KEY)


def _ids(shown) -> list[int]:
    return [q["id"] for q in shown["questions"]]


def _post_answers(shown, right: bool) -> dict:
    out = {}
    for q in shown["questions"]:
        picks = [str(i) for i, o in enumerate(q["options"]) if o["correct"] is right]
        out[f"q{q['number']}"] = picks if right else picks[:1]
    return out


def test_each_attempt_draws_its_own_set_and_a_reload_does_not(app, plan):
    person, module = _trainee()
    first = bank.drawn(person, module)
    assert len(first["questions"]) == 5 and [q["number"] for q in first["questions"]] == [1, 2, 3, 4, 5]
    assert _ids(bank.drawn(person, module)) == _ids(first)  # the same page again: the same questions
    seen = {tuple(_ids(first))}
    for _ in range(6):
        db.session.add(QuizAttempt(trainee_id=person.id, module_id=module.id, answers={}, score=0, passed=False))
        db.session.commit()
        seen.add(tuple(_ids(bank.drawn(person, module))))
    assert len(seen) > 1 and set().union(*seen) <= set(range(1, 9))


def test_a_passed_draw_is_graded_on_its_own_questions_and_stored_by_file_number(app, plan, client, auth):
    person, module = _trainee(auth)
    shown = bank.drawn(person, module)
    response = auth.post(f"/training/modules/{BANK_KEY}/quiz", data=_post_answers(shown, True))
    assert response.status_code == 302
    attempt = db.session.scalar(sa.select(QuizAttempt))
    assert attempt.passed and attempt.score == 100 and sorted(int(k) for k in attempt.answers) == _ids(shown)
    assert services.current_completion(person.id, module.id) is not None


def test_a_failed_draw_explains_with_clause_links_and_the_next_try_draws_anew(app, plan, client, auth):
    person, module = _trainee(auth)
    shown = bank.drawn(person, module)
    html = unescape(auth.post(f"/training/modules/{BANK_KEY}/quiz", data=_post_answers(shown, False)).get_data(as_text=True))
    assert "测验未通过" in html and "下次测验将重新抽题" in html
    review = html.split('data-testid="quiz-review"')[1].split("</section>")[0]
    assert review.count('data-testid="review-item"') == 5 and review.count("答错") == 5
    assert re.search(r'解析：.*?<a href="/policy/[^"]+"', review, re.S)  # the explanation cites its clause, linked
    for q in shown["questions"]:
        assert q["text"] in review
    form = html.split('data-testid="quiz"')[1].split("</form>")[0]
    legends = re.findall(r"<legend>\d+\. (.*?)（", form)
    assert legends == [q["text"] for q in bank.drawn(person, module)["questions"]]  # the next attempt's draw
    assert 'checked' not in form  # its questions are new: nothing carried over


def test_answers_to_questions_not_drawn_do_not_count(app, plan, client, auth):
    person, module = _trainee(auth)
    response = auth.post(f"/training/modules/{BANK_KEY}/quiz", data={"q6": "0", "q7": "0", "q8": "0"})
    assert response.status_code == 422 and db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 0


# ---- item statistics ----------------------------------------------------------------------------

def test_facility_and_discrimination():
    # question 1: everyone misses; question 2: only the strong get it right; question 3: only the weak
    attempts = [{1: False, 2: s >= 3, 3: s < 3, 4: s >= 1, 5: s >= 2, 6: s >= 4} for s in range(6)]
    stats = {st.question: st for st in item_stats([1, 2, 3, 4], attempts)}
    assert stats[1].facility == 0 and stats[1].flags[0].startswith("多数人答错")
    assert stats[2].discrimination == 1.0 and stats[2].flags == []
    assert stats[3].discrimination == -1.0 and any("反而答错" in f for f in stats[3].flags)
    few = item_stats([1], attempts[:MIN_ATTEMPTS - 1])[0]
    assert few.facility == 0 and few.flags == []  # too few answers to judge


def test_statistics_page_flags_a_question_everyone_misses_in_the_trainers_county(app, plan, client, auth):
    person, module = _trainee()
    for _ in range(MIN_ATTEMPTS):
        answers = {str(n): [0] for n in range(1, 6)}  # option 0 of question 1 is wrong; of 6 right
        db.session.add(QuizAttempt(trainee_id=person.id, module_id=module.id, answers=answers, score=0, passed=False))
    db.session.commit()
    make_user("tr", "trainer")
    auth.login("tr")
    html = unescape(client.get(f"/training/modules/{BANK_KEY}/statistics").get_data(as_text=True))
    row = re.search(r'<tr data-testid="item-row">\s*<td data-label="题号">1</td>.*?</tr>', html, re.S).group(0)
    assert "0%" in row and "多数人答错" in row
    other = AuthActions(app.test_client())
    make_user("tr-yj", "trainer", unit="yongji-mz")
    other.login("tr-yj")
    html = other.client.get(f"/training/modules/{BANK_KEY}/statistics").get_data(as_text=True)
    assert "多数人答错" not in html  # another county's attempts are not theirs


# ---- feedback -------------------------------------------------------------------------------------

def test_feedback_after_a_training_is_summarised_per_module(app, plan, client, auth):
    person, module = _trainee(auth)
    url = f"/training/modules/{BANK_KEY}/feedback"
    assert auth.post(url, data={"useful": "1", "clear": "2"}).status_code == 404  # not trained yet
    services.mark_completed(make_user("adm", "admin"), person, module, today())
    assert 'data-testid="feedback"' in client.get(f"/training/modules/{BANK_KEY}").get_data(as_text=True)
    auth.post(url, data={"useful": "1", "clear": "3", "missing": "希望多讲案例"})
    auth.post(url, data={"useful": "2", "clear": "3", "missing": "希望多讲真实案例"})  # changed, not added
    rows = list(db.session.scalars(sa.select(TrainingFeedback)))
    assert len(rows) == 1 and rows[0].useful == 2 and rows[0].missing == "希望多讲真实案例"
    refused = auth.post(url, data={"useful": "3", "clear": "1", "missing": "长" * 201})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="feedback-error"' in html and "不能超过 200 字" in html
    assert "长" * 201 in html and re.search(r'value="3"[^>]*checked|checked[^>]*value="3"', html)  # kept as typed
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "feedback")) is not None
    make_user("tr", "trainer")
    trainer = AuthActions(app.test_client())
    trainer.login("tr")
    html = unescape(trainer.client.get(f"/training/modules/{BANK_KEY}/statistics").get_data(as_text=True))
    assert "共 1 人反馈" in html and "一般 1 人" in html and "不清楚 1 人" in html and "希望多讲真实案例" in html
    assert "主任乙" not in html  # without names


@pytest.mark.parametrize("data", [{"useful": "9", "clear": "1"}, {"clear": "1"}])
def test_feedback_without_the_two_answers_is_refused(app, plan, client, auth, data):
    person, module = _trainee(auth)
    services.mark_completed(make_user("adm", "admin"), person, module, today())
    html = auth.post(f"/training/modules/{BANK_KEY}/feedback", data=data, follow_redirects=True).get_data(as_text=True)
    assert "请选择" in html or "Not a valid choice" in html
    assert db.session.scalar(sa.select(sa.func.count(TrainingFeedback.id))) == 0
