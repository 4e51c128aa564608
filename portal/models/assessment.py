"""The office's 考核 and 督办 settings (weights, bands, the 批示 follow-up days, the 长期 check-in): one row."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db


class AssessmentSettings(db.Model):
    """The office's 考核 weights, bands and thresholds (one row; defaults until someone saves)."""

    __tablename__ = "assessment_settings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    w_on_time: so.Mapped[int] = so.mapped_column(default=30)
    w_overdue: so.Mapped[int] = so.mapped_column(default=25)
    w_returns: so.Mapped[int] = so.mapped_column(default=15)
    w_reports: so.Mapped[int] = so.mapped_column(default=15)
    w_training: so.Mapped[int] = so.mapped_column(default=15)
    w_signoff: so.Mapped[int] = so.mapped_column(default=0)  # 签收 speed: no data until 签收 exists
    overdue_cap_days: so.Mapped[int] = so.mapped_column(default=30)
    green_min: so.Mapped[int] = so.mapped_column(default=85)
    yellow_min: so.Mapped[int] = so.mapped_column(default=70)
    instruction_days: so.Mapped[int] = so.mapped_column(default=7)  # a 批示 not acted on within N days
    # 长期 duties report progress once per this period ("" = no check-in asked): monthly|quarterly|yearly
    checkin_period: so.Mapped[str] = so.mapped_column(sa.String(10), default="")
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
