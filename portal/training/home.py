"""What a trainer's home page shows of the training work: the figures of their scope (the city, or
their county) and the sign-in sheets of trainings still to come."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import AttendanceSession, User
from portal.training import reports, rules
from portal.training.services import today

COMING_SHOWN = 5


@dataclass
class TrainingHome:
    city: bool  # the whole city (else the trainer's county)
    total: rules.Tally
    overdue: int  # people × modules past their due date, as the 逾期名单 counts them
    coming: list[AttendanceSession]  # sheets of trainings from today on, soonest first


def training_home(user: User) -> TrainingHome:
    f = reports.figures_for(user)
    scope = f.scope
    stmt = (sa.select(AttendanceSession).where(AttendanceSession.held_on >= today())
            .order_by(AttendanceSession.held_on, AttendanceSession.id).limit(COMING_SHOWN)
            .options(so.joinedload(AttendanceSession.module), so.joinedload(AttendanceSession.county),
                     so.joinedload(AttendanceSession.township)))
    if scope is not None:
        stmt = stmt.where(AttendanceSession.county_id == scope)
    return TrainingHome(f.city, f.total, f.total.overdue, list(db.session.scalars(stmt)))
