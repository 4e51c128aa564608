"""Building training objects for tests through the real services."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.core.time import today
from portal.extensions import db
from portal.models import Trainee, Unit, User
from portal.training import services
from portal.training.roster import import_roster

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # leading bytes of a JPEG: what the upload check reads
HEADER = "姓名,角色,县（市、区）,乡镇（街道）,村（社区）,手机号,账号,备注\n"


def sync_modules():
    report = services.sync_modules(Path(current_app.config["CONTENT_DIR"]))
    assert report.ok, [str(p) for p in report.problems]
    return report


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def import_rows(*rows: str, user: User | None = None):
    result = import_roster(csv_bytes(*rows), "roster.csv", user, dry_run=False)
    assert result.ok, [str(p) for p in result.problems]
    return result


def trainee(phone: str) -> Trainee:
    db.session.expire_all()
    return db.session.scalar(sa.select(Trainee).where(Trainee.phone == phone))


def county(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def admin_actor() -> User:
    from tests.conftest import make_user

    user = db.session.scalar(sa.select(User).where(User.username == "training-admin"))
    return user or make_user("training-admin", "admin")


def sample_training() -> dict:
    sync_modules()
    import_rows("样例主任,儿童主任,盐湖区,北城街道,红旗社区,13900000001,,")
    actor = admin_actor()
    person = trainee("13900000001")
    module = services.get_module("xinxi-modi-paicha")
    services.assign_people(actor, module, [person], today() + timedelta(days=30))
    done = services.mark_completed(actor, person, services.get_module("fangan-yu-zhize"), today())
    sheet = services.create_sheet(actor, module, county("yanhu"), person.township, today(), "会议室", "讲师")
    from portal.models import Assignment, DutyInstance

    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == person.id,
                                                               Assignment.module_id == module.id))
    services.assign_cohort(actor, module, services.Cohort("director", county("yanhu").id, None),
                           today() + timedelta(days=30))
    from portal.models import CohortRule

    rule = db.session.scalar(sa.select(CohortRule).where(CohortRule.module_id == module.id))
    duty = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == "grassroots-training@yanhu-mz"))
    from portal.models import Certificate
    from portal.training.certificates import token_for

    cert = db.session.scalar(sa.select(Certificate).where(Certificate.completion_id == done.id))
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from portal.training.sheet_photos import add_photo

    photo = add_photo(actor, sheet, FileStorage(BytesIO(JPEG), "签到表.jpg"))
    from portal.training import courses

    course, _ = courses.save_course(actor, None, None, courses.CourseValues(
        "儿童主任上岗培训", "onboarding", "director", (done.module_id,), "3.2.10", "", 24), today())
    return {"course": course, "module_key": module.key, "trainee": person, "completion": done, "assignment": assignment,
            "session": sheet, "photo": photo, "training_duty": duty, "rule": rule, "certificate": cert, "token": token_for(cert)}


def db_area(name: str):
    from portal.models import TrainingPlace

    return db.session.scalar(sa.select(TrainingPlace).where(TrainingPlace.name == name))


# Five people over two counties and three townships: the small roster the training tests share.
ROWS = ("督导甲,儿童督导员,盐湖区,北城街道,,13800000001,,",
        "主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,,",
        "主任丙,儿童主任,盐湖区,北城街道,槐东社区,13800000003,,",
        "主任丁,儿童主任,盐湖区,东城街道,东郭村,13800000004,,",
        "主任戊,儿童主任,永济市,城西街道,西厢村,13800000005,,")
