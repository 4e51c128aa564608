"""The outbox: messages committed with the action that caused them, and one delivery per recipient and
channel that `flask portal deliver` works through (portal/outbox)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.base import one_of

# A delivery's life: pending → sending (claimed under a lease) → sent, or back to pending with a later
# next_attempt_at, or failed when the receiver refused it for good or every attempt was used.
DELIVERY_STATES = ("pending", "sending", "sent", "failed")
DELIVERY_CHANNELS = ("inapp", "email", "sms", "wecom", "dingtalk")
ROBOT_CHANNELS = ("wecom", "dingtalk")
CHOSEN_CHANNELS = ("email", "sms", "wecom", "dingtalk")  # in-app notices always go


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(30), index=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    link: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    # The same message enqueued twice (a command run twice a day) is one message: unique when set.
    dedupe_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)

    attachments: so.Mapped[list["OutboxAttachment"]] = so.relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id")
    deliveries: so.Mapped[list["OutboxDelivery"]] = so.relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxDelivery.id")


class OutboxAttachment(db.Model):
    """A file sent with a message (a 通报's .xlsx/.docx): kept in the database with the message, so the
    message and its files commit together; the name is a bare file name, the type one of a short list."""

    __tablename__ = "outbox_attachment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    message_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    size: so.Mapped[int] = so.mapped_column()
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)

    message: so.Mapped[OutboxMessage] = so.relationship(back_populates="attachments")


class OutboxDelivery(db.Model):
    """One message to one recipient over one channel. `address` is the email address, the mobile
    number, or which robot (`unit:<id>` / `office`): never a webhook URL (its token is a secret)."""

    __tablename__ = "outbox_delivery"
    __table_args__ = (
        sa.UniqueConstraint("message_id", "channel", "address", name="uq_outbox_delivery_target"),
        sa.Index("ix_outbox_delivery_due", "state", "next_attempt_at"),
        one_of("state", DELIVERY_STATES),
        one_of("channel", DELIVERY_CHANNELS),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    message_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(12))
    address: so.Mapped[str] = so.mapped_column(sa.String(200))
    unit_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Who holds the delivery while sending, and until when: a deliverer killed mid-send leaves the
    # lease to run out, and the next deliverer takes the delivery again (portal/outbox/deliver.py).
    lease_token: so.Mapped[Optional[str]] = so.mapped_column(sa.String(32))
    lease_until: so.Mapped[Optional[datetime]] = so.mapped_column()
    last_error: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column()

    message: so.Mapped[OutboxMessage] = so.relationship(back_populates="deliveries")


class RobotWebhook(db.Model):
    """A unit's 企业微信 or 钉钉 group robot, set on the office's page. The URL (its key or access token)
    and the 钉钉 signing secret are stored sealed (portal.security.sealing), never shown back in full."""

    __tablename__ = "robot_webhook"
    __table_args__ = (sa.UniqueConstraint("unit_id", "channel", name="uq_robot_webhook_unit_channel"),
                      one_of("channel", ROBOT_CHANNELS))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(12))
    sealed_url: so.Mapped[str] = so.mapped_column(sa.Text)
    url_hint: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    sealed_secret: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    secret_hint: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


class ChannelChoice(db.Model):
    """A person's or a unit's choice for one kind of message on one channel; no row means the default
    (on). Exactly one of user_id and unit_id is set (portal/outbox/recipients.py writes them)."""

    __tablename__ = "channel_choice"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "unit_id", "kind", "channel", name="uq_channel_choice"),
        one_of("channel", CHOSEN_CHANNELS),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    unit_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(30))
    channel: so.Mapped[str] = so.mapped_column(sa.String(12))
    enabled: so.Mapped[bool] = so.mapped_column(default=True)
