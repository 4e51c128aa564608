"""课程: a set of training modules the office groups for one audience at one tier (上岗, 初级, 中级),
with its own term for the course's 结业证书. The office's 工作安排, not the 方案's text: its description
cites the 方案 clause the training serves. Never deleted: a course no longer offered is set aside
(its certificates stay)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db


class TrainingCourse(db.Model):
    __tablename__ = "training_course"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    tier: so.Mapped[str] = so.mapped_column(sa.String(12))  # onboarding | junior | intermediate
    post: so.Mapped[str] = so.mapped_column(sa.String(12))  # supervisor | director: who it is for
    module_ids: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)  # in the order shown
    clause_id: so.Mapped[str] = so.mapped_column(sa.String(20))  # the 方案 clause its description cites
    description: so.Mapped[str] = so.mapped_column(sa.String(400), default="")
    validity_months: so.Mapped[Optional[int]] = so.mapped_column()  # the course certificate's term; None = none
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
