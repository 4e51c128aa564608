"""The leadership board's own records: figures units report on a duty (with history)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.users import User


class IndicatorValue(db.Model):
    """One report of a numeric indicator on a duty instance; the latest per name is current,
    earlier rows are the history (nothing is overwritten)."""

    __tablename__ = "indicator_value"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(40))
    value: so.Mapped[int] = so.mapped_column()
    note: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    by: so.Mapped[Optional[User]] = so.relationship()
