"""Village sign-in: the numbers printed on a session's sheet and the photographs of the signed sheet.

A sheet's numbers are given once and kept: the paper that was signed says 「3」, so 3 must still mean
the same person when the trainer types the numbers in a week later, even if the roster changed.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.training import SignInSheet, Trainee


class SheetSeat(db.Model):
    """Person number N on a session's sign-in sheet."""

    __tablename__ = "training_sheet_seat"
    __table_args__ = (sa.UniqueConstraint("session_id", "number", name="uq_training_sheet_seat_number"),
                      sa.UniqueConstraint("session_id", "trainee_id", name="uq_training_sheet_seat_trainee"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_session.id"), index=True)
    number: so.Mapped[int] = so.mapped_column()
    trainee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainee.id"))

    trainee: so.Mapped[Trainee] = so.relationship()


class SheetPhoto(db.Model):
    """A photograph (or scan) of the signed paper sheet, kept as the session's evidence (encrypted on disk)."""

    __tablename__ = "training_sheet_photo"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_session.id"), index=True)
    uploader_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size: so.Mapped[int] = so.mapped_column()
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    session: so.Mapped[SignInSheet] = so.relationship()
