"""In-app notices to a unit: reminders and decisions on its duties, shown on its home page."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.org import Unit


class Notice(db.Model):
    """An in-app reminder for a unit (due soon / overdue), produced by `flask portal remind`."""

    __tablename__ = "notice"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    read_at: so.Mapped[Optional[datetime]] = so.mapped_column()

    unit: so.Mapped[Unit] = so.relationship()
