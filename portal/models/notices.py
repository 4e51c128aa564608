"""In-app notices to a unit (reminders and decisions on its duties) or to one person, shown on the home page."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.org import Unit


class Notice(db.Model):
    """An in-app notice for a unit (its liaisons see it) or for one person (user_id): reminders,
    decisions, and every message of the outbox (portal/outbox)."""

    __tablename__ = "notice"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    read_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    # Where the notice leads in the portal (a path such as /tasks/12), shown as a link, never as text.
    link: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))

    unit: so.Mapped[Optional[Unit]] = so.relationship()
