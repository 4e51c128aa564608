"""Duties from the 任务分工表 and their per-unit instances, with everything done on them.

A Duty is one row of content/duties.txt; a DutyInstance is that duty on one unit's board
(one for a city-level duty, thirteen for a per-county one). Nothing here is ever deleted:
a duty dropped from the file is archived with its whole history.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.content.duties_file import SCOPES
from portal.core import duty_rules
from portal.core.time import utcnow
from portal.extensions import db
from portal.models.base import one_of
from portal.models.org import Unit
from portal.models.users import User

DEADLINE_KINDS = ("date", "periodic", "none")


class Duty(db.Model):
    __tablename__ = "duty"
    __table_args__ = (one_of("scope", SCOPES), one_of("deadline_kind", DEADLINE_KINDS))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    # The plan this duty belongs to (portal.models.plans.Plan; 运民发〔2021〕74号 is the seed plan).
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    clause_ids: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    scope: so.Mapped[str] = so.mapped_column(sa.String(20))  # city | per-county | per-unit
    theme: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    start: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    deadline_kind: so.Mapped[str] = so.mapped_column(sa.String(10), default="none")  # date|periodic|none
    deadline: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    period: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    deadline_text: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # quoted from the cited clauses
    arrangement: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # the office's 工作安排, not the 方案's
    position: so.Mapped[int] = so.mapped_column(default=0)
    archived: so.Mapped[bool] = so.mapped_column(default=False)
    # Numeric figures the unit reports, from the 任务分工表: [["移交儿童人数", "人"], ...]
    indicators: so.Mapped[list] = so.mapped_column(sa.JSON, default=list, server_default="[]")
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    instances: so.Mapped[list["DutyInstance"]] = so.relationship(back_populates="duty")
    plan: so.Mapped["Plan"] = so.relationship()  # noqa: F821 (portal.models.plans, by name)


class DutyInstance(db.Model):
    __tablename__ = "duty_instance"
    __table_args__ = (one_of("state", duty_rules.STATE_LABELS),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(140), unique=True)
    duty_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("duty.id"), index=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    county: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default="not_started", index=True)
    state_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # why blocked / returned
    # The deadline as the file gives it, and the one in force after approved extensions.
    original_deadline: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    deadline: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    archived: so.Mapped[bool] = so.mapped_column(default=False)
    demo: so.Mapped[bool] = so.mapped_column(default=False)  # touched by the demo loader
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    closed_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    version: so.Mapped[int] = so.mapped_column(default=1)
    # 具体责任人: named by the lead unit's liaison
    responsible_name: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    responsible_phone: so.Mapped[str] = so.mapped_column(sa.String(30), default="")
    # A `periodic` duty: the first day of the current period (None until its first period starts).
    period_start: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)

    duty: so.Mapped[Duty] = so.relationship(back_populates="instances")
    unit: so.Mapped[Unit] = so.relationship()
    cooperators: so.Mapped[list["DutyCooperator"]] = so.relationship(
        back_populates="instance", cascade="all, delete-orphan", lazy="selectin")
    items: so.Mapped[list["ChecklistItem"]] = so.relationship(
        back_populates="instance", order_by="ChecklistItem.position", cascade="all, delete-orphan",
        lazy="selectin")
    notes: so.Mapped[list["DutyNote"]] = so.relationship(
        back_populates="instance", order_by="DutyNote.id.desc()", cascade="all, delete-orphan")
    evidence: so.Mapped[list["Evidence"]] = so.relationship(
        back_populates="instance", order_by="Evidence.id.desc()", cascade="all, delete-orphan")
    extensions: so.Mapped[list["ExtensionRequest"]] = so.relationship(
        back_populates="instance", order_by="ExtensionRequest.id.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def active_items(self) -> list["ChecklistItem"]:
        return [i for i in self.items if not i.archived]

    @property
    def cooperating_unit_ids(self) -> set[int]:
        return {c.unit_id for c in self.cooperators}


class DutyCooperator(db.Model):
    __tablename__ = "duty_cooperator"

    instance_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), primary_key=True, index=True)
    # the cited clauses do not name this unit: the office's 工作安排, shown as such (`安排：` in duties.txt)
    arranged: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    instance: so.Mapped[DutyInstance] = so.relationship(back_populates="cooperators")
    unit: so.Mapped[Unit] = so.relationship(lazy="joined")


class ChecklistItem(db.Model):
    __tablename__ = "checklist_item"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    arranged: so.Mapped[bool] = so.mapped_column(default=False)  # added by the office, not in the 方案
    done: so.Mapped[bool] = so.mapped_column(default=False)
    done_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    done_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    archived: so.Mapped[bool] = so.mapped_column(default=False)

    instance: so.Mapped[DutyInstance] = so.relationship(back_populates="items")
    done_by: so.Mapped[Optional[User]] = so.relationship()


class DutyNote(db.Model):
    __tablename__ = "duty_note"
    # (kind, at): the 考核's returns and the 通报's 批示 of a period, without a pass over every note.
    __table_args__ = (one_of("kind", duty_rules.NOTE_KIND_LABELS), sa.Index("ix_duty_note_kind_at", "kind", "at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # note | request_close | returned | closed | blocked | unblocked | extension
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default="note")
    body: so.Mapped[str] = so.mapped_column(sa.Text)

    instance: so.Mapped[DutyInstance] = so.relationship(back_populates="notes")
    author: so.Mapped[Optional[User]] = so.relationship()


class Evidence(db.Model):
    """An uploaded 佐证材料 file; stored under UPLOAD_DIR by its random name, served only to readers."""

    __tablename__ = "evidence"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), index=True)
    uploader_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size: so.Mapped[int] = so.mapped_column()
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))

    instance: so.Mapped[DutyInstance] = so.relationship(back_populates="evidence")
    uploader: so.Mapped[Optional[User]] = so.relationship()


class ExtensionRequest(db.Model):
    __tablename__ = "extension_request"
    __table_args__ = (one_of("status", duty_rules.EXTENSION_LABELS),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), index=True)
    requested_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    current_deadline: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    proposed_deadline: so.Mapped[date] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="pending", index=True)  # pending|approved|rejected
    decided_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    decision_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    instance: so.Mapped[DutyInstance] = so.relationship(back_populates="extensions")
    requested_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[requested_by_id])
    decided_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[decided_by_id])


class DutySnapshot(db.Model):
    """One duty instance on one day: its state, light and figures as the board judged them that day
    (`portal.board.snapshots`). One row per instance per day, not change-only: a day's picture is a
    plain `WHERE day = ?` on the primary key's prefix, the same cost after five years as after five
    days, and a missed or repeated run touches only its own day. ~300 instances make ~110,000 rows a
    year of a few tens of bytes each (`python -m bench snapshot` prints the measured size)."""

    __tablename__ = "duty_snapshot"
    __table_args__ = (
        one_of("state", duty_rules.STATE_LABELS), one_of("light", duty_rules.LIGHT_LABELS),
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


class DutyPeriod(db.Model):
    """A finished period of a `periodic` duty instance (the current one is the instance itself): its
    dates, its state and progress when it ended, the checklist steps ticked in it, when it was closed."""

    __tablename__ = "duty_period"
    __table_args__ = (sa.UniqueConstraint("instance_id", "starts"), one_of("state", duty_rules.STATE_LABELS))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), index=True)
    starts: so.Mapped[date] = so.mapped_column(sa.Date)
    ends: so.Mapped[date] = so.mapped_column(sa.Date)
    deadline: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)  # after any 延期 in the period
    state: so.Mapped[str] = so.mapped_column(sa.String(20))
    progress: so.Mapped[int] = so.mapped_column(default=0)
    done_items: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)  # titles ticked in the period
    closed_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    rolled_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
