"""What the request benchmarks (duties, board, training) share: an app on a scratch database with
the content synced, a user per role, request timing (wall and CPU → p50/p95/p99) through the app's
WSGI interface, the trivial page every figure is compared with, and the table of ratios and budgets.

Wall-clock times on a shared, loaded machine include waiting for a core; the CPU time of this
process is what the request itself costs, so both are printed, with the load average.
"""
from __future__ import annotations

import os
import random
import re
import statistics
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "Bench-pass-1"
TRIVIAL_URL = "/account/password"  # a logged-in page that reads nothing but the user
NAMES = {"admin": "压测管理员", "leader": "压测领导", "liaison": "压测联络员", "trainer": "压测培训管理员",
         "staff": "压测工作人员"}
CLAUSES = ["3.1.1.4", "3.2.10", "4.2.7"]  # clauses generated duties cite


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


@dataclass
class Timing:
    """Milliseconds per run: wall clock and this process's CPU."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        return percentile(self.wall, 95)

    @property
    def p99(self) -> float:
        return percentile(self.wall, 99)

    @property
    def cpu95(self) -> float:
        return percentile(self.cpu, 95)


@contextmanager
def timed(timing: Timing):
    """Add one run of the block to `timing`."""
    start, start_cpu = time.perf_counter(), time.process_time()
    yield timing
    timing.wall.append((time.perf_counter() - start) * 1000)
    timing.cpu.append((time.process_time() - start_cpu) * 1000)


def time_requests(client, url, rounds: int, *, method: str = "GET", data_fn=None, headers=None) -> Timing:
    """Time `rounds` requests; `url` may be a function of the round (a new query string each time)."""
    timing = Timing()
    for i in range(rounds):
        target = url(i) if callable(url) else url
        with timed(timing):
            if method == "GET":
                response = client.get(target, headers=headers)
            else:
                response = client.post(target, data=data_fn(i), headers=headers)
        assert response.status_code == 200, (target, response.status_code)
        response.close()
    return timing


def scratch_app(prefix: str, database_url: str | None = None):
    """An app on a new SQLite file in a temporary folder (or on `database_url`, emptied first), with
    the schema created. Returns (app, folder, database URL)."""
    from portal import create_app
    from portal.config import PROJECT_ROOT
    from portal.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    content = os.environ.get("PORTAL_CONTENT_DIR") or str(PROJECT_ROOT / "content")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp), "UPLOAD_DIR": str(tmp / "uploads"),
                      "SEARCH_INDEX_DIR": str(tmp / "ix"), "SECRET_KEY": "bench", "CONTENT_DIR": content})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app, tmp, url


def sync_content(*, duties: bool = False, training: bool = False) -> None:
    """Units and the policy library always; the 任务分工表 and the curriculum when asked (app context)."""
    from flask import current_app

    from portal.policy.sync import sync_policy
    from portal.units.services import sync_units

    content = Path(current_app.config["CONTENT_DIR"])
    assert sync_units(content).ok and sync_policy(content).ok
    if duties:
        from portal.duties.sync import sync_duties

        assert sync_duties(content).ok
    if training:
        from portal.training.modules import sync_modules

        assert sync_modules(content).ok


def add_user(role: str, unit: str = "city-mz"):
    """The benchmark's user holding `role` (username bench-<role>, password PASSWORD); app context."""
    from portal.admin.services import AccountInput, create_account

    return create_account(AccountInput(f"bench-{role}", NAMES[role], [role], unit, PASSWORD))


def login(app, role: str):
    """A test client logged in as the user `add_user(role)` made."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": f"bench-{role}", "password": PASSWORD,
                                           "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)})
    assert response.status_code == 302, f"bench-{role} could not log in"
    return client


def htmx_token(client) -> str:
    """The CSRF token htmx requests send (from the home page's hx-headers)."""
    return re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True)).group(1)


def add_duty(n: int, rng: random.Random, units: list, items: int, done_share: float = 0.0):
    """Generated duty `n` for one random unit, with `items` checklist items (about `done_share` ticked)."""
    from portal.duties.sync import seed_plan
    from portal.extensions import db
    from portal.models import ChecklistItem, Duty, DutyInstance

    duty = Duty(key=f"bench-{n}", plan=seed_plan(), title=f"压力测试任务{n}", clause_ids=[rng.choice(CLAUSES)],
                scope="per-unit", theme="部门职责", deadline_kind="date", indicators=[])
    unit = rng.choice(units)
    inst = DutyInstance(key=f"bench-{n}@{unit.code}", duty=duty, unit=unit)
    inst.items = [ChecklistItem(title=f"事项{k}", position=k, done=bool(done_share) and rng.random() < done_share)
                  for k in range(items)]
    db.session.add_all([duty, inst])
    return inst


def lower_units() -> list:
    """Active units below the city (where generated duties go)."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Unit

    return db.session.scalars(sa.select(Unit).where(Unit.active, Unit.parent_id.is_not(None))).all()


def count(column) -> int:
    import sqlalchemy as sa

    from portal.extensions import db

    return db.session.scalar(sa.select(sa.func.count(column)))


class Report:
    """The table every request benchmark prints: each measure beside the trivial page of the same
    app (p50, p95, p99, ratio of p95s; CPU p95 and its ratio) and its budget. A measure fails on
    its wall-clock p95; the CPU verdict beside it tells a slow request from a busy machine."""

    def __init__(self, title: str, trivial: Timing, width: int = 28):
        self.trivial, self.width, self.failed = trivial, width, False
        print(f"{title}, load average {os.getloadavg()[0]:.2f}")
        print(f"{'measure':<{width}}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'trivial p95':>12}{'ratio':>7}"
              f"{'cpu p95':>9}{'cpu ratio':>10}  budget (wall; cpu)")
        self._line("trivial page (baseline)", trivial, "")

    def row(self, name: str, timing: Timing, budget: float | None = None, versus: Timing | None = None,
            versus_label: str = "") -> None:
        """`versus`: the same measure at another size in the same run, its p95 ratio printed after the budget."""
        verdict = ""
        if budget is not None:
            self.failed |= timing.p95 > budget
            verdict = (f"≤ {budget:.0f} ms {'PASS' if timing.p95 <= budget else 'FAIL'}; "
                       f"{'PASS' if timing.cpu95 <= budget else 'FAIL'}")
        if versus is not None and versus.p95:
            verdict += f"  ×{timing.p95 / versus.p95:.1f} vs {versus_label} p95 {versus.p95:.2f} ms"
        self._line(name, timing, verdict)

    def _line(self, name: str, t: Timing, verdict: str) -> None:
        base, cpu_base = self.trivial.p95, self.trivial.cpu95
        print(f"{name:<{self.width}}{t.p50:>9.2f}{t.p95:>9.2f}{t.p99:>9.2f}{base:>12.2f}{t.p95 / base:>7.1f}"
              f"{t.cpu95:>9.2f}{t.cpu95 / cpu_base if cpu_base else 0:>10.1f}  {verdict}".rstrip())

    def finish(self, extra_failed: bool = False) -> int:
        """The exit code: 1 when a budget was missed."""
        self.failed |= extra_failed
        if self.failed:
            print("budgets missed (wall clock); compare the CPU column and the load average above")
        return 1 if self.failed else 0
