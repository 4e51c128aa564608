"""结业证书 and the office's training 工作安排 (学时 rules, yearly target, certificate terms).

A certificate is issued for every standing completion and never deleted or renumbered: voiding the
completion revokes it (the record stays, with who, when and why). What it prints (name, place, post,
module, 学时, issuing body, term) is frozen at issue, as the paper is: later edits of the roster or of
the rules change later certificates only.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.training import Completion, Trainee, TrainingModule
from portal.models.training_courses import TrainingCourse
from portal.models.users import User


class TrainingArrangement(db.Model):
    """The office's own rules for training records (one row): shown as its 工作安排, not the 方案's text.

    学时 are kept in tenths (0.5 学时 = 5) so sums stay exact."""

    __tablename__ = "training_arrangement"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    issuer: so.Mapped[str] = so.mapped_column(sa.String(60), default="")  # "" = the city's 民政局 (unit register)
    number_prefix: so.Mapped[str] = so.mapped_column(sa.String(12), default="运儿培")
    minutes_per_hour: so.Mapped[int] = so.mapped_column(default=30)  # this many minutes of a module = 1 学时
    quiz_tenths: so.Mapped[int] = so.mapped_column(default=5)  # a passed test adds this
    attendance_tenths: so.Mapped[int] = so.mapped_column(default=0)  # attending a session adds this
    yearly_target_tenths: so.Mapped[Optional[int]] = so.mapped_column()  # None = no target set
    validity_months: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)  # module key -> months
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Certificate(db.Model):
    """One 结业证书: number 〔year〕serial, a random check code for the public verification link.

    A module's (`completion_id`, `module_id`) or a course's (`course_id`, and the completions it was
    issued on in `completion_ids`: voiding any of them revokes it). Numbers are one series for both;
    a course certificate prints the sum of its modules' 学时 and adds none to the 学时 ledger."""

    __tablename__ = "training_certificate"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    completion_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_completion.id"), unique=True)
    trainee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainee.id"), index=True)
    module_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_module.id"), index=True)
    course_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("training_course.id"), index=True)
    completion_ids: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)  # a course's: what it stands on
    county_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    year: so.Mapped[int] = so.mapped_column()
    serial: so.Mapped[int] = so.mapped_column()
    number: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    check_code: so.Mapped[str] = so.mapped_column(sa.String(8))
    issued_on: so.Mapped[date] = so.mapped_column(sa.Date)  # the completion's date
    expires_on: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)  # None = no term
    hours_tenths: so.Mapped[int] = so.mapped_column(default=0)
    person_name: so.Mapped[str] = so.mapped_column(sa.String(40))
    person_post: so.Mapped[str] = so.mapped_column(sa.String(12))
    place: so.Mapped[str] = so.mapped_column(sa.String(200))
    module_title: so.Mapped[str] = so.mapped_column(sa.String(120))
    issuer: so.Mapped[str] = so.mapped_column(sa.String(60))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    revoked: so.Mapped[bool] = so.mapped_column(default=False)
    revoke_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    revoked_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    revoked_at: so.Mapped[Optional[datetime]] = so.mapped_column()

    # `Completion.certificate` too, so a person's history loads its certificates in the same statement.
    completion: so.Mapped[Optional[Completion]] = so.relationship(backref=so.backref("certificate", uselist=False))
    trainee: so.Mapped[Trainee] = so.relationship()
    module: so.Mapped[Optional[TrainingModule]] = so.relationship()
    course: so.Mapped[Optional[TrainingCourse]] = so.relationship()
    revoked_by: so.Mapped[Optional[User]] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("year", "serial", name="uq_training_certificate_serial"),
                      sa.Index("ix_training_certificate_ledger", "year", "trainee_id", "revoked"))
