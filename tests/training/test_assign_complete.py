"""Assignment (cohort, late joiners, unassign), completion three ways, corrections, scope, audit."""
import re
from datetime import timedelta

import sqlalchemy as sa

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, AuditEntry, Completion, QuizAttempt
from portal.training import services
from tests.conftest import make_user
from tests.training.helpers import ROWS, county, db_area, import_rows, sync_modules, trainee

DUE = today() + timedelta(days=30)


def setup_roster():
    sync_modules()
    import_rows(*ROWS)
    return services.get_module("xinxi-modi-paicha")


def active_assignees(module) -> set[str]:
    db.session.expire_all()
    return {a.trainee.phone for a in db.session.scalars(
        sa.select(Assignment).where(Assignment.module_id == module.id, Assignment.active))}


def test_cohort_of_one_township_and_late_joiners(app, plan, client, auth):
    module = setup_roster()
    make_user("tr", "trainer")
    auth.login("tr")
    township = db_area("北城街道")
    response = auth.post("/training/assign", data={"module": module.key, "role": "director", "county": "yanhu",
                                                  "township": township.id, "due": DUE.isoformat()},
                         follow_redirects=True)
    assert "新安排 2 人" in response.get_data(as_text=True)
    assert active_assignees(module) == {"13800000002", "13800000003"}
    import_rows("主任己,儿童主任,盐湖区,北城街道,学苑社区,13800000006,,",  # joins the cohort later
                "督导庚,儿童督导员,盐湖区,北城街道,,13800000007,,")  # same township, other role
    assert active_assignees(module) == {"13800000002", "13800000003", "13800000006"}
    assert db.session.scalar(sa.select(Assignment.due).where(
        Assignment.trainee_id == trainee("13800000006").id)) == DUE


def test_city_cohort_and_audience_check(app, plan):
    module = setup_roster()
    admin = make_user("adm", "admin")
    assert services.assign_cohort(admin, module, services.Cohort("", None, None), DUE).new == 5
    supervisors_only = next(m for m in services.live_modules() if m.audience == ["director"]) \
        if any(m.audience == ["director"] for m in services.live_modules()) else None
    if supervisors_only is not None:
        try:
            services.assign_cohort(admin, supervisors_only, services.Cohort("supervisor", None, None), DUE)
            raise AssertionError("a director-only module was assigned to supervisors")
        except services.TrainingError as exc:
            assert "不适用于儿童督导员" in str(exc)


def test_unassign_needs_a_reason_and_keeps_the_row(app, plan, client, auth):
    module = setup_roster()
    make_user("tr", "trainer")
    auth.login("tr")
    person = trainee("13800000002")
    services.assign_people(make_user("adm", "admin"), module, [person], DUE)
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == person.id))
    auth.post(f"/training/assignments/{a.id}/unassign", data={"reason": ""})
    assert active_assignees(module) == {"13800000002"}
    auth.post(f"/training/assignments/{a.id}/unassign", data={"reason": "调离岗位"})
    db.session.expire_all()
    a = db.session.get(Assignment, a.id)
    assert not a.active and a.ended_reason == "调离岗位"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "unassign")).after == {"reason": "调离岗位"}


def test_manual_mark_and_correction_keep_history(app, plan, client, auth):
    module = setup_roster()
    make_user("tr", "trainer")
    auth.login("tr")
    person = trainee("13800000002")
    auth.post(f"/training/trainees/{person.id}/complete",
              data={"module": module.key, "completed_on": today().isoformat(), "note": "补登"})
    c = services.current_completion(person.id, module.id)
    assert c is not None and c.how == "manual" and c.recorded_by.username == "tr"
    page = auth.post(f"/training/completions/{c.id}/void", data={"reason": "登记错人"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "已更正：登记错人" in text
    assert services.current_completion(person.id, module.id) is None
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1  # kept, voided
    assert {e.action for e in db.session.scalars(sa.select(AuditEntry))} >= {"complete", "void_completion"}


def test_attendance_sheet_ticks_in_place_with_htmx(app, plan, client, auth):
    module = setup_roster()
    make_user("tr", "trainer")
    auth.login("tr")
    township = db_area("北城街道")
    response = auth.post("/training/sessions", data={
        "module": module.key, "county": "yanhu", "township": township.id, "held_on": today().isoformat(),
        "place": "北城街道会议室", "trainer_name": "王老师"})
    sheet_url = response.headers["Location"]
    page = client.get(sheet_url).get_data(as_text=True)
    assert "主任乙" in page and "督导甲" in page and "主任丁" not in page  # 东城街道 is not on this sheet
    sheet_id = int(sheet_url.rstrip("/").split("/")[-1])
    person = trainee("13800000002")
    row = auth.post(f"/training/sessions/{sheet_id}/people/{person.id}", data={"present": "y"},
                    headers={"HX-Request": "true"})
    html = row.get_data(as_text=True)
    assert row.status_code == 200 and html.lstrip().startswith(f'<tr id="p-{person.id}"') and "checked" in html
    c = services.current_completion(person.id, module.id)
    assert c.how == "attendance" and c.session_id == sheet_id and c.completed_on == today()
    auth.post(f"/training/sessions/{sheet_id}/people/{person.id}", data={}, headers={"HX-Request": "true"})
    assert services.current_completion(person.id, module.id) is None


def test_trainee_fails_then_passes_the_quiz(app, plan, client, auth):
    module = setup_roster()
    assert module.quiz, "the 信息摸底排查 module has a quiz"
    make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    person = trainee("13800000002")
    services.assign_people(make_user("adm", "admin"), module, [person], DUE)
    auth.login("stu")
    page = client.get(f"/training/modules/{module.key}").get_data(as_text=True)
    assert 'name="q1"' in page
    assert services.assignments_of(person)[0][2] == training_rules.IN_PROGRESS  # reading it started it
    wrong = {f"q{q['number']}": [str(i) for i, o in enumerate(q["options"]) if not o["correct"]][:1]
             for q in module.quiz["questions"]}
    text = auth.post(f"/training/modules/{module.key}/quiz", data=wrong, follow_redirects=True).get_data(as_text=True)
    assert "测验未通过" in text
    right = {f"q{q['number']}": [str(i) for i, o in enumerate(q["options"]) if o["correct"]]
             for q in module.quiz["questions"]}
    text = auth.post(f"/training/modules/{module.key}/quiz", data=right, follow_redirects=True).get_data(as_text=True)
    assert "测验通过：得分 100 分" in text and "已完成" in text
    assert [a.passed for a in db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.id))] == [False, True]
    assert services.current_completion(person.id, module.id).how == "quiz"


def test_trainee_sees_only_their_own_training(app, plan, client, auth):
    setup_roster()
    make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    auth.login("stu")
    assert client.get("/").headers["Location"].endswith("/training/my")
    assert "主任乙" in client.get("/training/my").get_data(as_text=True)
    for url in ("/training/roster", f"/training/trainees/{trainee('13800000003').id}", "/tasks/", "/reports/",
                "/training/reports/matrix?county=yanhu", "/api/training"):
        assert client.get(url).status_code in (401, 403), url
    assert client.get("/policy/").status_code == 200 and client.get("/search?q=儿童").status_code == 200


def test_county_trainer_sees_and_manages_only_their_county(app, plan, client, auth):
    module = setup_roster()
    make_user("yh", "trainer", unit="yanhu-mz")
    auth.login("yh")
    roster = client.get("/training/roster").get_data(as_text=True)
    assert "主任乙" in roster and "主任戊" not in roster
    assert "主任戊" not in client.get("/training/roster?county=yongji").get_data(as_text=True)
    other = trainee("13800000005")
    assert client.get(f"/training/trainees/{other.id}").status_code == 404
    assert auth.post(f"/training/trainees/{other.id}/complete",
                     data={"module": module.key, "completed_on": today().isoformat()}).status_code == 404
    assert services.current_completion(other.id, module.id) is None
    assert client.get("/training/reports/matrix?county=yongji").get_data(as_text=True).count("主任戊") == 0
    try:
        services.assign_cohort(db.session.merge(make_user("yh2", "trainer", unit="yanhu-mz")), module,
                               services.Cohort("", county("yongji").id, None), DUE)
        raise AssertionError("county trainer assigned another county")
    except services.NotAllowed:
        db.session.rollback()


def test_phones_masked_except_for_admins_and_own_trainers(app, plan, client, auth):
    setup_roster()
    services.assign_cohort(make_user("adm", "admin"), services.get_module("xinxi-modi-paicha"),
                           services.Cohort("", None, None), today() - timedelta(days=1), backdated=True)
    make_user("ld", "leader")
    auth.login("ld")
    page = client.get("/training/reports/overdue").get_data(as_text=True)
    assert "138****0002" in page and "13800000002" not in page
    client.post("/logout", data={"csrf_token": auth.csrf})
    make_user("yj", "trainer", unit="yongji-mz")
    auth.login("yj")
    page = client.get("/training/reports/overdue").get_data(as_text=True)
    assert "13800000005" in page and "13800000002" not in page  # only their own county is listed


def test_every_post_needs_csrf(app, plan, client, auth):
    setup_roster()
    make_user("tr", "trainer")
    auth.login("tr")
    person = trainee("13800000002")
    response = client.post(f"/training/trainees/{person.id}/active", data={})
    assert response.status_code == 400
    assert re.search("在册", client.get(f"/training/trainees/{person.id}").get_data(as_text=True))


def test_deactivated_trainee_leaves_the_roster_count_but_keeps_history(app, plan, client, auth):
    module = setup_roster()
    admin = make_user("adm", "admin")
    person = trainee("13800000002")
    services.mark_completed(admin, person, module, today())
    from portal.training.figures import coverage

    before = {(c.module_key, c.post): (c.trained, c.on_roster) for c in coverage(county("yanhu"))[0]}
    assert before[(module.key, "director")] == (1, 3)
    make_user("tr", "trainer")
    auth.login("tr")
    auth.post(f"/training/trainees/{person.id}/active", data={})  # unticked box: deactivate
    after = {(c.module_key, c.post): (c.trained, c.on_roster) for c in coverage(county("yanhu"))[0]}
    assert after[(module.key, "director")] == (0, 2)
    assert trainee("13800000002") is not None and not trainee("13800000002").active
    assert services.history_of(trainee("13800000002"))  # the completion stays on record
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "deactivate")) is not None


def test_audit_log_names_training_actions_in_chinese(app, plan, client, auth):
    module = setup_roster()
    services.assign_cohort(make_user("adm", "admin"), module, services.Cohort("", None, None), DUE)
    make_user("aud", "auditor")
    auth.login("aud")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "安排培训" in page and "导入花名册" in page


def test_attendance_sheet_refuses_a_township_of_another_county(app, plan, client, auth):
    from portal.models import SignInSheet

    module = setup_roster()
    make_user("tr2", "trainer")
    auth.login("tr2")
    township = db_area("北城街道")  # in 盐湖区
    response = auth.post("/training/sessions", data={
        "module": module.key, "county": "yongji", "township": township.id, "held_on": today().isoformat(),
        "place": "会议室", "trainer_name": "王老师"})
    assert response.status_code in (200, 422)
    assert "不属于" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SignInSheet.id))) == 0
def test_quiz_retries_wait_after_three_quick_failures(app, plan, client, auth):
    module = setup_roster()
    make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    person = trainee("13800000002")
    auth.login("stu")
    url = f"/training/modules/{module.key}/quiz"
    wrong = {f"q{q['number']}": [str(i) for i, o in enumerate(q["options"]) if not o["correct"]][:1]
             for q in module.quiz["questions"]}
    right = {f"q{q['number']}": [str(i) for i, o in enumerate(q["options"]) if o["correct"]]
             for q in module.quiz["questions"]}
    for _ in range(3):
        assert "测验未通过" in auth.post(url, data=wrong, follow_redirects=True).get_data(as_text=True)
    text = auth.post(url, data=right, follow_redirects=True).get_data(as_text=True)
    assert "3次未通过" in text and "5分钟后再试" in text
    page = client.get(f"/training/modules/{module.key}").get_data(as_text=True)
    # The module page says so before another try, and its submit button is disabled.
    assert 'data-testid="quiz-wait"' in page and 'class="primary" disabled>提交答案' in page
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 3  # the refused try is not recorded
    assert services.current_completion(person.id, module.id) is None
    db.session.execute(sa.update(QuizAttempt).values(at=QuizAttempt.at - timedelta(minutes=6)))  # time passes
    text = auth.post(url, data=right, follow_redirects=True).get_data(as_text=True)
    assert "测验通过：得分 100 分" in text
    assert services.current_completion(person.id, module.id).how == "quiz"
