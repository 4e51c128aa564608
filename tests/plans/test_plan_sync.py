"""`flask portal sync` loads plan one from content/ and never retires what the office published for
another plan."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from portal.core.plan import PLAN_ID, PLAN_NUMBER
from portal.duties.sync import seed_plan, sync_duties
from portal.extensions import db
from portal.models import Duty, DutyInstance, Plan
from portal.plans import publish
from tests.plans.helpers import ready_plan


def test_sync_puts_every_duty_of_the_file_in_plan_one(plan):
    one = seed_plan()
    assert (one.number, one.doc_id, one.state) == (PLAN_NUMBER, PLAN_ID, "published")
    plan_ids = set(db.session.scalars(sa.select(Duty.plan_id)))
    assert plan_ids == {one.id} and len(plan.created) > 50


def test_sync_never_retires_another_plan_s_duties(app, plan):
    other = ready_plan()
    assert publish.publish(other, actor=None) == []
    keys = set(db.session.scalars(sa.select(Duty.key).where(Duty.plan_id == other.id)))
    assert len(keys) == 2
    report = sync_duties(Path(app.config["CONTENT_DIR"]))
    assert report.ok and report.retired == []
    db.session.expire_all()
    live = db.session.scalars(sa.select(Duty).where(Duty.plan_id == other.id, ~Duty.archived)).all()
    assert {d.key for d in live} == keys
    instances = db.session.scalars(sa.select(DutyInstance).join(Duty).where(Duty.plan_id == other.id)).all()
    assert len(instances) == 1 + 13 and not any(i.archived for i in instances)
    assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 2
