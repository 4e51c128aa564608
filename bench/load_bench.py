"""Load benchmark: `python -m bench load [--users 50 --seconds 60 --workers 4 --database URL --hosts N]`.

Sets up a fresh instance the production way (`flask portal setup`: migrations, content sync,
search index), starts gunicorn on loopback (one per host), and drives bounded simulated users
for a fixed time: liaisons open their board and duties, tick items, add notes and save the
month's report; staff search; leaders open the all-units 台账 and the home page. Prints
requests/s and p50/p95/p99 per action beside a trivial page of the same app (the ratio), then
verification lines (zero 5xx, every acknowledged write present exactly once with one audit
entry, refused writes absent, tick histories consistent, no false conflicts) and budgets with
PASS/FAIL.

--database names a PostgreSQL server and credentials: the bench creates a scratch database next
to the one named (`<name>_load_<random>`) and drops it afterwards (the role needs CREATEDB).
Without it, SQLite in a temporary folder. --hosts 2 runs two gunicorn instances with their own
search index folders against one database and one shared upload folder, spreads the users over
both, and checks that writes, uploaded files and a content sync reach the other host.

Users sign in one after another, then all start in the same instant: 50 first requests queue at
once, so a liaison's first page is timed on its own line (`first unit board`). --ramp-seconds N
spreads the first requests over N seconds (each user's at a random moment) to tell that queue
apart from the pages' own cost.
"""
from __future__ import annotations

import argparse
import os
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from bench.load_users import Client, Log, Persona, SimulatedUser

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-load-Tz8q"
BUDGET_P95_MS = 1000.0
WRITE_ACTIONS = ("tick item", "add note", "save report")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_postgres(url: str):
    """Create `<db>_load_<hex>` on the server `url` names; returns (url, drop)."""
    import sqlalchemy as sa

    base = sa.engine.make_url(url)
    name = f"{base.database}_load_{secrets.token_hex(3)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def host_env(tmp: Path, database_url: str, host: int) -> dict:
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "wsgi",
        "DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": "bench-load-secret",
        "PORTAL_UPLOAD_DIR": str(tmp / "uploads"),  # shared by every host
        "PORTAL_CONTENT_DIR": str(tmp / "content"),
        "PORTAL_SEARCH_INDEX_DIR": str(tmp / f"host{host}" / "search_index"),
    })
    return env


def flask(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "portal", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"flask portal {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def start_gunicorn(env: dict, port: int, workers: int, logfile: Path) -> subprocess.Popen:
    log = open(logfile, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
         "--backlog", "2048", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError as exc:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {logfile}") from exc
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start within 60 s; see {logfile}")


def _process_tree(pid: int) -> list[int]:
    """A process and its descendants (gunicorn's master and workers), from /proc."""
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        found.append(current)
        try:
            frontier += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            pass
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes and their children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for root in pids:
        for pid in _process_tree(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warm_up(ports: list[int], workers: int) -> None:
    """Every worker imports the app, loads its dictionaries and search index before timing starts."""
    log = Log()
    for port in ports:
        client = Client(port, 0, log)
        for _ in range(workers * 3):
            client.request("", "GET", "/login")


def make_personas(users: int) -> list[Persona]:
    """Liaisons of the units with most duties (several per unit, as in a county office), staff, leaders."""
    import sqlalchemy as sa

    from portal.admin.services import AccountInput, create_account
    from portal.extensions import db
    from portal.models import DutyInstance, Unit, User

    counts = db.session.execute(
        sa.select(Unit.code, sa.func.count(DutyInstance.id)).join(DutyInstance, DutyInstance.unit_id == Unit.id)
        .group_by(Unit.code).order_by(sa.func.count(DutyInstance.id).desc(), Unit.code)).all()
    units = [code for code, _ in counts[:max(1, users // 6)]]
    n_liaisons = max(1, round(users * 0.6))
    n_staff = max(1, round(users * 0.25)) if users > 2 else 0
    n_leaders = max(0, users - n_liaisons - n_staff)
    personas = [Persona(f"load-liaison-{i}", "liaison", units[i % len(units)]) for i in range(n_liaisons)]
    personas += [Persona(f"load-staff-{i}", "staff") for i in range(n_staff)]
    personas += [Persona(f"load-leader-{i}", "leader") for i in range(n_leaders)]
    known = set(db.session.scalars(sa.select(User.username).where(User.username.like("load-%"))))
    for p in personas:
        if p.username not in known:  # an existing database may hold them from an earlier run
            create_account(AccountInput(p.username, f"压测{p.username}", [p.role], p.unit or "city-mz", PASSWORD))
    return personas


def report(log: Log, seconds: float, hosts: int) -> list[tuple[str, bool, str]]:
    actions: dict[str, list[float]] = {}
    for s in log.samples:
        actions.setdefault(s.action, []).append(s.ms)
    trivial95 = percentile(actions.get("trivial page", []), 95) or 1.0
    total = len(log.samples)
    print(f"\n{total} requests in {seconds:.0f} s: {total / seconds:.1f} requests/s over {hosts} host(s)")
    print(f"{'action':<18}{'count':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p95 / trivial':>15}")
    order = ["trivial page", "login", "first unit board", "unit board", "duty page", "tick item", "add note", "report page",
             "save report", "search", "all-units board", "home page"]
    budgets = []
    for action in order + sorted(set(actions) - set(order)):
        values = actions.get(action)
        if not values:
            continue
        p95 = percentile(values, 95)
        print(f"{action:<18}{len(values):>7}{len(values) / seconds:>8.1f}{statistics.median(values):>9.0f}"
              f"{p95:>9.0f}{percentile(values, 99):>9.0f}{p95 / trivial95:>14.1f}x")
        if action not in ("trivial page", "login"):
            budgets.append((f"p95 {action} ≤ {BUDGET_P95_MS:.0f} ms", p95 <= BUDGET_P95_MS, f"{p95:.0f} ms"))
    return budgets


def two_host_checks(ports: list[int], personas: list[Persona], envs: list[dict], tmp: Path) -> list:
    """A note written through host 1 reads back through host 2; a file uploaded through host 1
    downloads through host 2; a content sync on host 1 reaches search on both hosts."""
    import re

    checks = []
    liaison = next(p for p in personas if p.role == "liaison")
    log = Log()
    one, two = Client(ports[0], 1, log), Client(ports[1], 2, log)
    one.login(liaison.username, PASSWORD)
    two.login(liaison.username, PASSWORD)
    _, board, _ = one.request("", "GET", "/tasks/")
    inst_id = int(re.search(r'href="/tasks/(\d+)"', board).group(1))
    token = f"跨主机-{secrets.token_hex(5)}"
    one.request("", "POST", f"/tasks/{inst_id}/notes", {"body": token, "csrf_token": one.csrf}, htmx=True)
    _, page, _ = two.request("", "GET", f"/tasks/{inst_id}")
    checks.append(("two hosts: a note written on host 1 reads back on host 2", token in page, ""))

    pdf = b"%PDF-1.4\n% " + secrets.token_hex(16).encode() + b"\n"
    boundary = "bench" + secrets.token_hex(8)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{one.csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cross.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
    one.request("", "POST", f"/tasks/{inst_id}/evidence", body=body, content_type=f"multipart/form-data; boundary={boundary}")
    _, page, _ = two.request("", "GET", f"/tasks/{inst_id}")
    links = re.findall(rf'/tasks/{inst_id}/evidence/(\d+)', page)
    downloaded = b""
    if links:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", ports[1], timeout=30)
        conn.request("GET", f"/tasks/{inst_id}/evidence/{max(map(int, links))}",
                     headers={"Cookie": "; ".join(f"{k}={v}" for k, v in two.cookies.items())})
        downloaded = conn.getresponse().read()
        conn.close()
    checks.append(("two hosts: a file uploaded on host 1 downloads on host 2", downloaded == pdf,
                   f"{len(downloaded)} bytes"))

    word = "跨主机同步验证" + "".join(secrets.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(4))
    source = tmp / "bench-sync.txt"
    source.write_text(f"压力测试同步办法\n\n第一条 为验证多主机检索，规定{word}事项。\n第二条 本办法自发布之日起施行。\n",
                      encoding="utf-8")
    flask(envs[0], "import-policy", str(source), "--id", "bench-sync")
    found = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(found) < 2:
        for n, client in ((1, one), (2, two)):
            if n not in found:
                _, html, _ = client.request("", "GET", "/search?q=" + quote(word))
                if "bench-sync" in html or "压力测试同步办法" in html:
                    found[n] = True
        time.sleep(1)
    checks.append(("two hosts: a content sync on host 1 reaches search on both hosts", len(found) == 2,
                   f"found on host(s) {sorted(found) or 'none'}"))
    checks.append(_unit_rename_check(one, two, liaison, envs, tmp))
    return checks


def _unit_rename_check(one, two, liaison: Persona, envs: list[dict], tmp: Path) -> tuple[str, bool, str]:
    """Both hosts keep units in memory (portal/refdata.py): a unit renamed by a sync on host 1 shows
    on host 2's board at once (the stamp read with the user tells it to re-read)."""
    import csv
    import io

    path = tmp / "content" / "units.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    code_at, name_at = rows[0].index("code"), rows[0].index("name")
    row = next(r for r in rows[1:] if r and r[code_at] == liaison.unit)
    renamed = row[name_at] + "跨主机" + "".join(secrets.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(3))
    row[name_at] = renamed
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    flask(envs[0], "sync")
    seen = [n for n, client in ((1, one), (2, two)) if renamed in client.request("", "GET", "/tasks/")[1]]
    return ("two hosts: a unit renamed by a sync on host 1 shows on both hosts' boards at once", seen == [1, 2],
            f"shown on host(s) {seen or 'none'}")


def _database(args, tmp: Path):
    """The run's database: (URL, its kind, a function dropping a scratch database or None)."""
    if args.existing_database:
        url = args.existing_database
        return url, "PostgreSQL" if url.startswith("postgresql") else "SQLite", None
    if args.database:
        url, drop = scratch_postgres(args.database)
        return url, "PostgreSQL", drop
    return f"sqlite:///{tmp / 'portal.db'}", "SQLite", None


def _print_verdict(args, checks: list, budgets: list) -> int:
    print("\nverification:")
    for label, ok, detail in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}{': ' + detail if detail else ''}")
    print(f"budgets ({args.users} users, {args.hosts} host(s) × {args.workers} workers on this machine):")
    for label, ok, detail in budgets:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}: {detail}")
    return 0 if all(ok for _, ok, _ in checks + budgets) else 1


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per host")
    parser.add_argument("--database", default="", help="PostgreSQL URL (a scratch database is made beside it)")
    parser.add_argument("--hosts", type=int, default=1, choices=[1, 2])
    parser.add_argument("--think-ms", type=int, default=0, help="mean pause between a user's requests")
    parser.add_argument("--ramp-seconds", type=float, default=0.0,
                        help="each user's first request falls at a random moment within this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) afterwards")
    parser.add_argument("--existing-database", default="",
                        help="run on this database as it is (upgraded by setup), e.g. a copy `bench growth` made")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="load-bench-"))
    shutil.copytree(ROOT / "content", tmp / "content")
    database_url, kind, drop = _database(args, tmp)
    procs: list[subprocess.Popen] = []
    try:
        envs = [host_env(tmp, database_url, h) for h in range(1, args.hosts + 1)]
        print(f"load bench: {args.users} users, {args.seconds} s, {args.hosts} host(s) × {args.workers} gunicorn "
              f"workers, {kind}; setting up…", flush=True)
        flask(envs[0], "setup")
        for env in envs[1:]:
            flask(env, "reindex")
        os.environ.update({k: v for k, v in envs[0].items() if k.startswith(("DATABASE_URL", "PORTAL_"))})
        from portal import create_app
        from portal.extensions import db

        app = create_app({"INSTANCE_PATH": str(tmp / "instance")})
        with app.app_context():
            personas = make_personas(args.users)
            from portal.reports.services import current_month

            month = current_month()
            db.session.remove()
        ports = [free_port() for _ in envs]
        procs = [start_gunicorn(env, port, args.workers, tmp / f"gunicorn{n + 1}.log")
                 for n, (env, port) in enumerate(zip(envs, ports, strict=False))]
        warm_up(ports, args.workers)
        log = Log()
        go = threading.Event()
        users = [SimulatedUser(p, PASSWORD, ports[i % len(ports)], i % len(ports) + 1, log, go, args.seconds, month,
                               args.think_ms, seed=i, ramp_seconds=args.ramp_seconds) for i, p in enumerate(personas)]
        for u in users:  # log in one after another (a morning, not a burst), then all work at once
            u.start()
            u.logged_in.wait(timeout=120)
        log.samples.clear()
        server_cpu0, client_cpu0 = cpu_seconds([p.pid for p in procs]), client_cpu_seconds()
        start = time.monotonic()
        go.set()
        for u in users:
            u.join(timeout=args.seconds + 180)
        elapsed = time.monotonic() - start
        server_cpu = cpu_seconds([p.pid for p in procs]) - server_cpu0
        client_cpu = client_cpu_seconds() - client_cpu0
        budgets = report(log, elapsed, args.hosts)
        n = max(1, len(log.samples))
        print(f"CPU during the run: app workers {server_cpu:.1f} s ({server_cpu / n * 1000:.1f} ms per request), "
              f"load client {client_cpu:.1f} s ({client_cpu / n * 1000:.1f} ms per request; "
              f"{client_cpu / max(server_cpu, 0.001):.2f}× the app's); the database server is not counted")
        with app.app_context():
            from bench.load_verify import verify

            checks = verify(log)
            db.session.remove()
            db.engine.dispose()
        failed_logins = sum(u.failed_login for u in users)
        checks.insert(0, ("every simulated user logged in", not failed_logins, f"{failed_logins} could not"))
        if args.hosts == 2:
            checks += two_host_checks(ports, personas, envs, tmp)
        return _print_verdict(args, checks, budgets)
    finally:
        _stop(procs)
        if drop:
            drop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
