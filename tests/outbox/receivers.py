"""Local stand-ins for the outbox's receivers: a real SMTP server (aiosmtpd) and an HTTP server in a
thread taking the robots' and the SMS gateway's JSON. Both keep what arrived, with its idempotency key.

The HTTP receiver answers like the robots (200, {"errcode": 0}); `down` makes it answer 503, and
`hold_at` makes the n-th request wait (its sender is "mid-send") until `release()`.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


@dataclass
class Received:
    path: str
    query: dict
    key: str
    body: dict


@dataclass
class HttpReceiver:
    requests: list[Received] = field(default_factory=list)
    down: bool = False
    hold_at: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(default=None)
    released: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if receiver.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                parts = urlsplit(self.path)
                item = Received(parts.path, parse_qs(parts.query), self.headers.get("X-Portal-Delivery", ""),
                                json.loads(raw or b"{}"))
                with receiver.arrived:
                    receiver.requests.append(item)
                    number = len(receiver.requests)
                    receiver.arrived.notify_all()
                if receiver.hold_at == number:
                    receiver.released.wait(120)
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait_for(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.requests)} of {count} requests arrived"
                self.arrived.wait(left)

    def release(self) -> None:
        self.released.set()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


class _Mailbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        mail = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), mail))
        return "250 OK"


class SmtpReceiver:
    """aiosmtpd on a free local port; `messages` holds (recipients, parsed email) in arrival order."""

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.mailbox = _Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)
        self.controller.start()
        self.port = port

    @property
    def messages(self):
        with self.mailbox.lock:
            return list(self.mailbox.messages)

    def wait_for(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} emails arrived"
            time.sleep(0.05)

    def close(self) -> None:
        self.controller.stop()
