"""Training of township 儿童督导员 and village 儿童主任: areas, roster, modules, assignments, completions.

Nothing here is deleted: trainees are deactivated, modules retired, assignments ended with a
reason, completions voided with a reason — the history of who was trained on what stays.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.org import Unit
from portal.models.users import User


class TrainingPlace(db.Model):
    """A township (乡镇/街道) under a county unit, or a village (村/社区) under a township."""

    __tablename__ = "training_area"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    county_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    parent_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_area.id"), index=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(10))  # township | village
    name: so.Mapped[str] = so.mapped_column(sa.String(60))
    # Merged into another spelling of the same place: kept (history names it), no longer offered.
    merged_into_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_area.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    county: so.Mapped[Unit] = so.relationship()
    parent: so.Mapped[Optional["TrainingPlace"]] = so.relationship(remote_side=[id], foreign_keys=[parent_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.Index("ix_training_area_place", "county_id", "level", "name"),)


class Trainee(db.Model):
    __tablename__ = "trainee"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(40))
    post: so.Mapped[str] = so.mapped_column(sa.String(12), index=True)  # supervisor | director
    county_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    township_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_area.id"), index=True)
    village_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_area.id"), index=True)
    phone: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    note: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    active: so.Mapped[bool] = so.mapped_column(default=True)
    demo: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    county: so.Mapped[Unit] = so.relationship()
    township: so.Mapped[TrainingPlace] = so.relationship(foreign_keys=[township_id])
    village: so.Mapped[Optional[TrainingPlace]] = so.relationship(foreign_keys=[village_id])
    user: so.Mapped[Optional[User]] = so.relationship()

    __mapper_args__ = {"version_id_col": version}
    # A county's people in the matrix's and the roster's order, read from the index alone (a page of
    # them is sorted without reading the rows).
    __table_args__ = (sa.Index("ix_trainee_place", "county_id", "active", "township_id", "post", "village_id", "name"),)


class TrainingModule(db.Model):
    """One file of content/training/, loaded by the sync; a module dropped from the files is retired."""

    __tablename__ = "training_module"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    audience: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    summary: so.Mapped[str] = so.mapped_column(sa.String(400), default="")
    duration_minutes: so.Mapped[int] = so.mapped_column(default=0)
    clause_ids: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    references: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)  # [[doc_id or null, clause_id], ...]
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    quiz: so.Mapped[Optional[dict]] = so.mapped_column(sa.JSON)
    retired: so.Mapped[bool] = so.mapped_column(default=False)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class CohortRule(db.Model):
    """'Every 儿童主任 of township X', 'every 儿童督导员 of the city'...: late joiners are assigned too."""

    __tablename__ = "training_cohort"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_module.id"), index=True)
    post: so.Mapped[str] = so.mapped_column(sa.String(12), default="")  # "" = both posts
    county_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("unit.id"))  # None = the city
    township_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_area.id"))
    due: so.Mapped[date] = so.mapped_column(sa.Date)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    ended_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    module: so.Mapped[TrainingModule] = so.relationship()
    county: so.Mapped[Optional[Unit]] = so.relationship()
    township: so.Mapped[Optional[TrainingPlace]] = so.relationship()


class Assignment(db.Model):
    """One module for one trainee; ended (never deleted) when unassigned, reopened when assigned again."""

    __tablename__ = "training_assignment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_module.id"), index=True)
    trainee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainee.id"), index=True)
    # The trainee's county, copied (`training.tally` keeps it in step when a trainee moves): a county's
    # overdue list walks its own assignments by due date without reading the other counties'.
    county_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))
    cohort_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_cohort.id"), index=True)
    due: so.Mapped[date] = so.mapped_column(sa.Date)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    assigned_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    assigned_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    started_at: so.Mapped[Optional[datetime]] = so.mapped_column()  # the trainee first opened it
    ended_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    ended_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    ended_at: so.Mapped[Optional[datetime]] = so.mapped_column()

    module: so.Mapped[TrainingModule] = so.relationship()
    trainee: so.Mapped[Trainee] = so.relationship()

    # The pair is unique (and finds a module's assignments); the overdue list walks them by due date,
    # the city's and each county's.
    __table_args__ = (sa.UniqueConstraint("module_id", "trainee_id", name="uq_training_assignment_pair"),
                      sa.Index("ix_training_assignment_due", "due", "id"),
                      sa.Index("ix_training_assignment_county_due", "county_id", "due", "id"))


class SignInSheet(db.Model):
    """A training session held on a day at a place: its sheet ticks who attended."""

    __tablename__ = "training_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_module.id"), index=True)
    county_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    township_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_area.id"))
    held_on: so.Mapped[date] = so.mapped_column(sa.Date)
    place: so.Mapped[str] = so.mapped_column(sa.String(120))
    trainer_name: so.Mapped[str] = so.mapped_column(sa.String(60))
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    module: so.Mapped[TrainingModule] = so.relationship()
    county: so.Mapped[Unit] = so.relationship()
    township: so.Mapped[Optional[TrainingPlace]] = so.relationship()


class Completion(db.Model):
    """A record that a trainee completed a module: how, who recorded it, when. Voided, never deleted."""

    __tablename__ = "training_completion"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trainee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainee.id"), index=True)
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_module.id"), index=True)
    how: so.Mapped[str] = so.mapped_column(sa.String(12))  # attendance | quiz | manual
    session_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_session.id"), index=True)
    score: so.Mapped[Optional[int]] = so.mapped_column()
    completed_on: so.Mapped[date] = so.mapped_column(sa.Date)
    note: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    recorded_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    voided: so.Mapped[bool] = so.mapped_column(default=False)  # indexed with the pair below
    void_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    voided_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    voided_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    # a true record of training on a text since changed: the module was assigned again (a new edition of
    # a law it cites, portal.training.retrain); it no longer counts as done, and stays in the history
    superseded_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    superseded_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    trainee: so.Mapped[Trainee] = so.relationship()
    module: so.Mapped[TrainingModule] = so.relationship()
    session: so.Mapped[Optional[SignInSheet]] = so.relationship()
    recorded_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[recorded_by_id])
    voided_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[voided_by_id])

    __table_args__ = (sa.Index("ix_training_completion_pair", "trainee_id", "module_id", "voided"),)


class QuizAttempt(db.Model):
    __tablename__ = "training_quiz_attempt"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trainee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainee.id"), index=True)
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_module.id"), index=True)
    answers: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    score: so.Mapped[int] = so.mapped_column(default=0)
    passed: so.Mapped[bool] = so.mapped_column(default=False)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class TrainingTally(db.Model):
    """The training figures in summary: the pairs `training.reports.counted` counts (an active
    assignment of an active trainee), per county, post, module and due date, and how many of them are
    completed. Kept by `portal.training.tally` in the same transaction as every change of an assignment,
    a completion or a trainee, so the roll-ups, the board's headline and every total read a few hundred
    rows whatever the size of the roster; overdue = assigned − completed where due < today. Retired
    modules keep their rows (the readers leave them out, as `counted` does)."""

    __tablename__ = "training_tally"

    county_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), primary_key=True)
    post: so.Mapped[str] = so.mapped_column(sa.String(12), primary_key=True)
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_module.id"), primary_key=True)
    due: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    assigned: so.Mapped[int] = so.mapped_column(default=0)
    completed: so.Mapped[int] = so.mapped_column(default=0)
    started: so.Mapped[int] = so.mapped_column(default=0)  # opened by the trainee, not completed
