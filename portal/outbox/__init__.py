"""Messages that reach people: one call, `enqueue`, for every kind of message the portal sends.

The message is written in the caller's transaction (committed with the action that caused it) and
delivered later by `flask portal deliver` over the channels each unit or person chose (in-app notice,
email, 企业微信/钉钉 robots, SMS gateway). Until the outbox lands, `enqueue` writes the in-app notice
only.
"""
from __future__ import annotations

from collections.abc import Iterable

from portal.extensions import db
from portal.models import Notice, Unit, User

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


def enqueue(kind: str, *, subject: str, body: str, units: Iterable[Unit] = (), users: Iterable[User] = (),
            link: str | None = None, attachments: Iterable[tuple[str, bytes]] = (),
            dedupe_key: str | None = None) -> None:
    """Queue a message of `kind` (a key of KINDS) to units (their liaisons) and/or people. No commit:
    the caller's transaction carries it. `dedupe_key` makes a second enqueue of the same message a no-op."""
    assert kind in KINDS, kind
    text = body if not link else f"{body}\n{link}"
    for unit in units:
        db.session.add(Notice(unit_id=unit.id, title=subject[:200], body=text))
