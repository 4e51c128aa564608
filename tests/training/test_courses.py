"""课程 and tiers: a course's 结业证书 when every module is completed (one numbering with the modules'),
revoked with any completion it stands on, a term and renewal by recompletion, a person's tier; the
office's course form (city only, audited, a refused form keeps what was typed)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry, Certificate
from portal.training import certificates as certs
from portal.training import courses, hours, services
from portal.training.scope import TrainingError
from tests.conftest import make_user
from tests.training.helpers import ROWS, import_rows, sync_modules, trainee

TODAY = today()
KEYS = ("fangan-yu-zhize", "xinxi-modi-paicha")


def setup():
    sync_modules()
    import_rows(*ROWS)
    return make_user("adm", "admin")


def values(**changes) -> courses.CourseValues:
    base = {"title": "儿童主任上岗培训", "tier": "onboarding", "post": "director",
            "module_ids": tuple(services.get_module(k).id for k in KEYS), "clause_id": "3.2.10",
            "description": "按方案三（二）10组织", "validity_months": None}
    return courses.CourseValues(**{**base, **changes})


def course_certs(person) -> list[Certificate]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Certificate).where(
        Certificate.trainee_id == person.id, Certificate.course_id.is_not(None)).order_by(Certificate.id)))


def test_course_certificate_when_every_module_is_completed(app, plan):
    admin = setup()
    course, issued = courses.save_course(admin, None, None, values(), TODAY)
    assert issued == 0
    person = trainee("13800000002")
    first = services.mark_completed(admin, person, services.get_module(KEYS[0]), TODAY - timedelta(days=3))
    assert course_certs(person) == []  # one module of two
    second = services.mark_completed(admin, person, services.get_module(KEYS[1]), TODAY - timedelta(days=1))
    cert, = course_certs(person)
    module_certs = [db.session.scalar(sa.select(Certificate).where(Certificate.completion_id == c.id))
                    for c in (first, second)]
    assert cert.module_title == "儿童主任上岗培训" and cert.issued_on == TODAY - timedelta(days=1)
    assert cert.serial == max(c.serial for c in module_certs) + 1  # one series with the modules' numbers
    assert cert.hours_tenths == sum(c.hours_tenths for c in module_certs) and cert.expires_on is None
    assert cert.place == "盐湖区北城街道红旗社区" and cert.person_post == "director"
    assert hours.year_total(person.id, TODAY.year) == sum(c.hours_tenths for c in module_certs)  # not counted twice
    assert courses.tier_of(courses.progress_of(person, TODAY)) == "onboarding"
    # another post's course is not theirs
    other = trainee("13800000001")
    services.mark_completed(admin, other, services.get_module(KEYS[0]), TODAY)
    services.mark_completed(admin, other, services.get_module(KEYS[1]), TODAY)
    assert course_certs(other) == [] and courses.tier_of(courses.progress_of(other, TODAY)) is None


def test_a_new_course_certifies_who_completed_its_modules_already(app, plan):
    admin = setup()
    person = trainee("13800000003")
    for key in KEYS:
        services.mark_completed(admin, person, services.get_module(key), TODAY)
    _, issued = courses.save_course(admin, None, None, values(), TODAY)
    assert issued == 1 and len(course_certs(person)) == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "training_course"))
    assert entry.action == "create" and entry.after["tier"] == "上岗" and entry.after["clause_ids"] == ["3.2.10"]


def test_voiding_a_module_completion_revokes_the_course_certificate(app, plan):
    admin = setup()
    courses.save_course(admin, None, None, values(), TODAY)
    person = trainee("13800000002")
    done = [services.mark_completed(admin, person, services.get_module(k), TODAY) for k in KEYS]
    services.void_completion(admin, done[0], "登记错人")
    cert, = course_certs(person)
    assert cert.revoked and "登记错人" in cert.revoke_reason
    assert courses.tier_of(courses.progress_of(person, TODAY)) is None
    services.mark_completed(admin, person, services.get_module(KEYS[0]), TODAY)  # completed again: a new one
    assert [c.revoked for c in course_certs(person)] == [True, False]


def test_an_expired_course_certificate_is_renewed_by_completing_every_module_again(app, plan):
    admin = setup()
    courses.save_course(admin, None, None, values(validity_months=12), TODAY)
    person = trainee("13800000002")
    long_ago = TODAY - timedelta(days=400)
    for key in KEYS:
        services.mark_completed(admin, person, services.get_module(key), long_ago)
    old, = course_certs(person)
    assert old.expires_on == certs.expiry(long_ago, 12) < TODAY
    progress = courses.progress_of(person, TODAY)
    assert courses.tier_of(progress) is None and "须重新完成全部模块" in progress[0].text
    # the modules' own completions still stand (no module term), yet the renewal may record them again
    assert services.current_completion(person.id, services.get_module(KEYS[0]).id) is not None
    assert services.needs_completion(person.id, services.get_module(KEYS[0]).id)
    services.mark_completed(admin, person, services.get_module(KEYS[0]), TODAY)
    assert len(course_certs(person)) == 1  # one module of two redone
    assert not services.needs_completion(person.id, services.get_module(KEYS[0]).id)
    with pytest.raises(TrainingError):
        services.mark_completed(admin, person, services.get_module(KEYS[0]), TODAY)
    services.mark_completed(admin, person, services.get_module(KEYS[1]), TODAY)
    renewed = course_certs(person)[-1]
    assert renewed.id != old.id and renewed.number != old.number and renewed.expires_on == certs.expiry(TODAY, 12)
    assert courses.tier_of(courses.progress_of(person, TODAY)) == "onboarding"


def test_the_tier_is_the_highest_course_held(app, plan):
    admin = setup()
    courses.save_course(admin, None, None, values(module_ids=(services.get_module(KEYS[0]).id,)), TODAY)
    courses.save_course(admin, None, None, values(title="儿童主任初级培训", tier="junior",
                                                  module_ids=(services.get_module(KEYS[1]).id,)), TODAY)
    person = trainee("13800000002")
    services.mark_completed(admin, person, services.get_module(KEYS[1]), TODAY)
    assert courses.tier_of(courses.progress_of(person, TODAY)) == "junior"


def test_course_values_are_checked(app, plan):
    admin = setup()
    courses.save_course(admin, None, None, values(), TODAY)
    for bad, message in ((values(), "已有名为"), (values(title="甲", module_ids=()), "至少包含"),
                         (values(title="乙", clause_id="9.9.9"), "方案条款"), (values(title="丙", tier="x"), "等级")):
        with pytest.raises(TrainingError, match=message):
            courses.save_course(admin, None, None, bad, TODAY)
        db.session.rollback()


# ---- over HTTP ---------------------------------------------------------------------------------

def form_data(**changes) -> dict:
    base = {"title": "儿童督导员上岗培训", "tier": "onboarding", "role": "supervisor", "clause_id": "3.2.10",
            "description": "按方案三（二）10组织", "validity_months": "24", "active": "y",
            "modules": [str(services.get_module(k).id) for k in KEYS]}
    return {**base, **changes}


def test_the_office_creates_and_changes_a_course(app, plan, client, auth):
    setup()
    auth.as_role("admin")
    page = client.get("/training/courses/new").get_data(as_text=True)
    assert "依据的方案条款" in page and "三（二）10" in page
    response = auth.post("/training/courses/new", form_data())
    assert response.status_code == 302
    listing = client.get("/training/courses").get_data(as_text=True)
    assert "儿童督导员上岗培训" in listing and "上岗" in listing and "方案三（二）10" in listing and "24 个月" in listing
    course = courses.all_courses()[0]
    edit = client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    assert 'value="儿童督导员上岗培训"' in edit
    response = auth.post(f"/training/courses/{course.id}", form_data(tier="junior", version=str(course.version)))
    assert response.status_code == 302
    db.session.expire_all()
    assert courses.all_courses()[0].tier == "junior"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "update",
                                                          AuditEntry.object_type == "training_course"))
    assert entry.before == {"tier": "上岗"} and entry.after == {"tier": "初级"}
    stale = auth.post(f"/training/courses/{course.id}", form_data(title="改名", version="1"))
    assert stale.status_code == 409 and "其他人刚刚修改" in stale.get_data(as_text=True)


def test_a_refused_course_form_keeps_what_was_typed(app, plan, client, auth):
    setup()
    auth.as_role("admin")
    response = auth.post("/training/courses/new", form_data(modules=[], description="我写的说明"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "至少包含一个培训模块" in html and "我写的说明" in html
    response = auth.post("/training/courses/new", form_data(validity_months="999", title="我的课程"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "1 到 120 个月" in html and 'value="我的课程"' in html


def test_a_county_trainer_reads_courses_and_cannot_set_them(app, plan, client, auth):
    setup()
    make_user("yh", "trainer", unit="yanhu-mz")
    auth.login("yh")
    assert client.get("/training/courses").status_code == 200
    response = client.get("/training/courses/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/training/courses")
    assert auth.post("/training/courses/new", form_data()).status_code == 403


def test_the_roster_shows_each_persons_tier(app, plan, client, auth):
    admin = setup()
    courses.save_course(admin, None, None, values(module_ids=(services.get_module(KEYS[0]).id,)), TODAY)
    services.mark_completed(admin, trainee("13800000002"), services.get_module(KEYS[0]), TODAY)
    assert courses.tiers_of([trainee("13800000002").id, trainee("13800000003").id], TODAY) == {
        trainee("13800000002").id: "onboarding"}
    auth.as_role("admin")
    html = client.get("/training/roster?county=yanhu").get_data(as_text=True)
    row = html.split("主任乙")[1].split("</tr>")[0]
    assert 'data-testid="roster-tier">上岗<' in row
    assert 'data-testid="roster-tier">未取得<' in html.split("主任丙")[1].split("</tr>")[0]
