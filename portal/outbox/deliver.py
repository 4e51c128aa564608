"""The deliverer: `flask portal deliver` sends what the outbox holds and is due, then exits (`--loop`
keeps running). Safe to run from cron, several at once, and to kill at any moment.

A deliverer claims a batch of due deliveries in one UPDATE that marks them `sending` under its own
random token and a lease (until when it holds them); the UPDATE's WHERE repeats the "due" condition,
so on PostgreSQL a second deliverer blocked on the same rows re-checks it against the committed rows
and takes none of them, and on SQLite the write lock orders the two UPDATEs. Each delivery's outcome
is committed on its own, right after the receiver answers, and only under the deliverer's token.

Killed mid-batch, a deliverer leaves its claimed rows `sending`; when the lease runs out the next
deliverer takes them again. Nothing is lost; a receiver may see one delivery twice only if the kill
fell between its answer and the commit (at-least-once). That repeat carries the same idempotency key
(portal/outbox/channels.py), so a receiver that keeps keys drops it.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.faults import pause_point
from portal.models import OutboxDelivery, OutboxMessage
from portal.outbox import channels

BATCH = 20
LEASE_S = 600  # far above a batch's sends (each bounded by channels.TIMEOUT_S)
BACKOFF_BASE_S = 60
BACKOFF_CAP_S = 6 * 3600
MAX_ATTEMPTS = 8  # 1 + 2 + 4 + … minutes: the last retry about four hours after the first try


@dataclass
class Tally:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"sent {self.sent}, to retry {self.retry}, failed {self.failed}"


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after `attempts` tries: 1, 2, 4 … minutes, at most 6 hours."""
    return timedelta(seconds=min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1)))


def _due(now: datetime):
    d = OutboxDelivery
    return sa.or_(sa.and_(d.state == "pending", d.next_attempt_at <= now),
                  sa.and_(d.state == "sending", d.lease_until < now))


def claim(batch: int = BATCH, lease_s: int = LEASE_S, now: datetime | None = None) -> tuple[str, list[OutboxDelivery]]:
    """Take up to `batch` due deliveries under a new token; committed before anything is sent."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    d = OutboxDelivery
    chosen = sa.select(d.id).where(_due(now)).order_by(d.next_attempt_at, d.id).limit(batch).scalar_subquery()
    db.session.execute(
        sa.update(d).where(d.id.in_(chosen), _due(now))
        .values(state="sending", lease_token=token, lease_until=now + timedelta(seconds=lease_s), attempts=d.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    claimed = list(db.session.scalars(
        sa.select(d).where(d.lease_token == token).order_by(d.id)
        .options(so.joinedload(d.message).selectinload(OutboxMessage.attachments))))
    return token, claimed


def _snapshots(claimed: list[OutboxDelivery]) -> list[tuple[SimpleNamespace, SimpleNamespace]]:
    """Plain copies of what sending needs: the commit after each delivery expires the ORM objects, and
    reading every one of them again would cost more than the send."""
    messages: dict[int, SimpleNamespace] = {}
    jobs = []
    for d in claimed:
        m = d.message
        if m.id not in messages:
            messages[m.id] = SimpleNamespace(id=m.id, subject=m.subject, body=m.body, link=m.link, attachments=[
                SimpleNamespace(filename=a.filename, content_type=a.content_type, data=a.data) for a in m.attachments])
        jobs.append((SimpleNamespace(id=d.id, channel=d.channel, address=d.address, attempts=d.attempts,
                                     lease_until=d.lease_until), messages[m.id]))
    return jobs


def _finish(delivery_id: int, token: str, **values) -> bool:
    """Record an outcome, only while this deliverer still holds the delivery."""
    d = OutboxDelivery
    result = db.session.execute(sa.update(d).where(d.id == delivery_id, d.lease_token == token)
                                .values(lease_token=None, lease_until=None, **values)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def deliver_batch(batch: int = BATCH, lease_s: int = LEASE_S, tally: Tally | None = None) -> tuple[int, Tally]:
    """Claim and send one batch; returns how many were claimed."""
    tally = tally if tally is not None else Tally()
    token, claimed = claim(batch, lease_s)
    margin = timedelta(seconds=min(channels.TIMEOUT_S * 3, lease_s / 3))  # time left for one more send
    for delivery, message in _snapshots(claimed):
        if utcnow() >= delivery.lease_until - margin:
            _release_rest(token)  # too close to the lease's end: another deliverer may take them
            break
        ident, attempts = delivery.id, delivery.attempts
        try:
            channels.send(delivery, message)
        except channels.DeliveryError as exc:
            give_up = not exc.retry or attempts >= MAX_ATTEMPTS
            _finish(ident, token, state="failed" if give_up else "pending", last_error=str(exc)[:500],
                    next_attempt_at=utcnow() + backoff(attempts))
            tally.failed += give_up
            tally.retry += not give_up
            tally.errors.append(f"delivery {ident} ({delivery.channel}): {exc}")
            continue
        tally.sent += 1
        pause_point(f"deliver-sent-{tally.sent}")  # kill tests: the receiver has it, the outbox not yet
        if not _finish(ident, token, state="sent", sent_at=utcnow(), last_error=""):
            tally.errors.append(f"delivery {ident}: lease lost before it was recorded as sent")
    return len(claimed), tally


def _release_rest(token: str) -> None:
    d = OutboxDelivery
    db.session.execute(sa.update(d).where(d.lease_token == token, d.state == "sending")
                       .values(state="pending", lease_token=None, lease_until=None, attempts=d.attempts - 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def deliver_due(batch: int = BATCH, lease_s: int = LEASE_S) -> Tally:
    """Send everything due now, batch after batch, until nothing due is left."""
    tally = Tally()
    while True:
        claimed, _ = deliver_batch(batch, lease_s, tally)
        if claimed == 0:
            return tally


def deliver_loop(interval_s: float, batch: int = BATCH, lease_s: int = LEASE_S, echo=print, rounds: int | None = None) -> None:
    """Keep delivering: a round, then a pause of `interval_s` when the round found nothing."""
    done = 0
    while rounds is None or done < rounds:
        tally = deliver_due(batch, lease_s)
        if tally.sent or tally.retry or tally.failed:
            echo(tally.line())
        db.session.remove()
        done += 1
        time.sleep(interval_s)
