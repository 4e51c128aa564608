"""A clearly labelled demo roster (演示) so `make run` shows the training module alive.

Everything goes through the normal services, done by a demo account that cannot log in; the
demo people carry `demo=True` and phones in the unused 199 0000 range. `remove_training_demo`
takes exactly that away again (the only place training rows are ever deleted).
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.audit.services import record
from portal.core.roles import ADMIN
from portal.core.time import today
from portal.extensions import db
from portal.models import (
    Assignment,
    Certificate,
    CohortRule,
    Completion,
    QuizAttempt,
    SignInSheet,
    Trainee,
    TrainingPlace,
    Unit,
    User,
)
from portal.training import services, tally
from portal.training.roster import import_roster

DEMO_ACTOR = "demo-training"
DEMO_COUNTY = "yanhu"
# Its accounts (trainer-yanhu, trainee) are demo accounts like the others: portal/demo.py.
ROSTER = """姓名,角色,县（市、区）,乡镇（街道）,村（社区）,手机号,账号,备注
陈建国（演示）,儿童督导员,盐湖区,北城街道,,19900000001,,演示数据
刘红（演示）,儿童主任,盐湖区,北城街道,红旗社区,19900000002,trainee,演示数据
王丽（演示）,儿童主任,盐湖区,北城街道,槐东社区,19900000003,,演示数据
张伟（演示）,儿童主任,盐湖区,北城街道,学苑社区,19900000004,,演示数据
赵敏（演示）,儿童督导员,盐湖区,东城街道,,19900000005,,演示数据
孙强（演示）,儿童主任,盐湖区,东城街道,东郭村,19900000006,,演示数据
周芳（演示）,儿童主任,盐湖区,东城街道,西关社区,19900000007,,演示数据
"""


def _actor() -> User:
    user = db.session.scalar(sa.select(User).where(User.username == DEMO_ACTOR))
    if user is None:
        user = User(username=DEMO_ACTOR, display_name="演示数据（培训）", active=False, password_hash="!")
        user.set_roles([ADMIN])
        db.session.add(user)
        db.session.commit()
    return user


def load_training_demo() -> list[str]:
    lines: list[str] = []
    if db.session.scalar(sa.select(sa.func.count(Trainee.id)).where(Trainee.demo)):
        return lines + ["demo roster already present (flask portal training-demo --remove to clear it)"]
    modules = services.live_modules()
    if not modules:
        return lines + ["nothing to do: load the training modules first (flask portal sync)"]
    actor = _actor()
    result = import_roster(ROSTER.encode("utf-8"), "demo.csv", actor, dry_run=False)
    if not result.ok:
        return lines + [str(p) for p in result.problems]
    db.session.execute(sa.update(Trainee).where(Trainee.phone.like("1990000%")).values(demo=True))
    db.session.commit()
    county = db.session.scalar(sa.select(Unit).where(Unit.code == DEMO_COUNTY))
    on = today()
    target = next((m for m in modules if m.key == "xinxi-modi-paicha"), None) or \
        next((m for m in modules if "director" in m.audience), modules[0])
    services.assign_cohort(actor, target, services.Cohort("director", county.id, None), on + timedelta(days=30))
    first = next((m for m in modules if "supervisor" in m.audience and m.id != target.id), modules[0])
    services.assign_cohort(actor, first, services.Cohort("", county.id, None), on - timedelta(days=3), backdated=True)
    township = db.session.scalar(sa.select(TrainingPlace).where(TrainingPlace.county_id == county.id,
                                                               TrainingPlace.name == "北城街道"))
    sheet = services.create_sheet(actor, target, county, township, on - timedelta(days=1), "北城街道便民服务中心",
                                    "钱培训（演示）")
    for person in services.sheet_people(sheet)[:2]:
        services.set_attendance(actor, sheet, person, True)
    lines.append(f"roster: {result.summary()}")
    lines.append(f"assigned “{target.title}” to 盐湖区儿童主任 and “{first.title}” to all of 盐湖区; one attendance sheet")
    return lines


def remove_training_demo() -> list[str]:
    ids = list(db.session.scalars(sa.select(Trainee.id).where(Trainee.demo)))
    actor = db.session.scalar(sa.select(User).where(User.username == DEMO_ACTOR))
    if not ids and actor is None:
        return ["no demo roster"]
    if ids:
        with tally.keeping(trainee_ids=ids):
            for model in (Certificate, Completion, QuizAttempt, Assignment):  # certificates name completions
                db.session.execute(sa.delete(model).where(model.trainee_id.in_(ids)))
            db.session.execute(sa.delete(Trainee).where(Trainee.id.in_(ids)))
    if actor is not None:
        db.session.execute(sa.delete(SignInSheet).where(SignInSheet.created_by_id == actor.id))
        db.session.execute(sa.delete(CohortRule).where(CohortRule.created_by_id == actor.id))
    used = {a for a in db.session.scalars(sa.select(Trainee.township_id))} | \
        {a for a in db.session.scalars(sa.select(Trainee.village_id)) if a}
    county = db.session.scalar(sa.select(Unit).where(Unit.code == DEMO_COUNTY))
    for area in db.session.scalars(sa.select(TrainingPlace).where(TrainingPlace.county_id == county.id)
                                   .order_by(TrainingPlace.level.desc())):
        if area.id not in used and area.name in ROSTER:
            db.session.delete(area)
            db.session.flush()
    record("remove_demo", "trainee", "", label=f"培训演示数据：{len(ids)} 人", actor_name=DEMO_ACTOR)
    db.session.commit()
    return [f"removed {len(ids)} demo trainees and their records"]
