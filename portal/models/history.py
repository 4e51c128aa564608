"""What the board showed, day by day (duty snapshots), and the office's 考核 settings.

A snapshot row is one duty instance on one day: its state, light and figures as the board judged
them that day. One row per instance per day (not change-only): a day's picture is then a plain
`WHERE day = ?` on the primary key's prefix, the same cost after five years as after five days,
and a missed or repeated run touches only its own day. At ~300 instances that is ~110,000 rows a
year of a few tens of bytes each (bench/snapshot.py prints the measured size).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.duties import rules
from portal.extensions import db
from portal.models.base import one_of, utcnow


class DutySnapshot(db.Model):
    __tablename__ = "duty_snapshot"
    __table_args__ = (
        one_of("state", rules.STATE_LABELS), one_of("light", rules.LIGHT_LABELS),
        # A unit's or a county's trend reads its own rows on the sampled days.
        sa.Index("ix_duty_snapshot_unit_day", "unit_id", "day"),
    )

    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))
    state: so.Mapped[str] = so.mapped_column(sa.String(12))
    light: so.Mapped[str] = so.mapped_column(sa.String(6))
    progress: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    deadline: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    overdue_days: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=0)


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
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
