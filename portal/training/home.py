"""What a trainer's home page shows of the training work: the figures of their scope (the city, or
their county) and the sign-in sheets of trainings still to come."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import SignInSheet, User
from portal.training import figures

COMING_SHOWN = 5


@dataclass
class TrainingHome:
    city: bool  # the whole city (else the trainer's county)
    total: training_rules.Tally
    overdue: int  # people × modules past their due date, as the 逾期名单 counts them
    coming: list[SignInSheet]  # sheets of trainings from today on, soonest first


def training_home(user: User) -> TrainingHome:
    f = figures.figures_for(user)
    scope = f.scope
    stmt = (sa.select(SignInSheet).where(SignInSheet.held_on >= today())
            .order_by(SignInSheet.held_on, SignInSheet.id).limit(COMING_SHOWN)
            .options(so.joinedload(SignInSheet.module), so.joinedload(SignInSheet.county),
                     so.joinedload(SignInSheet.township)))
    if scope is not None:
        stmt = stmt.where(SignInSheet.county_id == scope)
    return TrainingHome(f.city, f.total, f.total.overdue, list(db.session.scalars(stmt)))
