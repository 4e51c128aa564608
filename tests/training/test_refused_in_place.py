"""A refused training action is drawn beside the form that caused it, what was typed kept (at 422, as the
duty page does), never a flash after a redirect; NotAllowed is still a 403."""
import re
from datetime import timedelta

import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, Completion, SignInSheet
from portal.training import services
from tests.conftest import make_user
from tests.training.helpers import ROWS, db_area, import_rows, sync_modules, trainee

DUE = today() + timedelta(days=30)


def _setup(auth):
    sync_modules()
    import_rows(*ROWS)
    make_user("tr", "trainer")
    auth.login("tr")
    return services.get_module("xinxi-modi-paicha"), trainee("13800000002")


def _refused(html: str) -> list[str]:
    return re.findall(r'data-testid="form-refused">([^<]*)<', html)


def _form(html: str, action: str) -> str:
    """The HTML of the form posting to `action`."""
    start = html.index(f'action="{action}"')
    return html[start:html.index("</form>", start)]


def test_a_refused_completion_date_is_shown_beside_the_form_with_the_note_kept(app, plan, client, auth):
    module, person = _setup(auth)
    url = f"/training/trainees/{person.id}/complete"
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = auth.post(url, data={"module": module.key, "completed_on": tomorrow, "note": "补登：线下集中培训"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _refused(html) == ["完成日期不能晚于今天。"]
    form = _form(html, url)
    assert "完成日期不能晚于今天。" in form  # beside that form, not at the top of the page
    assert 'value="补登：线下集中培训"' in form and f'value="{tomorrow}"' in form
    assert f'selected value="{module.key}"' in form  # the module chosen stays chosen
    assert '<p class="flash' not in html  # no flash message: the reason is beside the form
    assert services.current_completion(person.id, module.id) is None


def test_a_refused_assignment_keeps_its_date_and_module(app, plan, client, auth):
    module, person = _setup(auth)
    url = f"/training/trainees/{person.id}/assign"
    response = auth.post(url, data={"module": module.key, "due": "2026年13月1日"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    form = _form(html, url)
    assert 'data-testid="form-refused"' in form and 'value="2026年13月1日"' in form
    assert f'selected value="{module.key}"' in form


def test_a_refused_reason_stays_in_its_row_and_a_vanished_row_says_why_at_the_top(app, plan, client, auth):
    module, person = _setup(auth)
    services.assign_people(make_user("adm", "admin"), module, [person], DUE)
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == person.id))
    url = f"/training/assignments/{a.id}/unassign"
    long_reason = "调离" * 200
    response = auth.post(url, data={"reason": long_reason})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and a.active
    form = _form(html, url)
    assert "理由" in _refused(form)[0] and f'value="{long_reason}"' in form  # whole, not cut
    assert '<details open><summary>取消安排' in html

    auth.post(f"/training/trainees/{person.id}/complete",
              data={"module": module.key, "completed_on": today().isoformat(), "note": ""})
    c = db.session.scalar(sa.select(Completion).where(Completion.trainee_id == person.id))
    void = f"/training/completions/{c.id}/void"
    assert auth.post(void, data={"reason": "登记错人"}).status_code == 302
    again = auth.post(void, data={"reason": "再次更正"})  # the row is voided: its form is gone
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and _refused(html) == ["该记录已更正。"]


def test_a_refused_sheet_and_tick_are_drawn_in_place_with_and_without_htmx(app, plan, client, auth):
    module, person = _setup(auth)
    township = db_area("北城街道")
    data = {"module": module.key, "county": "yanhu", "township": township.id,
            "held_on": (today() + timedelta(days=3)).isoformat(), "place": "北城街道会议室", "trainer_name": ""}
    response = auth.post("/training/sessions", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写授课人" in _form(html, "/training/sessions")
    assert 'value="北城街道会议室"' in html
    data["trainer_name"] = "王老师"
    sheet_url = auth.post("/training/sessions", data=data).headers["Location"]
    sheet = db.session.scalar(sa.select(SignInSheet))
    tick = f"/training/sessions/{sheet.id}/people/{person.id}"
    plain = auth.post(tick, data={"present": "y"})  # before the training day: refused
    html = plain.get_data(as_text=True)
    assert plain.status_code == 422 and "当天起才能勾选到场" in html[html.index(f'<tr id="p-{person.id}"'):]
    fragment = auth.post(tick, data={"present": "y"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "当天起才能勾选到场" in fragment.get_data(as_text=True)
    assert sheet_url and services.current_completion(person.id, module.id) is None


def test_a_refused_place_rename_keeps_the_name_typed(app, plan, client, auth):
    _setup(auth)
    north, east = db_area("北城街道"), db_area("东城街道")
    url = f"/training/areas/{north.id}/rename"
    response = auth.post(url, data={"name": east.name})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    form = _form(html, url)
    assert "已有“东城街道”" in _refused(form)[0] and f'value="{east.name}"' in form


def test_a_refused_group_assignment_keeps_what_was_typed(app, plan, client, auth):
    module, _person = _setup(auth)
    response = auth.post("/training/assign", data={"module": module.key, "role": "", "county": "yanhu",
                                                   "township": "", "due": "明年"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="明年"' in html and _refused(html)


def test_a_deactivated_trainee_may_not_take_the_quiz(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    module = services.get_module("xinxi-modi-paicha")
    make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    person = trainee("13800000002")
    services.assign_people(make_user("adm", "admin"), module, [person], DUE)
    person.active = False
    db.session.commit()
    auth.login("stu")
    right = {f"q{q['number']}": [str(i) for i, o in enumerate(q["options"]) if o["correct"]]
             for q in module.quiz["questions"]}
    assert auth.post(f"/training/modules/{module.key}/quiz", data=right).status_code == 403
    assert services.current_completion(person.id, module.id) is None
