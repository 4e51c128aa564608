"""督办: 签收 (acknowledgements), 催办 and the escalation ladder's steps, notice read receipts, the
office's thresholds and each unit's 分管领导."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.base import one_of
from portal.models.org import Unit
from portal.models.users import User

# What a unit acknowledges (签收): a duty instance on its board, a leader's 批示 on one, a 催办 or 督办单.
ACK_KINDS = ("duty", "instruction", "urge")
# A 催办 sent by hand, and the three steps of the ladder (三色督查单): 提醒 (blue), 督办通知单 (orange),
# 红色督办单 (red).
URGE_LEVELS = ("urge", "blue", "orange", "red")
# What a 催办 is about.
URGE_TOPICS = ("duty", "unit", "report", "training")


class SupervisionSettings(db.Model):
    """The office's settings for the ladder (one row), in working days, and its 公文 masthead."""

    __tablename__ = "supervision_settings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    remind_days: so.Mapped[int] = so.mapped_column(default=3)      # 提醒: N working days before the deadline
    order_days: so.Mapped[int] = so.mapped_column(default=5)       # 督办通知单: new deadline, working days ahead
    red_days: so.Mapped[int] = so.mapped_column(default=5)         # 红色督办单: M working days after the 通知单
    issuer: so.Mapped[str] = so.mapped_column(sa.String(60), default="")       # 版头 and 落款
    number_prefix: so.Mapped[str] = so.mapped_column(sa.String(20), default="")  # 机关代字 of the 文号
    # The 通报 sent by email to leaders with its .xlsx and .docx: on this day of each month (0: not sent),
    # to these accounts (user ids); `flask portal remind` sends it once a month, on or after the day.
    bulletin_day: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    bulletin_to: so.Mapped[list] = so.mapped_column(sa.JSON, default=list, server_default="[]")
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class UnitLeader(db.Model):
    """A unit's 分管领导: an account (copied on a 红色督办单 in the portal) or a named person (named on it)."""

    __tablename__ = "unit_leader"

    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), primary_key=True)
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    name: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    title: so.Mapped[str] = so.mapped_column(sa.String(40), default="")  # 职务, e.g. 副局长
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    unit: so.Mapped[Unit] = so.relationship()
    user: so.Mapped[Optional[User]] = so.relationship()


class Urge(db.Model):
    """One 催办 or one step of the ladder, to one unit: its message, the unit's 签收 and reply."""

    __tablename__ = "urge"
    __table_args__ = (one_of("level", URGE_LEVELS), one_of("topic", URGE_TOPICS),
                      sa.UniqueConstraint("year", "serial"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(10), default="urge")
    topic: so.Mapped[str] = so.mapped_column(sa.String(10), default="duty")
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    instance_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("duty_instance.id", ondelete="CASCADE"), index=True)
    about: so.Mapped[str] = so.mapped_column(sa.String(200), default="")  # what it names: a month, a module
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    deadline: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)      # the deadline it names
    reply_by: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)      # a 督办通知单's new deadline
    # The 督办通知单's 文号: serial within the year (orange and red steps only).
    year: so.Mapped[Optional[int]] = so.mapped_column()
    serial: so.Mapped[Optional[int]] = so.mapped_column()
    # A ladder step is taken once: "orange:<instance>:<deadline>" (unique), NULL for a hand-sent 催办.
    step_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80), unique=True)
    step_on: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)  # the portal's day the ladder took it
    copy_to: so.Mapped[str] = so.mapped_column(sa.String(200), default="")  # the 分管领导 named on a red step
    sent_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    reply: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    replied_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    replied_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    # The office closed it (办结): the reply answers it; later replies are still taken but nothing waits.
    closed_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    closed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))

    unit: so.Mapped[Unit] = so.relationship()
    sent_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[sent_by_id])
    replied_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[replied_by_id])
    closed_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[closed_by_id])


class Acknowledgement(db.Model):
    """A unit's 签收 of a duty instance, a 批示 or a 催办: who signed, when. Once per unit and thing."""

    __tablename__ = "acknowledgement"
    __table_args__ = (one_of("kind", ACK_KINDS), sa.UniqueConstraint("kind", "object_id", "unit_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    object_id: so.Mapped[int] = so.mapped_column()
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    by: so.Mapped[Optional[User]] = so.relationship()


class NoticeRead(db.Model):
    """A read receipt: who opened a notice, when (the first time)."""

    __tablename__ = "notice_read"

    notice_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    user: so.Mapped[User] = so.relationship()


# Where a 交办事项 came from, and how pressing it is.
MATTER_SOURCES = ("instruction", "meeting", "document", "other")
MATTER_IMPORTANCE = ("normal", "important", "urgent")


class AssignedMatter(db.Model):
    """A 交办事项: a matter the office (or a leader, through a 批示) assigns without a plan. The work itself
    is a `Duty` of the office's 交办 plan (`Plan.kind == "assigned"`) with one instance per lead unit, so it
    has the boards, states, 销号, lights, ladder and 通报 of every duty; this row keeps where it came from
    (the 批示's words, the meeting, the document, a file), how pressing it is, and its number in the year."""

    __tablename__ = "assigned_matter"
    __table_args__ = (one_of("source_kind", MATTER_SOURCES), one_of("importance", MATTER_IMPORTANCE),
                      sa.UniqueConstraint("year", "serial"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    duty_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("duty.id"), unique=True)
    year: so.Mapped[int] = so.mapped_column()
    serial: so.Mapped[int] = so.mapped_column()
    source_kind: so.Mapped[str] = so.mapped_column(sa.String(12), default="instruction")
    source_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")      # the 批示's words, the decision
    source_ref: so.Mapped[str] = so.mapped_column(sa.String(200), default="")  # the meeting, the 文号
    instructed_by: so.Mapped[str] = so.mapped_column(sa.String(60), default="")  # who gave the 批示 (职务姓名)
    instructed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    source_date: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    importance: so.Mapped[str] = so.mapped_column(sa.String(10), default="normal")
    attachment_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    attachment_type: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    attachment_size: so.Mapped[int] = so.mapped_column(default=0)
    attachment_data: so.Mapped[Optional[bytes]] = so.mapped_column(sa.LargeBinary, deferred=True)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    duty: so.Mapped["Duty"] = so.relationship()  # noqa: F821 (portal.models.duties, by name)
    created_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[created_by_id])
