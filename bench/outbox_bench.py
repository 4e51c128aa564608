"""Outbox deliverer benchmark: `python -m bench outbox [--messages N]`.

Queues N messages by email (one person) and N by 企业微信 robot (one unit, no liaisons), then times
`deliver_due()` — the deliverer's claim, send and per-delivery commit — against a real local SMTP
server (aiosmtpd) and a local HTTP receiver in a thread. Each figure is printed beside a same-run
baseline: the receiver's own round trip, the same number of sends made straight with smtplib (a
connection per message, as the deliverer does) and urllib, with no database. The ratio is what the
outbox's bookkeeping costs per message on top of the send itself.
"""
from __future__ import annotations

import argparse
import json
import os
import smtplib
import time
import urllib.request
from email.message import EmailMessage

from bench.common import add_user, scratch_app


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _baseline_smtp(port: int, count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        mail = EmailMessage()
        mail["Subject"], mail["From"], mail["To"] = f"基线{n}", "portal@bench.local", "bench@bench.local"
        mail.set_content("催办：请于2026年12月31日前办结。")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(mail)
    return time.perf_counter() - start


def _baseline_http(url: str, count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        body = json.dumps({"msgtype": "markdown", "markdown": {"content": f"基线{n}"}}, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    return time.perf_counter() - start


def _queue(count: int, **to) -> None:
    from portal.extensions import db
    from portal.outbox import enqueue

    for n in range(count):
        enqueue("urge", subject=f"催办第{n}号", body="盐湖区民政局：请于2026年12月31日前办结。", link="/tasks/", **to)
    db.session.commit()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench outbox")
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args(argv)
    from pathlib import Path

    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Unit, User
    from portal.outbox.deliver import deliver_due
    from portal.units.services import sync_units
    from tests.outbox.receivers import HttpReceiver, SmtpReceiver

    smtp, http = SmtpReceiver(), HttpReceiver()
    app, _, _ = scratch_app("bench-outbox-")
    n = args.messages
    rows = []
    try:
        with app.app_context():
            assert sync_units(Path(app.config["CONTENT_DIR"])).ok
            app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_DOMAIN="bench.local",
                              WECOM_WEBHOOK=f"{http.url}/wecom?key=bench", DINGTALK_WEBHOOK="", SMS_URL="")
            add_user("staff")
            person = db.session.scalar(sa.select(User).where(User.username == "bench-staff"))
            _queue(n, users=[person])
            start = time.perf_counter()
            tally = deliver_due()
            outbox_s = time.perf_counter() - start
            assert tally.sent == n and len(smtp.messages) == n, (tally.line(), len(smtp.messages))
            rows.append(("email (SMTP)", outbox_s, _baseline_smtp(smtp.port, n)))

            quiet = db.session.scalar(sa.select(Unit).where(Unit.active, ~sa.exists().where(User.unit_id == Unit.id))
                                      .order_by(Unit.id).limit(1))
            _queue(n, units=[quiet])
            start = time.perf_counter()
            tally = deliver_due()
            outbox_s = time.perf_counter() - start
            assert tally.sent == n and len(http.requests) == n, (tally.line(), len(http.requests))
            rows.append(("企业微信 robot (webhook)", outbox_s, _baseline_http(f"{http.url}/wecom?key=bench", n)))
    finally:
        smtp.close()
        http.close()
    print(f"outbox deliverer, {n} messages per channel, SQLite, load average {os.getloadavg()[0]:.2f}")
    print(f"{'channel':<28}{'outbox msg/s':>14}{'baseline msg/s':>16}{'ratio':>8}")
    for name, outbox_s, base_s in rows:
        outbox_rate, base_rate = _rate(n, outbox_s), _rate(n, base_s)
        print(f"{name:<28}{outbox_rate:>14.1f}{base_rate:>16.1f}{outbox_rate / base_rate:>8.2f}")
    print("baseline: the same sends straight to the receiver (no database); ratio = outbox rate / baseline rate")
    return 0
