"""Background work a person started and watches: today, a roster import with many new accounts."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.base import one_of
from portal.models.users import User

JOB_STATES = ("queued", "running", "done", "failed")


class ImportJob(db.Model):
    """One import: its checked rows (until finished), how far it got, who may watch it.

    Claimed by one process at a time (`owner`, `heartbeat_at`): a job whose heartbeat stopped (its
    process was restarted or killed) is reported as interrupted and can be resumed from `done`, the
    rows already committed — each batch commits its rows and the new `done` together."""

    __tablename__ = "import_job"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default="roster")
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    filename: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    state: so.Mapped[str] = so.mapped_column(sa.String(12), default="queued")
    total: so.Mapped[int] = so.mapped_column(default=0)  # rows to write
    done: so.Mapped[int] = so.mapped_column(default=0)  # rows written (committed)
    accounts_total: so.Mapped[int] = so.mapped_column(default=0)
    accounts_done: so.Mapped[int] = so.mapped_column(default=0)
    owner: so.Mapped[str] = so.mapped_column(sa.String(80), default="")  # host:pid of the process running it
    heartbeat_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    finished_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    payload: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)  # the checked rows (JSON) until finished
    result: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)  # counts and summary (JSON)
    secrets: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)  # sealed first passwords, until shown
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # why it failed, in Chinese

    created_by: so.Mapped[Optional[User]] = so.relationship()

    __table_args__ = (one_of("state", JOB_STATES),)
