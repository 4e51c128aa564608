"""Leadership board benchmark: `python -m bench board [--rounds N] [--seconds S]`.

Loads the full 方案 expansion, then generates load up to 300 duty instances and 5,000 checklist
items (states spread), and times requests through the app's WSGI interface (server time, no
network) as a leader, each beside a trivial page of the same app served the same way:
the board, the all-units 台账 first page, the 通报 .xlsx (and, for information, /api/progress and
a drill-down fragment). Then it serves the same database with gunicorn (2 workers) and drives it
with a bounded load client (a fixed number of keep-alive connections, each waiting for its
answer before the next request) to compare the board's requests per second with the trivial page's.

The board's rendered body is cached per process under a data stamp (portal/board/cache.py), and the
台账's assessed rows under the duty data's token (portal/duties/ledger_cache.py), so the figures above
are mostly cache hits, as a leader's repeated visits are; the uncached renders are printed beside them
for information.

Budgets (issue #9): board p95 ≤ 100 ms; 台账 first page p95 ≤ 100 ms; 通报 .xlsx p95 ≤ 1 s;
board throughput under gunicorn ≥ 25% of the trivial page's.

Many plans (issue 19): then `--plans` published plans (default 20) of `--plan-instances` instances each
(default 300, checklist items 3 each) are added, and the board, the 台账, each with one plan chosen, and
the 通报 .xlsx are timed again against the same budgets, each printed with its ratio to the demo-size
figure of the same run (`--plans 0` skips it).
Training: 5,000 trainees (a generated roster through the real import) × 10 modules = 50,000 assignments,
40% completed, so the headline's training coverage is computed over the issue's volume.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import (
    CLAUSES,
    PASSWORD,
    TRIVIAL_URL,
    Report,
    add_duty,
    add_user,
    count,
    login,
    lower_units,
    scratch_app,
    sync_content,
    time_requests,
)

BUDGETS = {"board": 100.0, "台账 first page (all units)": 100.0, "通报 .xlsx": 1000.0}
THROUGHPUT_BUDGET = 0.25


def generate_training(people: int, modules: int, seed: int = 5) -> int:
    """A generated roster through the real import, every trainee assigned every module, 40% completed
    (the curriculum synced first)."""
    from datetime import date, timedelta

    import sqlalchemy as sa

    from bench.training_bench import roster_csv
    from portal.extensions import db
    from portal.models import Assignment, Completion, Trainee, TrainingModule
    from portal.training import services, tally
    from portal.training.roster import import_roster
    from portal.training.scope import county_units

    for n in range(len(services.live_modules()), modules):  # top up the curriculum with stand-ins
        db.session.add(TrainingModule(key=f"bench-{n}", position=100 + n, title=f"压测模块{n}",
                                      audience=["supervisor", "director"], clause_ids=["3.2.10"]))
    db.session.commit()
    result = import_roster(roster_csv([c.name for c in county_units()], people), "roster.csv", None, dry_run=False)
    assert result.ok, result.problems[:3]
    ids = list(db.session.scalars(sa.select(Trainee.id)))
    counties_of = dict(db.session.execute(sa.select(Trainee.id, Trainee.county_id)).all())
    rng = random.Random(seed)
    due_past, due_future = date.today() - timedelta(days=5), date.today() + timedelta(days=60)
    for m in services.live_modules()[:modules]:
        db.session.execute(sa.insert(Assignment), [
            {"module_id": m.id, "trainee_id": t, "county_id": counties_of[t], "due": due_past if t % 7 == 0 else due_future,
             "active": True, "ended_reason": ""} for t in ids])
        db.session.execute(sa.insert(Completion), [
            {"trainee_id": t, "module_id": m.id, "how": "manual", "completed_on": date.today(), "note": "",
             "voided": False, "void_reason": ""} for t in ids if rng.random() < 0.4])
    tally.rebuild()  # rows written in bulk, outside the services: the figures' summary recounted
    db.session.commit()
    return count(Assignment.id)


def generate_load(target_instances: int, target_items: int, seed: int = 9) -> tuple[int, int]:
    """Per-unit generated duties until the instance and item targets are met; states spread."""
    import sqlalchemy as sa

    from portal.core import duty_rules
    from portal.extensions import db
    from portal.models import ChecklistItem, DutyInstance

    rng = random.Random(seed)
    units = lower_units()
    instances, items = count(DutyInstance.id), count(ChecklistItem.id)
    n = 0
    while instances < target_instances or items < target_items:
        n += 1
        left = max(1, target_instances - instances)
        per = max(1, min(60, (target_items - items) // left)) if items < target_items else 3
        add_duty(n, rng, units, per, done_share=0.4)
        instances += 1
        items += per
    for inst in db.session.scalars(sa.select(DutyInstance)):
        inst.state = rng.choice([duty_rules.NOT_STARTED, duty_rules.IN_PROGRESS, duty_rules.IN_PROGRESS, duty_rules.BLOCKED,
                                 duty_rules.REQUESTED, duty_rules.CLOSED])
    db.session.commit()
    return instances, items


def generate_plans(plans: int, per_plan: int, items: int = 3, seed: int = 19) -> tuple[int, int]:
    """`plans` published plans of `per_plan` duty instances each (one per duty, random lower units,
    states spread, `items` checklist items each): the office supervising many plans at once. Returns
    (the first generated plan's id, live instances in all)."""
    from portal.core import duty_rules
    from portal.extensions import db
    from portal.models import ChecklistItem, Duty, DutyInstance, Plan

    rng = random.Random(seed)
    units = lower_units()
    states = [duty_rules.NOT_STARTED, duty_rules.IN_PROGRESS, duty_rules.IN_PROGRESS, duty_rules.BLOCKED,
              duty_rules.REQUESTED, duty_rules.CLOSED]
    first = None
    for k in range(1, plans + 1):
        plan = Plan(title=f"压测方案{k}", number=f"压测〔2026〕{k}号", state="published", version=1)
        db.session.add(plan)
        db.session.flush()
        first = first or plan.id
        for n in range(per_plan):
            duty = Duty(key=f"plan{k}-{n}", plan_id=plan.id, title=f"压测方案{k}任务{n}", clause_ids=[rng.choice(CLAUSES)],
                        scope="per-unit", theme="部门职责", deadline_kind="date", indicators=[], position=n,
                        deadline=date.today() + timedelta(days=rng.randint(-60, 300)))
            unit = rng.choice(units)
            inst = DutyInstance(key=f"plan{k}-{n}@{unit.code}", duty=duty, unit=unit, state=rng.choice(states),
                                deadline=duty.deadline, original_deadline=duty.deadline)
            inst.items = [ChecklistItem(title=f"事项{j}", position=j, done=rng.random() < 0.4) for j in range(items)]
            db.session.add_all([duty, inst])
        db.session.commit()
    return first, count(DutyInstance.id)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _login_cookie(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _cookies(response)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    from urllib.parse import urlencode

    body = urlencode({"username": "bench-leader", "password": PASSWORD, "csrf_token": token})
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                      "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 302:
        raise RuntimeError(f"bench-leader could not sign in to the served app ({response.status})")
    jar = dict(c.split("=", 1) for c in f"{cookie}; {_cookies(response)}".split("; ") if "=" in c)  # later wins
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _cookies(response) -> str:
    """Every cookie a response sets, as a Cookie header (the sign-in sets the session and a device token:
    reading only the first Set-Cookie header lost the session)."""
    return "; ".join(h.split(";")[0] for h in response.msg.get_all("Set-Cookie") or [])


def throughput(port: int, path: str, cookie: str, clients: int, seconds: float) -> float:
    """Requests per second with `clients` keep-alive connections, each one request at a time."""
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status} {response.getheader('Location', '')}")
            done[n] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - start)


def gunicorn_ratio(db_url: str, tmp: Path, clients: int, seconds: float) -> tuple[float, float]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "PORTAL_SECRET_KEY": "bench-secret",
           "PORTAL_UPLOAD_DIR": str(tmp / "uploads"), "PORTAL_SEARCH_INDEX_DIR": str(tmp / "ix")}
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level",
                             "warning", "wsgi:app"], cwd=root, env=env)
    try:
        for _ in range(600):  # up to a minute: a loaded machine starts gunicorn slowly
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cookie = _login_cookie(port)
        throughput(port, "/board", cookie, clients, 1.0)  # warm both workers
        trivial = throughput(port, "/account/password", cookie, clients, seconds)
        board = throughput(port, "/board", cookie, clients, seconds)
        return trivial, board
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def many_plans(app, client, args, trivial, demo: dict, demo_instances: int) -> bool:
    """The board and the 台账 with `args.plans` plans more, against the budgets and the demo-size figures."""
    with app.app_context():
        one, live = generate_plans(args.plans, args.plan_instances)
    rounds = args.rounds
    timed = {
        "board": time_requests(client, "/board", rounds),
        "台账 first page (all units)": time_requests(client, "/tasks/?unit=", rounds),
        "board, one plan chosen": time_requests(client, f"/board?plan={one}", rounds),
        "台账, one plan chosen": time_requests(client, f"/tasks/?unit=&plan={one}", rounds),
        "通报 .xlsx": time_requests(client, "/board/report.xlsx", max(10, rounds // 10)),
        "board, uncached (info)": time_requests(client, lambda i: f"/board?m={i}", max(20, rounds // 5)),
        # a role filter without a unit changes no row but is part of the cache's key: a miss each time
        "台账, uncached (info)": time_requests(client, lambda i: f"/tasks/?unit=&role=m{i}", max(20, rounds // 5)),
    }
    report = Report(f"{args.plans} plans × {args.plan_instances} instances added: {live} live duty instances "
                    f"(demo size {demo_instances}), {rounds} rounds, SQLite", trivial, width=30)
    budgets = {**BUDGETS, "board, one plan chosen": BUDGETS["board"],
               "台账, one plan chosen": BUDGETS["台账 first page (all units)"]}
    against = {"board, one plan chosen": "board", "台账, one plan chosen": "台账 first page (all units)"}
    for name, timing in timed.items():  # each beside the demo-size figure of the same run
        report.row(name, timing, budgets.get(name), versus=demo.get(against.get(name, name)), versus_label="demo size")
    return report.failed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench board")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--instances", type=int, default=300)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--people", type=int, default=5000, help="trainees on the generated roster")
    parser.add_argument("--modules", type=int, default=10, help="modules assigned to every trainee")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections of the load client")
    parser.add_argument("--seconds", type=float, default=5.0, help="load duration per page")
    parser.add_argument("--plans", type=int, default=20, help="published plans added for the many-plans figures (0: none)")
    parser.add_argument("--plan-instances", type=int, default=300, help="duty instances of each added plan")
    args = parser.parse_args(argv)

    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Unit

    app, tmp, db_url = scratch_app("board-bench-")
    with app.app_context():
        sync_content(duties=True, training=True)
        instances, items = generate_load(args.instances, args.items)
        assignments = generate_training(args.people, args.modules)
        units = db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.active))
        add_user("leader")

    client = login(app, "leader")
    rounds = args.rounds
    trivial = time_requests(client, TRIVIAL_URL, rounds)
    results = {
        "board": time_requests(client, "/board", rounds),
        "台账 first page (all units)": time_requests(client, "/tasks/?unit=", rounds),
        "通报 .xlsx": time_requests(client, "/board/report.xlsx", max(10, rounds // 10)),
        # Every request a new query string: a cache miss each time (the figure a first visitor waits).
        "board, uncached (info)": time_requests(client, lambda i: f"/board?n={i}", max(20, rounds // 5)),
        "/api/progress (info)": time_requests(client, "/api/progress", max(20, rounds // 5)),
        "drill fragment (info)": time_requests(client, "/board?u=city-ga&a=3.1.1", rounds,
                                               headers={"HX-Request": "true", "HX-Target": "drill"}),
    }
    report = Report(f"board benchmark: {units} units, {instances} duty instances, {items} checklist items, "
                    f"{rounds} rounds, {assignments} training assignments, SQLite", trivial, width=30)
    for name, timing in results.items():
        report.row(name, timing, BUDGETS.get(name))

    if args.plans:
        report.failed |= many_plans(app, client, args, trivial, results, instances)

    trivial_rps, board_rps = gunicorn_ratio(db_url, tmp, args.clients, args.seconds)
    ratio = board_rps / trivial_rps if trivial_rps else 0.0
    ok = ratio >= THROUGHPUT_BUDGET
    print(f"gunicorn, 2 workers, {args.clients} keep-alive clients × {args.seconds:.0f} s each: trivial page "
          f"{trivial_rps:.1f} req/s, board {board_rps:.1f} req/s, ratio {ratio:.2f}  "
          f"≥ {THROUGHPUT_BUDGET:.2f} {'PASS' if ok else 'FAIL'}")
    return report.finish(extra_failed=not ok)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
