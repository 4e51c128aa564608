"""Parallel trainers: racing cohort assignments never answer 500 or assign twice; ticking or marking
the same person at the same moment records one completion.

Each worker is its own signed-in browser session (a test client in its own thread, so its own
database session and connection); a barrier releases them together. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, AuditEntry, Completion
from portal.training import services, tally
from tests.factories import gen_session, gen_user, in_parallel
from tests.training.helpers import ROWS, db_area, import_rows, sync_modules, trainee

pytestmark = pytest.mark.fresh_db  # several connections at once: real commits

DUE = today() + timedelta(days=30)
MODULE = "xinxi-modi-paicha"


def trainers(app, n: int) -> list:
    return [gen_session(app, gen_user(f"tr{i}", "trainer")) for i in range(n)]


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(model.id)).where(*where))


def setup_roster():
    sync_modules()
    import_rows(*ROWS)
    module = services.get_module(MODULE)
    db.session.remove()  # the workers' commits must be visible to this session afterwards
    return module


def test_racing_cohort_assignments_assign_each_person_once(app, plan):
    module = setup_roster()
    workers = trainers(app, 4)
    township = db_area("北城街道")
    forms = [{"module": MODULE, "role": "director", "county": "yanhu", "due": DUE.isoformat()},
             {"module": MODULE, "role": "director", "county": "yanhu", "township": township.id,
              "due": DUE.isoformat()},
             {"module": MODULE, "role": "", "county": "yanhu", "due": DUE.isoformat()},
             {"module": MODULE, "role": "director", "county": "yanhu", "due": DUE.isoformat()}]
    results = in_parallel([(lambda a=a, f=f: a.post("/training/assign", data=f, follow_redirects=True))
                           for a, f in zip(workers, forms, strict=True)])
    assert [r.status_code for r in results] == [200] * len(forms)  # no 500
    assert all("已将“" in r.get_data(as_text=True) for r in results)
    # 盐湖区 has 4 people (1 supervisor, 3 directors): each holds exactly one assignment.
    assert count(Assignment, Assignment.module_id == module.id) == 4
    new = sum(int(r.get_data(as_text=True).split("新安排 ")[1].split(" 人")[0]) for r in results)
    assert new == 4  # the counts add up: nobody reported as newly assigned twice
    assert tally.drift() == []  # and the figures' summary counted each of them once


def test_two_trainers_ticking_one_person_record_one_completion(app, plan):
    module = setup_roster()
    first, *others = trainers(app, 4)
    response = first.post("/training/sessions", data={
        "module": MODULE, "county": "yanhu", "township": db_area("北城街道").id,
        "held_on": today().isoformat(), "place": "北城街道会议室", "trainer_name": "王老师"})
    sheet_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    person = trainee("13800000002")
    url = f"/training/sessions/{sheet_id}/people/{person.id}"
    results = in_parallel([(lambda a=a: a.post(url, data={"present": "y"}, headers={"HX-Request": "true"}))
                           for a in [first, *others]])
    assert [r.status_code for r in results] == [200] * 4
    assert all("checked" in r.get_data(as_text=True) for r in results)  # each sees the person ticked
    assert count(Completion, Completion.trainee_id == person.id, Completion.module_id == module.id) == 1
    assert count(AuditEntry, AuditEntry.action == "complete") == 1
    assert tally.drift() == []


def test_two_trainers_marking_one_person_record_one_completion(app, plan):
    module = setup_roster()
    workers = trainers(app, 4)
    person = trainee("13800000003")
    form = {"module": MODULE, "completed_on": today().isoformat(), "note": "补登"}
    results = in_parallel([(lambda a=a: a.post(f"/training/trainees/{person.id}/complete", data=form,
                                               follow_redirects=True)) for a in workers])
    # One is recorded; the others are told beside the form that it is already done (422, nothing lost).
    assert sorted(r.status_code for r in results) == [200, 422, 422, 422]
    texts = [r.get_data(as_text=True) for r in results]
    assert sum("已登记完成。" in t for t in texts) == 1
    assert sum("无需重复登记" in t and 'value="补登"' in t for t in texts) == 3
    assert count(Completion, Completion.trainee_id == person.id, Completion.module_id == module.id) == 1
    assert tally.drift() == []


def test_double_submitted_passing_quiz_records_one_completion(app, plan):
    module = setup_roster()
    student = gen_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    db.session.remove()
    person = trainee("13800000002")
    tabs = [gen_session(app, db.session.merge(student)) for _ in range(3)]  # the same trainee in three tabs
    right = {f"q{q['number']}": [str(i) for i, o in enumerate(q["options"]) if o["correct"]]
             for q in module.quiz["questions"]}
    url = f"/training/modules/{MODULE}/quiz"
    results = in_parallel([(lambda a=a: a.post(url, data=right)) for a in tabs])
    assert [r.status_code for r in results] == [302] * 3
    assert count(Completion, Completion.trainee_id == person.id, Completion.module_id == module.id) == 1
    assert tally.drift() == []
