"""What the office sees of the outbox: each message with its deliveries' states, each delivery with
who it was for (by name: never an address built from a username)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from portal.audit.services import record
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import OutboxDelivery, OutboxMessage, Unit, User
from portal.outbox import CHANNELS, KINDS

STATE_LABELS = {"pending": "待发送", "sending": "发送中", "sent": "已送达", "failed": "发送失败"}
OVERALL_FILTERS = {"open": "待发送", "failed": "有发送失败", "done": "已全部送达"}


@dataclass
class MessageRow:
    message: OutboxMessage
    counts: Counter

    @property
    def overall(self) -> str:
        """One word for the message: failed beats waiting beats delivered."""
        if self.counts.get("failed"):
            return "failed"
        if self.counts.get("pending") or self.counts.get("sending"):
            return "pending"
        return "sent"

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.message.kind, self.message.kind)


def messages_query(kind: str = "", overall: str = ""):
    m, d = OutboxMessage, OutboxDelivery
    stmt = sa.select(m).order_by(m.id.desc())
    if kind in KINDS:
        stmt = stmt.where(m.kind == kind)
    if overall == "failed":
        stmt = stmt.where(m.deliveries.any(d.state == "failed"))
    elif overall == "open":
        stmt = stmt.where(m.deliveries.any(d.state.in_(("pending", "sending"))))
    elif overall == "done":
        stmt = stmt.where(~m.deliveries.any(d.state != "sent"))
    return stmt


def rows_for(messages: list[OutboxMessage]) -> list[MessageRow]:
    ids = [m.id for m in messages]
    counts: dict[int, Counter] = {i: Counter() for i in ids}
    if ids:
        for message_id, state, n in db.session.execute(
                sa.select(OutboxDelivery.message_id, OutboxDelivery.state, sa.func.count())
                .where(OutboxDelivery.message_id.in_(ids)).group_by(OutboxDelivery.message_id, OutboxDelivery.state)):
            counts[message_id][state] = n
    return [MessageRow(m, counts[m.id]) for m in messages]


@dataclass
class DeliveryRow:
    delivery: OutboxDelivery
    recipient: str

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.delivery.channel, self.delivery.channel)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.delivery.state, self.delivery.state)


def delivery_rows(message: OutboxMessage) -> list[DeliveryRow]:
    deliveries = list(message.deliveries)
    users = {u.id: u.display_name for u in db.session.scalars(
        sa.select(User).where(User.id.in_({d.user_id for d in deliveries if d.user_id})))}
    units = {u.id: u.name for u in db.session.scalars(
        sa.select(Unit).where(Unit.id.in_({d.unit_id for d in deliveries if d.unit_id})))}
    rows = []
    for d in deliveries:
        if d.user_id:
            who = users.get(d.user_id, "")
            who = f"{who}（{units[d.unit_id]}）" if d.unit_id in units else who
        elif d.address == "office":
            who = "督查室全局群"
        else:
            who = units.get(d.unit_id, "")
        rows.append(DeliveryRow(d, who))
    return rows


def retry(actor: User, delivery: OutboxDelivery) -> bool:
    """Send a failed delivery again at once, its attempts counted afresh. No commit."""
    if delivery.state != "failed":
        return False
    before = {"state": STATE_LABELS["failed"]}
    delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, utcnow()
    record("retry_delivery", "outbox_delivery", delivery.id, label=delivery.message.subject, before=before,
           after={"state": STATE_LABELS["pending"], "channel": CHANNELS.get(delivery.channel, delivery.channel)},
           actor=actor)
    return True
