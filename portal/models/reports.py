"""Monthly 进展报告 (the reports blueprint)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.base import one_of
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
    # Indexed: the board's stamp asks for the newest (portal.board.services.data_stamp); without the
    # index that was a pass over ten years of every unit's reports on every board request.
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    submitted_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    demo: so.Mapped[bool] = so.mapped_column(default=False)
    version: so.Mapped[int] = so.mapped_column(default=1)
    # Corrections: the submitted text may be replaced until the office has read it.
    revision: so.Mapped[int] = so.mapped_column(default=1)
    read_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    read_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))

    unit: so.Mapped[Unit] = so.relationship()
    updated_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[updated_by_id])
    read_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[read_by_id])
    superseded: so.Mapped[list["ReportRevision"]] = so.relationship(
        back_populates="report", order_by="ReportRevision.revision.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class ReportRevision(db.Model):
    """A submitted 进展报告 text that a correction replaced: kept and shown as superseded."""

    __tablename__ = "report_revision"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    report_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("monthly_report.id", ondelete="CASCADE"), index=True)
    revision: so.Mapped[int] = so.mapped_column()
    progress: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    problems: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    next_steps: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    submitted_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    submitted_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    superseded_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    report: so.Mapped[MonthlyReport] = so.relationship(back_populates="superseded")
    submitted_by: so.Mapped[Optional[User]] = so.relationship()
