"""A module completed after its due date reads 「已完成（逾期完成）」 on the trainee's own page and on
the trainer's page for that person; on time it reads 「已完成」 alone."""
from datetime import date, timedelta

from portal.core import training_rules
from portal.core.time import today
from portal.training import services
from tests.conftest import AuthActions, make_user
from tests.training.helpers import import_rows, sync_modules, trainee


def test_late_completion_rule():
    today = date(2026, 11, 30)
    assert training_rules.state_note(training_rules.COMPLETED, today - timedelta(days=1), today) == "逾期完成"
    assert training_rules.state_note(training_rules.COMPLETED, today, today) == ""  # on the due date is on time
    assert training_rules.state_note(training_rules.COMPLETED, None, today) == ""  # nothing was due
    assert training_rules.state_note(training_rules.OVERDUE, today - timedelta(days=1), None) == ""


def test_my_training_says_completed_late(app, plan, client, auth):
    sync_modules()
    make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    person = trainee("13800000002")
    admin = make_user("adm", "admin")
    late, on_time = services.live_modules()[:2]
    services.assign_people(admin, late, [person], today() - timedelta(days=3), backdated=True)
    services.assign_people(admin, on_time, [person], today() + timedelta(days=3))
    for m in (late, on_time):
        services.mark_completed(admin, person, m, today())
    auth.login("stu")
    page = client.get("/training/my").get_data(as_text=True)
    rows = {m.title: page.split(m.title, 1)[1].split("</tr>")[0] for m in (late, on_time)}
    assert "已完成" in rows[late.title] and "（逾期完成）" in rows[late.title]
    assert "已完成" in rows[on_time.title] and "逾期" not in rows[on_time.title]
    trainer = app.test_client()  # a second browser
    AuthActions(trainer).login("adm")
    page = trainer.get(f"/training/trainees/{person.id}").get_data(as_text=True)
    assert "（逾期完成）" in page.split(late.title, 1)[1].split("</tr>")[0]
