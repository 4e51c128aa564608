"""Monthly 进展报告 (the reports blueprint)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models.base import one_of, utcnow
from portal.models.org import Unit
from portal.models.users import User


DRAFT, SUBMITTED = "draft", "submitted"
STATUSES = (DRAFT, SUBMITTED)


class MonthlyReport(db.Model):
    """A unit's 进展报告 for one month: draft, then submitted."""

    __tablename__ = "monthly_report"
    __table_args__ = (sa.UniqueConstraint("unit_id", "month"), one_of("status", STATUSES))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    month: so.Mapped[str] = so.mapped_column(sa.String(7))  # 2026-11
    progress: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # 进展情况
    problems: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # 存在问题
    next_steps: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # 下步打算
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="draft")  # draft|submitted
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    submitted_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    demo: so.Mapped[bool] = so.mapped_column(default=False)
    version: so.Mapped[int] = so.mapped_column(default=1)

    unit: so.Mapped[Unit] = so.relationship()
    updated_by: so.Mapped[Optional[User]] = so.relationship()

    __mapper_args__ = {"version_id_col": version}
