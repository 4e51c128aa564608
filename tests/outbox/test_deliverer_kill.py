"""The deliverer killed mid-batch (SIGKILL, a real subprocess) loses nothing and sends nothing twice
that the outbox recorded as sent; two deliverers running at once never send one delivery twice.

The kill falls at a pause point right after a receiver accepted a delivery and before the outbox
recorded it (the one window at-least-once allows): that delivery is sent again once its lease runs
out, under the same idempotency key, which is how a receiver recognises the repeat."""
from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.core.time import utcnow
from portal.extensions import db
from portal.models import OutboxDelivery, Unit
from portal.outbox import enqueue
from tests.conftest import make_user
from tests.ops.test_kill9 import ROOT, command_env, flask_portal

pytestmark = pytest.mark.fresh_db  # the deliverer is another process on the same database

DOMAIN = "mz.test.gov.cn"


def deliverer_env(app, tmp_path: Path, smtp, receiver, pause_at: str = "") -> dict:
    env = command_env(app, tmp_path, pause_at)
    env.update(PORTAL_SMTP_HOST="127.0.0.1", PORTAL_SMTP_PORT=str(smtp.port), PORTAL_SMTP_DOMAIN=DOMAIN,
               PORTAL_WECOM_WEBHOOK=f"{receiver.url}/wecom?key=k")
    return env


def queue_messages(app, smtp, receiver, units: int) -> list[str]:
    """One message to each of `units` units, each with one liaison: an email and a 企业微信 post each."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_DOMAIN=DOMAIN,
                      WECOM_WEBHOOK=f"{receiver.url}/wecom?key=k", DINGTALK_WEBHOOK="", SMS_URL="")
    chosen = list(db.session.scalars(sa.select(Unit).where(Unit.active).order_by(Unit.sort_order, Unit.id).limit(units)))
    for n, one in enumerate(chosen):
        make_user(f"kill-liaison-{n}", "liaison", unit=one.code)
    for n, one in enumerate(chosen):
        enqueue("urge", subject=f"催办第{n}号", body=f"{one.name}：请办理", units=[one])
    db.session.commit()
    return [f"outbox-{i}" for i in db.session.scalars(
        sa.select(OutboxDelivery.id).where(OutboxDelivery.channel != "inapp").order_by(OutboxDelivery.id))]


def received_keys(smtp, receiver) -> Counter:
    return Counter([mail["X-Portal-Delivery"] for _, mail in smtp.messages] + [r.key for r in receiver.requests])


def states() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(sa.select(OutboxDelivery.state).where(OutboxDelivery.channel != "inapp")))


def test_a_deliverer_killed_mid_batch_loses_nothing_and_repeats_only_the_unrecorded_send(app, tmp_path, smtp, receiver):
    keys = queue_messages(app, smtp, receiver, units=6)
    assert len(keys) == 12

    env = deliverer_env(app, tmp_path, smtp, receiver, pause_at="deliver-sent-5")
    kill_at_env(env, tmp_path, "deliver", "--lease", "3")

    # Five receivers have their message; the outbox recorded four, the fifth was in flight.
    assert sum(received_keys(smtp, receiver).values()) == 5
    assert states() == Counter({"sent": 4, "sending": 8})
    lease_end = db.session.scalar(sa.select(sa.func.max(OutboxDelivery.lease_until)))
    while utcnow() <= lease_end:
        time.sleep(0.2)

    result = subprocess.run(flask_portal("deliver"), cwd=ROOT, env=deliverer_env(app, tmp_path, smtp, receiver),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sent 8," in result.stdout
    assert states() == Counter({"sent": 12})
    got = received_keys(smtp, receiver)
    assert set(got) == set(keys)  # nothing lost
    repeated = [key for key, n in got.items() if n > 1]
    assert len(repeated) == 1 and got[repeated[0]] == 2  # only the send the kill kept from being recorded
    assert sum(1 for _ in got) == 12  # by idempotency key, each delivery arrived once


def kill_at_env(env: dict, tmp_path: Path, *args: str) -> None:
    """Run the deliverer until it reaches its pause point, then SIGKILL it there."""
    paused = Path(env["PORTAL_PAUSE_FILE"])
    paused.unlink(missing_ok=True)
    with (tmp_path / "deliver.log").open("w") as log:
        proc = subprocess.Popen(flask_portal(*args), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not paused.exists():
        if proc.poll() is not None:
            pytest.fail(f"the deliverer ended before its pause point:\n{(tmp_path / 'deliver.log').read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"pause point not reached:\n{(tmp_path / 'deliver.log').read_text()}")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL


def test_two_deliverers_at_once_never_send_one_delivery_twice(app, tmp_path, smtp, receiver):
    keys = queue_messages(app, smtp, receiver, units=15)
    env = deliverer_env(app, tmp_path, smtp, receiver)
    procs = [subprocess.Popen(flask_portal("deliver", "--batch", "3"), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert states() == Counter({"sent": 30})
    got = received_keys(smtp, receiver)
    assert set(got) == set(keys) and set(got.values()) == {1}, got
