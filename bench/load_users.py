"""Simulated users for `python -m bench load`: a tiny HTTP client and one loop per role.

Each user is a thread with its own cookie jar, bound to one host. Every request is timed and
kept with its action name and status; every write remembers whether the app acknowledged it
(and with which unique token) so the verifier can check the database afterwards.
"""
from __future__ import annotations

import http.client
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
SEARCH_TERMS = ["儿童福利", "家庭寄养", "移交", "儿童督导员", "未成年人救助保护机构", "档案", "民政部门", "监护"]


@dataclass
class Sample:
    action: str
    status: int
    ms: float
    host: int


@dataclass
class Write:
    """One write the user sent: what, where, the unique token, and the app's answer."""

    kind: str  # note | tick | report
    acknowledged: bool
    token: str = ""
    instance_id: int = 0
    item_id: int = 0
    done: bool = False
    unit: str = ""
    month: str = ""
    refusal: str = ""


@dataclass
class Log:
    samples: list[Sample] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def wrote(self, write: Write) -> None:
        with self.lock:
            self.writes.append(write)


class Client:
    """HTTP/1.1 with a cookie jar; one connection per request (gunicorn sync workers close anyway)."""

    def __init__(self, port: int, host_no: int, log: Log, timeout: float = 60):
        self.port, self.host_no, self.log, self.timeout = port, host_no, log, timeout
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, action: str, method: str, path: str, form: dict | None = None, htmx: bool = False,
                body: bytes | None = None, content_type: str = "") -> tuple[int, str, dict]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            body = urlencode(form).encode()
            content_type = "application/x-www-form-urlencoded"
        if body is not None:
            headers["Content-Type"] = content_type
        if htmx:
            headers["HX-Request"] = "true"
        if method == "POST" and self.csrf:
            headers["X-CSRFToken"] = self.csrf
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            # A file (.xlsx, .docx, a photo) is read whole but not decoded: turning megabytes of a zip
            # into text (and searching it for a CSRF token) cost the client more than the server's send.
            textual = (response.getheader("Content-Type") or "").startswith(("text/", "application/json"))
            data = raw.decode("utf-8", "replace") if textual else ""
            status = response.status
            response_headers = {k.lower(): v for k, v in response.getheaders()}
            for key, value in response.getheaders():
                if key.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
        except (OSError, http.client.HTTPException):
            status, data, response_headers = 599, "", {}
        finally:
            conn.close()
        if action:
            self.log.add(Sample(action, status, (time.perf_counter() - start) * 1000, self.host_no))
        match = CSRF_RE.search(data)
        if match:
            self.csrf = match.group(1) or match.group(2)
        return status, data, response_headers

    def login(self, username: str, password: str) -> bool:
        self.request("", "GET", "/login")
        status, _, headers = self.request("login", "POST", "/login", {"username": username, "password": password,
                                                                     "csrf_token": self.csrf})
        if status != 302:
            return False
        self.request("", "GET", "/")  # the CSRF token of the session
        return True


@dataclass
class Persona:
    username: str
    role: str  # liaison | staff | leader
    unit: str = ""


class SimulatedUser(threading.Thread):
    def __init__(self, persona: Persona, password: str, port: int, host_no: int, log: Log, start: threading.Event,
                 seconds: float, month: str, think_ms: int, seed: int, ramp_seconds: float = 0.0):
        super().__init__(daemon=True)
        self.persona, self.password, self.month = persona, password, month
        self.start_signal, self.seconds = start, seconds
        self.logged_in = threading.Event()
        self.think = think_ms / 1000
        self.client = Client(port, host_no, log)
        self.log = log
        self.rng = random.Random(seed)
        self.ramp = ramp_seconds
        self.duty_ids: list[int] = []
        self.steps = 0
        self.failed_login = False

    def run(self) -> None:
        """Log in, wait for everyone, then work until the time is up."""
        try:
            if not self.client.login(self.persona.username, self.password):
                self.failed_login = True
        finally:
            self.logged_in.set()
        if self.failed_login:
            return
        self.start_signal.wait()
        deadline = time.monotonic() + self.seconds
        time.sleep(self.rng.uniform(0, self.ramp))  # people do not all click in the same millisecond
        step = {"liaison": self.liaison_step, "staff": self.staff_step, "leader": self.leader_step}[self.persona.role]
        while time.monotonic() < deadline:
            if self.rng.random() < 0.1:
                self.client.request("trivial page", "GET", "/account/password")
            else:
                step()
            if self.think:
                time.sleep(self.rng.uniform(0, 2 * self.think))

    # --- staff: search ------------------------------------------------------------------
    def staff_step(self) -> None:
        term = self.rng.choice(SEARCH_TERMS)
        self.client.request("search", "GET", "/search?" + urlencode({"q": term}))

    # --- leaders: the all-units 台账 and the home page ------------------------------------
    def leader_step(self) -> None:
        if self.rng.random() < 0.7:
            self.client.request("all-units board", "GET", "/tasks/")
        else:
            self.client.request("home page", "GET", "/")

    # --- liaisons: their board, a duty, then tick / note / report ------------------------
    def liaison_step(self) -> None:
        if not self.duty_ids or self.rng.random() < 0.1:
            # A liaison's first page after signing in is timed on its own line: it falls in the opening
            # burst (every user signs in at once; workers open their database connections).
            action = "unit board" if self.duty_ids else "first unit board"
            _, html, _ = self.client.request(action, "GET", "/tasks/")
            self.duty_ids = sorted({int(m) for m in re.findall(r'href="/tasks/(\d+)"', html)})[:8]
            if not self.duty_ids:
                return
        # A liaison's first three steps save the report, tick and note (every kind of write is
        # exercised even in a short run on a busy machine); then the mix is random.
        choice = (0.0, 0.3, 0.9)[self.steps] if self.steps < 3 else self.rng.random()
        self.steps += 1
        if choice < 0.15:
            self.save_report()
            return
        inst_id = self.rng.choice(self.duty_ids)
        status, html, _ = self.client.request("duty page", "GET", f"/tasks/{inst_id}")
        if status != 200:
            return
        if choice < 0.65:
            items = re.findall(rf'/tasks/{inst_id}/items/(\d+)"[^>]*>\s*<input type="hidden" name="csrf_token"[^>]*>\s*'
                               r'<input type="hidden" name="done" value="([01])"', html)
            if not items:
                return
            item_id, done = self.rng.choice(items)
            status, html, _ = self.client.request("tick item", "POST", f"/tasks/{inst_id}/items/{item_id}",
                                                  {"done": done, "csrf_token": self.client.csrf}, htmx=True)
            if status < 500:
                self.log.wrote(Write("tick", status == 200, instance_id=inst_id, item_id=int(item_id),
                                     done=done == "1", refusal="" if status == 200 else f"{status} {_refusal(html)}"))
        else:
            if f'/tasks/{inst_id}/notes"' not in html:  # a closed duty (grown data has them) offers no note form
                return
            token = f"压测记录-{secrets.token_hex(6)}"
            status, html, _ = self.client.request("add note", "POST", f"/tasks/{inst_id}/notes",
                                                  {"body": token, "csrf_token": self.client.csrf}, htmx=True)
            if status < 500:
                self.log.wrote(Write("note", status == 200 and token in html, token=token, instance_id=inst_id,
                                     refusal="" if status == 200 else _refusal(html)))

    def save_report(self) -> None:
        unit, month = self.persona.unit, self.month
        status, html, _ = self.client.request("report page", "GET", f"/reports/{unit}/{month}")
        version = re.search(r'name="version" value="(\d+)"', html)
        if status != 200 or not version:
            return
        token = f"压测进展-{secrets.token_hex(6)}"
        status, html, headers = self.client.request("save report", "POST", f"/reports/{unit}/{month}", {
            "progress": token, "problems": "", "next_steps": "", "version": version.group(1), "submit": "0",
            "csrf_token": self.client.csrf})
        if status < 500:
            self.log.wrote(Write("report", status == 302, token=token, unit=unit, month=month,
                                 refusal="" if status == 302 else _refusal(html)))


def _refusal(html: str) -> str:
    match = re.search(r'class="form-error"[^>]*>([^<]+)<', html)
    return match.group(1).strip() if match else "refused"
