"""Messages that reach people: one call, `enqueue`, for every kind of message the portal sends.

The message is written in the caller's transaction (committed with the action that caused it): the
in-app notice at once, and one delivery row per recipient and channel (email, 企业微信/钉钉 robots, SMS
gateway) that `flask portal deliver` sends later, retrying with backoff (portal/outbox/deliver.py).
Which channels carry which kinds is each person's and each unit's choice (portal/outbox/recipients.py).
"""
from __future__ import annotations

import os
from collections.abc import Iterable

import sqlalchemy as sa

from portal.core.time import utcnow
from portal.extensions import db
from portal.models import Notice, OutboxAttachment, OutboxDelivery, OutboxMessage, Unit, User
from portal.outbox.recipients import plan_deliveries

# The kinds of message, so a person can choose channels per kind (labels are what users see).
KINDS = {
    "digest": "每日提醒",
    "report_missing": "月度报告未报",
    "training_due": "培训到期",
    "urge": "催办",
    "escalation": "督办升级",
    "instruction": "领导批示",
    "decision": "审核决定",
    "bulletin": "通报",
    "assignment": "交办事项",
}

# The channels, in the order pages list them. In-app notices always go (the home page is where the
# portal's work is); the others are chosen per kind.
CHANNELS = {
    "inapp": "站内通知",
    "email": "电子邮件",
    "sms": "短信",
    "wecom": "企业微信群",
    "dingtalk": "钉钉群",
}
PERSON_CHANNELS = ("email", "sms")  # chosen by each person on 我的账号
UNIT_CHANNELS = ("wecom", "dingtalk")  # a unit's group robots, chosen on the office's page

# What attachments may be (a 通报's workbook or document, a PDF), and how large.
ATTACHMENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".csv": "text/csv",
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class AttachmentRefused(ValueError):
    """An attachment the outbox will not carry (a type not listed, too large, no name)."""


def enqueue(kind: str, *, subject: str, body: str, units: Iterable[Unit] = (), users: Iterable[User] = (),
            link: str | None = None, attachments: Iterable[tuple[str, bytes]] = (),
            dedupe_key: str | None = None) -> OutboxMessage | None:
    """Queue a message of `kind` (a key of KINDS) to units (their liaisons and group robots) and/or
    people. No commit: the caller's transaction carries it. `dedupe_key` makes a second enqueue of the
    same message a no-op (None is returned then)."""
    assert kind in KINDS, kind
    if dedupe_key and db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    message = OutboxMessage(kind=kind, subject=subject[:200], body=body, link=link, dedupe_key=dedupe_key)
    for name, data in attachments:
        message.attachments.append(safe_attachment(name, data))
    db.session.add(message)
    units, users = _unique(units), _unique(users)
    link = (link or None) and link[:500]
    now = utcnow()
    for unit in units:
        db.session.add(Notice(unit_id=unit.id, title=subject[:200], body=body, link=link))
        message.deliveries.append(OutboxDelivery(channel="inapp", address=f"unit:{unit.id}", unit_id=unit.id,
                                                 state="sent", sent_at=now, next_attempt_at=now))
    for user in users:
        db.session.add(Notice(user_id=user.id, title=subject[:200], body=body, link=link))
        message.deliveries.append(OutboxDelivery(channel="inapp", address=f"user:{user.id}", user_id=user.id,
                                                 state="sent", sent_at=now, next_attempt_at=now))
    for target in plan_deliveries(kind, units, users):
        message.deliveries.append(OutboxDelivery(channel=target.channel, address=target.address, unit_id=target.unit_id,
                                                 user_id=target.user_id, state="pending", next_attempt_at=now))
    return message


def safe_attachment(name: str, data: bytes) -> OutboxAttachment:
    """A bare file name (no folders, no control characters) of a listed type, at most 10 MB."""
    bare = "".join(ch for ch in os.path.basename(str(name).replace("\\", "/")) if ch.isprintable()).strip()[:200]
    suffix = os.path.splitext(bare)[1].lower()
    if not bare or suffix not in ATTACHMENT_TYPES:
        raise AttachmentRefused(f"附件类型不受支持：{bare or '（无文件名）'}")
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise AttachmentRefused(f"附件过大：{bare}")
    return OutboxAttachment(filename=bare, content_type=ATTACHMENT_TYPES[suffix], size=len(data), data=bytes(data))


def _unique(items) -> list:
    seen, out = set(), []
    for item in items:
        if item is not None and item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out
