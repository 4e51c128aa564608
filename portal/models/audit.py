"""The append-only audit log: every change, who made it and when, with before/after."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # A snapshot of the actor's name, or "system" for CLI and sync runs.
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    # What people read: the actor's 姓名 at the time (or 系统同步 …); empty on entries written before it existed.
    actor_display: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    action: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    object_type: so.Mapped[str] = so.mapped_column(sa.String(40))  # indexed with object_id below
    object_id: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    object_label: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    before: so.Mapped[Optional[dict[str, Any]]] = so.mapped_column(sa.JSON)
    after: so.Mapped[Optional[dict[str, Any]]] = so.mapped_column(sa.JSON)
    ip: so.Mapped[str] = so.mapped_column(sa.String(64), default="")

    # A duty's or a trainee's trace reads its entries newest first: found by the object, not by
    # scanning every entry of its type (logins alone add ~15,000 a year).
    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id", "id"),)


@sa.event.listens_for(so.Session, "before_flush")
def _refuse_audit_rewrites(session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("the audit log is append-only")
