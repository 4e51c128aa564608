"""Training deadlines: a past 完成时限 is refused, assigning again moves the open due dates (one rule
per group), a group rule can be withdrawn, and an expired rule does not reach people imported later."""
import re
from datetime import timedelta

import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, AuditEntry, CohortRule
from portal.training import services
from portal.training.figures import overdue_count
from tests.conftest import make_user
from tests.training.helpers import ROWS, db_area, import_rows, sync_modules, trainee

MODULE = "xinxi-modi-paicha"


def dues(module_id: int) -> dict[str, object]:
    db.session.expire_all()
    return {a.trainee.name: a.due for a in db.session.scalars(
        sa.select(Assignment).where(Assignment.module_id == module_id, Assignment.active))}


def group_form(due, **extra) -> dict:
    return {"module": MODULE, "role": "director", "county": "yanhu", "due": due.isoformat(), **extra}


def test_a_past_due_date_is_refused_beside_the_form_with_the_typing_kept(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    make_user("tr", "trainer")
    auth.login("tr")
    past = today() - timedelta(days=29)
    response = auth.post("/training/assign", data=group_form(past, township=db_area("北城街道").id))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    refused = page.split('data-testid="form-refused">')[1].split("</p>")[0]
    assert "完成时限不能早于今天" in refused and "立即逾期" in refused
    assert page.index('data-testid="form-refused"') < page.index('name="due"')  # in the form
    assert f'value="{past.year}年{past.month}月{past.day}日"' in page and f'value="{db_area("北城街道").id}" selected' in page
    assert dues(services.get_module(MODULE).id) == {} and overdue_count() == 0
    # one person's page refuses it too
    t = trainee("13800000002")
    own = auth.post(f"/training/trainees/{t.id}/assign", data={"module": MODULE, "due": past.isoformat()})
    page = own.get_data(as_text=True)
    assert own.status_code == 422 and "完成时限不能早于今天" in page.split('data-testid="form-refused">')[1]
    assert f'value="{past.year}年{past.month}月{past.day}日"' in page  # the date typed stays in the box
    assert dues(services.get_module(MODULE).id) == {}


def test_assigning_again_moves_the_open_due_dates_of_the_same_rule(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    module = services.get_module(MODULE)
    make_user("tr", "trainer")
    auth.login("tr")
    first, second = today() + timedelta(days=5), today() + timedelta(days=40)
    page = auth.post("/training/assign", data=group_form(first), follow_redirects=True).get_data(as_text=True)
    assert "新安排 3 人" in page
    services.mark_completed(make_user("adm", "admin"), trainee("13800000002"), module, today())
    page = auth.post("/training/assign", data=group_form(second), follow_redirects=True).get_data(as_text=True)
    assert "新安排 0 人，调整完成时限 2 人" in page
    assert dues(module.id) == {"主任乙": first, "主任丙": second, "主任丁": second}  # the completed one keeps its date
    rules_ = db.session.scalars(sa.select(CohortRule).where(CohortRule.module_id == module.id)).all()
    assert [(r.due, r.active) for r in rules_] == [(second, True)]  # the rule moved, no second rule
    listed = page.split('data-testid="cohort-rules"')[1].split("</table>")[0]
    assert listed.count('data-testid="end-rule"') == 1 and f"{second.year}年{second.month}月{second.day}日" in listed
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "assign")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.before["due"] == first.isoformat() and entry.after["due"] == second.isoformat()
    assert entry.after["redated"] == 2 and "2 人" in entry.before["redated"]
    # one person's page: assigning again with another date changes that person's date, and says so
    t = trainee("13800000003")
    third = second + timedelta(days=7)
    auth.post(f"/training/trainees/{t.id}/assign", data={"module": MODULE, "due": third.isoformat()})
    shown = client.get(f"/training/trainees/{t.id}").get_data(as_text=True)
    assert f"完成时限改为{third.year}年{third.month}月{third.day}日" in shown and dues(module.id)["主任丙"] == third


def test_a_withdrawn_rule_reaches_nobody_later_and_leaves_assignments(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    module = services.get_module(MODULE)
    make_user("tr", "trainer")
    auth.login("tr")
    auth.post("/training/assign", data=group_form(today() + timedelta(days=5)))
    rule = db.session.scalar(sa.select(CohortRule))
    page = client.get("/training/assign").get_data(as_text=True)
    assert "已经安排的人员不受影响" in page
    page = auth.post(f"/training/assign/rules/{rule.id}/end", follow_redirects=True).get_data(as_text=True)
    assert "已撤销" in page and 'data-testid="end-rule"' not in page
    import_rows("主任己,儿童主任,盐湖区,北城街道,学苑社区,13800000006,,")
    assert set(dues(module.id)) == {"主任乙", "主任丙", "主任丁"}  # kept; the newcomer not assigned
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "end_cohort")) is not None


def test_an_expired_rule_does_not_make_new_people_overdue_and_the_import_says_so(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module(MODULE)
    from tests.training.helpers import county

    services.assign_cohort(admin, module, services.Cohort("director", county("yanhu").id, None),
                           today() - timedelta(days=3), backdated=True)  # a rule now expired
    services.assign_cohort(admin, services.get_module("fangan-yu-zhize"),
                           services.Cohort("director", county("yanhu").id, None), today())  # due today
    before = overdue_count()
    make_user("tr", "trainer")
    auth.login("tr")
    from io import BytesIO

    from tests.training.helpers import csv_bytes

    page = auth.post("/training/roster/import", data={"file": (BytesIO(csv_bytes(
        "主任己,儿童主任,盐湖区,北城街道,学苑社区,13800000006,,")), "r.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([0-9a-f]+)"', page).group(1)
    page = auth.post("/training/roster/import/confirm", data={"token": token},
                     follow_redirects=True).get_data(as_text=True)
    assert "1 项人群安排已过完成时限，新加入的人员未自动安排，请在“安排培训”中另定时限" in page
    assert overdue_count() == before  # nobody overdue on day one
    newcomer = trainee("13800000006")
    held = {a.module.key: a.due for a in db.session.scalars(sa.select(Assignment).where(
        Assignment.trainee_id == newcomer.id))}
    assert held == {"fangan-yu-zhize": today()}  # the rule due today still applies
