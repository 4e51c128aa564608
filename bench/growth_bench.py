"""Growth benchmark: `python -m bench growth [--scale 1] [--pg URL] [--rounds 15] [--no-load]`.

Does any page get slower as the office's records grow? Builds (or takes from the cache, see
bench/growth_build.py) the demo database and the same demo grown by ten years of a city office's
work, copies both, upgrades the copies the production way (`flask portal setup`), serves each with
its own gunicorn (one worker, the project's gunicorn.conf.py) and requests every main page of both
in turn, alternating which goes first, as the role that opens it. Prints each page's p50/p95 on the
demo and on the grown database and the ratio of the p50s (budget ≤ 1.5×), the exports' p95/p50 on
the grown database (budget ≤ 2×), then (unless --no-load) the 50-user `bench load` on a copy of the
grown database (budget: every p95 ≤ 1 s). `--pg postgresql+psycopg://user:pw@host/db` does the same
on PostgreSQL after SQLite (the role needs CREATEDB: the cached and scratch databases are made beside
the one named). On PostgreSQL the grown database is the SQLite one copied row for row
(bench/growth_copy.py: the same services-made data in minutes instead of an hour); `--pg-build` grows
it there through the services. Ratios, not absolute times, compare: both servers share this machine's load.

Beside the wall-clock p50s the table prints the median CPU time the serving worker spent on each
request (its /proc schedstat): on a machine shared by many, waiting for a core swamps the wall clock,
while the worker's CPU time is what the request cost the app (on PostgreSQL, without the database's
own work).

A county's matrix .xlsx and the overdue list are built in the background when large (issue 24,
`portal.training.export_jobs`): their `export:` rows are what a second request meets (the file kept
from the first, on the grown database; built within the request on the demo), and the `export, after a
change:` rows remove the kept files first and time the whole wait — the request (its own `, answer` row,
the page budget), polling the job's page until the link shows, the download — with the worker's CPU
over every thread (the build's included).

"The board right after a write" is measured twice: after a sign-in (audited; the board does not
show it, so it should stay a cache hit) and after a tick on a duty (the board shows it: a fresh render).
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.growth_build import CACHE, ROOT, base_env, cache_key, flask
from bench.growth_copy import copy_database
from bench.load_bench import free_port, percentile, start_gunicorn
from bench.load_users import Client, Log

PASSWORDS = {}  # username -> the fixed demo password (portal.demo)
RATIO_BUDGET = 1.5
CPU = ":cpu"  # the key of a server's CPU times beside its wall times
EXPORT_SPREAD_BUDGET = 2.0


def demo_passwords() -> dict[str, str]:
    from portal.demo import DEMO_ACCOUNTS

    return {a.username: a.password for a in DEMO_ACCOUNTS}


# ---- databases: build once (cached), copy for each run --------------------------------------------

@dataclass
class Store:
    """Where a kind of database lives: SQLite files in the cache folder, or PostgreSQL databases on
    the server `pg` names."""

    pg: str | None
    folder: Path

    @property
    def kind(self) -> str:
        return "PostgreSQL" if self.pg else "SQLite"

    def url(self, name: str) -> str:
        if not self.pg:
            return f"sqlite:///{self.folder / (name + '.db')}"
        import sqlalchemy as sa

        base = sa.engine.make_url(self.pg)
        return base.set(database=f"{base.database}_{name}").render_as_string(hide_password=False)

    def _admin(self):
        import sqlalchemy as sa

        return sa.create_engine(sa.engine.make_url(self.pg), isolation_level="AUTOCOMMIT")

    def exists(self, name: str) -> bool:
        return (self.folder / f"{self.kind}-{name}.done").exists()

    def mark(self, name: str) -> None:
        (self.folder / f"{self.kind}-{name}.done").write_text(self.url(name))

    def create(self, name: str, template: str | None = None) -> str:
        """An empty database (or a copy of `template`) named `name`; returns its URL."""
        if not self.pg:
            path = self.folder / f"{name}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            if template:
                shutil.copyfile(self.folder / f"{template}.db", path)
            return self.url(name)
        import sqlalchemy as sa

        target = sa.engine.make_url(self.url(name)).database
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            source = sa.engine.make_url(self.url(template)).database if template else None
            conn.execute(sa.text(f'CREATE DATABASE "{target}"' + (f' TEMPLATE "{source}"' if source else "")))
        engine.dispose()
        return self.url(name)

    def drop(self, name: str) -> None:
        if not self.pg:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.folder / name}.db{suffix}").unlink(missing_ok=True)
            return
        import sqlalchemy as sa

        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(self.url(name)).database}" WITH (FORCE)'))
        engine.dispose()


def ensure_built(store: Store, scale: float, key: str, copy_from: Store | None = None) -> tuple[str, str]:
    """The cached demo and grown databases' names, building what is missing (on PostgreSQL the grown
    one is a copy of the SQLite one, `copy_from`, unless that is None: bench/growth_copy.py)."""
    demo, grown = f"gdemo_{key}".replace("-", "_").replace(".", "_"), f"ggrown_{key}".replace("-", "_").replace(".", "_")
    work = store.folder / "work"
    work.mkdir(parents=True, exist_ok=True)
    if not store.exists(demo):
        print(f"building the demo database ({store.kind})…", flush=True)
        url = store.create(demo)
        flask(base_env(url, work), "setup", "--demo", "--fixed-passwords")
        store.mark(demo)
    if not store.exists(grown) and copy_from is not None:
        _, source = ensure_built(copy_from, scale, key)
        print(f"copying the grown SQLite database into {store.kind}…", flush=True)
        url = store.create(grown)
        copy_database(copy_from.url(source), url, base_env(url, work), ROOT)
        store.mark(grown)
    if not store.exists(grown):
        print(f"growing a copy by ten years at scale {scale:g} ({store.kind}; cached for later runs)…", flush=True)
        start = time.monotonic()
        url = store.create(grown, template=demo)
        subprocess.run([sys.executable, "-m", "bench.growth_build", url, str(work), str(scale)], cwd=ROOT, check=True,
                       env=base_env(url, work))
        if "training-tally" in flask(base_env(url, work), "--help"):  # completions went in bulk: recount
            flask(base_env(url, work), "training-tally", "--rebuild")
        store.mark(grown)
        print(f"grown in {time.monotonic() - start:.0f} s", flush=True)
    return demo, grown


# ---- serving and timing ---------------------------------------------------------------------------

@dataclass
class Served:
    label: str
    url: str
    folder: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    worker: int = 0
    clients: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def env(self) -> dict:
        return base_env(self.url, self.folder)

    def start(self) -> None:
        flask(self.env(), "setup")  # the production upgrade: migrations, content sync, search index
        flask(self.env(), "training-tally", "--rebuild")  # the summary as the daily job leaves it (past dues folded)
        give_second_factor(self.url)
        self.ids = object_ids(self.url)
        self.port = free_port()
        self.proc = start_gunicorn(self.env(), self.port, 1, self.folder / "gunicorn.log")
        for _ in range(3):
            Client(self.port, 0, Log()).request("", "GET", "/login")

    def cpu_ns(self) -> int:
        """Time the worker has spent on a CPU (ns, /proc/<pid>/schedstat): what a request cost the app
        itself, whatever the machine's load (on PostgreSQL the database's own work is not in it)."""
        if not self.worker:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            self.worker = int(children[0])
        return int(Path(f"/proc/{self.worker}/schedstat").read_text().split()[0])

    def process_cpu_ns(self) -> int:
        """The worker process's CPU time, every thread's (utime + stime of /proc/<pid>/stat, in clock
        ticks): a background export's thread included."""
        self.cpu_ns()  # finds the worker
        fields = Path(f"/proc/{self.worker}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")

    def memory_mib(self) -> float:
        """The worker's proportional set size (its own pages plus its share of those shared with the master)."""
        for line in Path(f"/proc/{self.worker}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def client(self, username: str) -> Client:
        if username not in self.clients:
            c = Client(self.port, 0, Log(), timeout=300)
            assert sign_in(c, username), f"{username} could not sign in ({self.label})"
            self.clients[username] = c
        return self.clients[username]

    def stop(self) -> None:
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# The administrators (三员) must sign in with a second factor: the bench gives theirs a known secret
# (as enrolment would) and answers the code step with it.
SECOND_FACTOR = {"admin": "JBSWY3DPEHPK3PXPGROWTHADMIN2345A", "auditor": "JBSWY3DPEHPK3PXPGROWTHAUDIT2345A"}


def give_second_factor(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for username, secret in SECOND_FACTOR.items():
            conn.execute(sa.text("UPDATE user_account SET totp_secret = :s, totp_last_step = NULL, "
                                 "totp_enabled_at = CURRENT_TIMESTAMP WHERE username = :u"), {"s": secret, "u": username})
    engine.dispose()


def sign_in(client: Client, username: str) -> bool:
    """The password step, then (for an administrator) the code step."""
    import pyotp  # lazy: only the administrators need it

    if username not in SECOND_FACTOR:
        return client.login(username, PASSWORDS[username])
    client.request("", "GET", "/login")
    status, _, headers = client.request("", "POST", "/login", {"username": username, "password": PASSWORDS[username],
                                                               "csrf_token": client.csrf})
    if status != 302 or "/login/code" not in headers.get("location", ""):
        return False
    client.request("", "GET", "/login/code")
    status, _, _ = client.request("", "POST", "/login/code", {"code": pyotp.TOTP(SECOND_FACTOR[username]).now(),
                                                              "csrf_token": client.csrf})
    if status == 302:
        client.request("", "GET", "/")
    return status == 302


def object_ids(url: str) -> dict:
    """Ids the pages' addresses need, looked up by key (the same objects in both databases)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        def one(sql: str, **params):
            return conn.execute(sa.text(sql), params).scalar()

        out = {
            "training_duty": one("SELECT id FROM duty_instance WHERE key = 'grassroots-training@yanhu-mz'"),
            "transfer_duty": one("SELECT id FROM duty_instance WHERE key = 'transfer-children@yanhu-mz'"),
            "trainee": one("SELECT id FROM trainee WHERE phone = '19900000002'"),
            "session": one("SELECT min(id) FROM training_session"),
            "tick_item": one("SELECT min(i.id) FROM checklist_item i JOIN duty_instance d ON d.id = i.instance_id "
                             "WHERE d.key = 'transfer-children@yanhu-mz' AND NOT i.archived"),
        }
    engine.dispose()
    return out


def pages(month: str) -> list[tuple[str, str, object]]:
    """(label, username, path or a function of the server's ids) of every main page."""
    return [
        ("home: admin", "admin", "/"), ("home: leader", "leader", "/"), ("home: liaison", "liaison-yanhu", "/"),
        ("home: city trainer", "trainer", "/"), ("home: county trainer", "trainer-yanhu", "/"),
        ("home: staff", "staff", "/"),  # a 学员's home is 我的培训 (below)
        ("台账 (leader)", "leader", "/tasks/"), ("台账 all units", "leader", "/tasks/?unit="),
        ("台账 (county liaison)", "liaison-yanhu", "/tasks/"),
        ("duty page (training)", "admin", lambda ids: f"/tasks/{ids['training_duty']}"),
        ("duty page (transfer)", "liaison-yanhu", lambda ids: f"/tasks/{ids['transfer_duty']}"),
        ("board (cached)", "leader", "/board"),
        ("board after a sign-in", "leader", "/board"),
        ("board after a tick", "leader", "/board"),
        ("board: county filter", "leader", "/board?county=yanhu"),
        ("county page", "leader", "/board/counties/yanhu"), ("transfer page", "leader", "/board/transfer"),
        ("decisions", "leader", "/board/decisions"), ("supervision queue", "admin", "/supervision/"),
        ("supervision coverage", "admin", "/supervision/coverage"),
        ("通报 page", "leader", "/board/report"),
        ("training overview (city)", "trainer", "/training/"),
        ("training overview (county)", "trainer-yanhu", "/training/"),
        ("全市汇总", "trainer", "/training/reports/city"),
        ("全市汇总 (county trainer)", "trainer-yanhu", "/training/reports/city"),
        ("matrix 盐湖区", "trainer", "/training/reports/matrix?county=yanhu"),
        ("overdue list", "trainer", "/training/reports/overdue"),
        ("overdue list (county)", "trainer-yanhu", "/training/reports/overdue"),
        ("roster 盐湖区", "trainer", "/training/roster?county=yanhu"),
        ("sign-in sheets", "trainer", "/training/sessions"),
        ("a sign-in sheet", "trainer", lambda ids: f"/training/sessions/{ids['session']}"),
        ("a trainee's page", "trainer", lambda ids: f"/training/trainees/{ids['trainee']}"),
        ("assign page", "trainer", "/training/assign"), ("modules", "trainer", "/training/modules"),
        ("areas", "trainer-yanhu", "/training/areas"), ("my training", "trainee", "/training/my"),
        ("reports index", "liaison-yanhu", "/reports/"),
        ("month report", "liaison-yanhu", f"/reports/yanhu-mz/{month}"),
        ("search", "staff", "/search?q=%E5%84%BF%E7%AB%A5%E7%A6%8F%E5%88%A9"),
        ("audit log", "auditor", "/admin/audit/"), ("users", "admin", "/admin/users"), ("units", "staff", "/units/"),
        ("API progress", "leader", "/api/progress"), ("API training", "trainer", "/api/training"),
        ("API duties", "liaison-yanhu", "/api/duties"), ("API search", "staff", "/api/search?q=%E7%9B%91%E6%8A%A4"),
        ("export: 台账 .xlsx", "leader", "/tasks/export.xlsx"), ("export: 台账 .csv", "leader", "/tasks/export.csv"),
        ("export: 通报 .docx", "leader", "/board/report.docx"), ("export: 通报 .xlsx", "leader", "/board/report.xlsx"),
        ("export: matrix .xlsx", "trainer", MATRIX_XLSX),  # the kept file once built (ten years), direct (demo)
        ("export: overdue .xlsx (city)", "trainer", OVERDUE_XLSX),
        (FRESH + "matrix .xlsx", "trainer", MATRIX_XLSX),  # request → ready → download, nothing kept
        (FRESH + "overdue .xlsx (city)", "trainer", OVERDUE_XLSX),
        ("export: 全市汇总 .xlsx", "trainer", "/training/reports/city?format=xlsx"),
        ("export: coverage .xlsx", "trainer", "/training/coverage/yanhu.xlsx"),
    ]


MATRIX_XLSX = "/training/reports/matrix?county=yanhu&format=xlsx"
OVERDUE_XLSX = "/training/reports/overdue?format=xlsx"
# A whole-roster file asked for after its figures changed (the kept files removed first, not timed):
# the request (a background export's page when large: its own row, `ANSWERED`), polling the job's page
# (htmx's request, every `POLL` s; a browser polls every second) until the link shows, then the
# download. The row's wall time is the whole wait; its CPU is the worker process's, every thread (the
# build runs in a thread of the worker). Not a page: the ratio is printed, the budget is the request's.
FRESH = "export, after a change: "
ANSWERED = ", answer"
POLL = 0.05


def _before(label: str, server: Served, tick_state: dict) -> None:
    """The write that precedes a 'right after a write' measure (not timed)."""
    if label.startswith(FRESH):
        shutil.rmtree(server.folder / "uploads" / "staging" / "exports", ignore_errors=True)
    elif label == "board after a sign-in":
        Client(server.port, 0, Log()).login("staff", PASSWORDS["staff"])
    elif label == "board after a tick":
        admin = server.client("admin")
        iid, item = server.ids["transfer_duty"], server.ids["tick_item"]
        done = tick_state.get(server.label, False)
        status, _, _ = admin.request("", "POST", f"/tasks/{iid}/items/{item}", {"done": "0" if done else "1",
                                                                                "csrf_token": admin.csrf}, htmx=True)
        tick_state[server.label] = not done if status == 200 else done


def time_pages(servers: list[Served], rounds: int, month: str, only: str = "") -> dict[str, dict[str, list[float]]]:
    """label -> server label -> milliseconds, requests alternating between the servers."""
    times: dict[str, dict[str, list[float]]] = {}
    failures: dict[str, str] = {}
    tick_state: dict = {}
    wanted = [part.strip() for part in only.split(",") if part.strip()]
    for label, user, path in pages(month):
        if wanted and not any(part in label for part in wanted):
            continue
        times[label] = {k: [] for s in servers for k in (s.label, s.label + CPU)}
        for r in range(rounds + 1):  # the first round warms (and fills the board's cache)
            order = servers if r % 2 == 0 else list(reversed(servers))
            for server in order:
                target = path(server.ids) if callable(path) else path
                _before(label, server, tick_state)
                client = server.client(user)
                if label.startswith(FRESH):
                    times.setdefault(label + ANSWERED, {k: [] for s in servers for k in (s.label, s.label + CPU)})
                    status, whole, answered = export_flow(client, target, server.process_cpu_ns)
                    measured = {label: whole, label + ANSWERED: answered}
                elif label.startswith("export:"):  # a background export's page on the first (warming) round
                    status, whole, _ = export_flow(client, target, server.cpu_ns)
                    measured = {label: whole}
                else:
                    start, cpu = time.perf_counter(), server.cpu_ns()
                    status, _, _ = client.request("", "GET", target)
                    measured = {label: ((time.perf_counter() - start) * 1000, (server.cpu_ns() - cpu) / 1e6)}
                if status != 200:
                    failures[label] = f"{server.label}: HTTP {status} for {target}"
                elif r:
                    for key, (ms, cpu_ms) in measured.items():
                        times[key][server.label].append(ms)
                        times[key][server.label + CPU].append(cpu_ms)
    for label, why in failures.items():
        print(f"  {label}: {why}")
    return times


def export_flow(client: Client, target: str, cpu_ns) -> tuple[int, tuple, tuple]:
    """(status, (ms, cpu ms) of the whole flow, (ms, cpu ms) of the first answer) of asking for a file:
    served at once (small or kept), or a job's page polled until its download link shows, then the file."""
    start, cpu = time.perf_counter(), cpu_ns()
    status, _, headers = client.request("", "GET", target)
    answered = ((time.perf_counter() - start) * 1000, (cpu_ns() - cpu) / 1e6)
    if status == 303:
        page = headers.get("location", "")
        page = page[page.index("/training/"):] if "/training/" in page else page
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            status, body, _ = client.request("", "GET", page, htmx=True)
            if status != 200 or "export-download" in body or "导出未完成" in body:
                break
            time.sleep(POLL)
        status, _, _ = client.request("", "GET", page + "/file")
    whole = ((time.perf_counter() - start) * 1000, (cpu_ns() - cpu) / 1e6)
    return status, whole, answered


def print_table(kind: str, times: dict, demo: str, grown: str) -> bool:
    import statistics

    print(f"\n{kind}: every main page, demo vs grown (ten years), load average {os.getloadavg()[0]:.2f}")
    print(f"{'page':<46}{'demo p50':>10}{'p95':>9}{'grown p50':>11}{'p95':>9}{'ratio':>8}"
          f"{'cpu demo':>10}{'grown':>8}{'ratio':>7}  budget (wall ratio)")
    ok = True
    for label, by in times.items():
        a, b = by.get(demo) or [], by.get(grown) or []
        if not a or not b:
            print(f"{label:<46}{'n/a':>10}")
            ok = False
            continue
        p50a, p50b = statistics.median(a), statistics.median(b)
        ratio = p50b / p50a
        waits = label.startswith(FRESH) and not label.endswith(ANSWERED)  # the wait for a file, not a page
        verdict = "(a wait, not a page)" if waits else "PASS" if ratio <= RATIO_BUDGET else "FAIL"
        extra = ""
        if label.startswith("export") and not waits:
            spread = percentile(b, 95) / p50b
            extra = f"; grown p95/p50 {spread:.2f} ≤ {EXPORT_SPREAD_BUDGET:g} {'PASS' if spread <= EXPORT_SPREAD_BUDGET else 'FAIL'}"
            ok &= spread <= EXPORT_SPREAD_BUDGET
        ok &= waits or ratio <= RATIO_BUDGET
        ca, cb = statistics.median(by[demo + CPU]), statistics.median(by[grown + CPU])
        print(f"{label:<46}{p50a:>10.1f}{percentile(a, 95):>9.1f}{p50b:>11.1f}{percentile(b, 95):>9.1f}{ratio:>7.2f}x"
              f"{ca:>10.1f}{cb:>8.1f}{cb / ca if ca else 0:>6.2f}x  ≤ {RATIO_BUDGET:g}x {verdict}{extra}")
    return ok


def run_kind(store: Store, args, key: str) -> bool:
    copy_from = Store(None, store.folder) if store.pg and not args.pg_build else None
    demo_name, grown_name = ensure_built(store, args.scale, key, copy_from)
    tmp = Path(tempfile.mkdtemp(prefix="growth-bench-"))
    copies = {"demo": f"gx_demo_{os.getpid()}", "grown": f"gx_grown_{os.getpid()}"}
    servers = []
    try:
        for label, source in (("demo", demo_name), ("grown", grown_name)):
            url = store.create(copies[label], template=source)
            servers.append(Served(label, url, tmp / label))
        for s in servers:
            s.start()
        from portal.reports.services import current_month
        with _app_context(servers[0]):
            month = current_month()
        ok = print_table(store.kind, time_pages(servers, args.rounds, month, args.only), "demo", "grown")
        print("serving worker's memory after the run (PSS): "
              + ", ".join(f"{s.label} {s.memory_mib():.0f} MiB" for s in servers))
    finally:
        for s in servers:
            s.stop()
        for name in copies.values():
            store.drop(name)
        shutil.rmtree(tmp, ignore_errors=True)
    if not args.no_load:
        ok &= run_load(store, grown_name, args)
    return ok


def _app_context(server: Served):
    from portal import create_app

    os.environ.update({k: v for k, v in server.env().items() if k.startswith(("DATABASE_URL", "PORTAL_"))})
    return create_app({"INSTANCE_PATH": str(server.folder)}).app_context()


def run_load(store: Store, grown_name: str, args) -> bool:
    """`bench load` on a copy of the grown database."""
    from bench import load_bench

    name = f"gx_load_{os.getpid()}"
    url = store.create(name, template=grown_name)
    try:
        print(f"\n50-user load on a copy of the grown database ({store.kind}):", flush=True)
        code = load_bench.main(["--users", str(args.users), "--seconds", str(args.seconds), "--workers",
                                str(args.workers), "--existing-database", url])
    finally:
        store.drop(name)
    return code == 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench growth")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the issue's ten years (50,000 trainees)")
    parser.add_argument("--pg", default="", help="PostgreSQL URL: also measure there (after SQLite)")
    parser.add_argument("--pg-only", action="store_true", help="with --pg: skip SQLite")
    parser.add_argument("--pg-build", action="store_true",
                        help="with --pg: grow on PostgreSQL through the services (~1 h) instead of copying the SQLite build")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-load", action="store_true", help="skip the 50-user load on the grown database")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", default="",
                        help="comma-separated parts of page labels: time only those pages (for a quick look)")
    args = parser.parse_args(argv)
    PASSWORDS.update(demo_passwords())
    key = cache_key(args.scale)
    stores = [] if args.pg and args.pg_only else [Store(None, CACHE / key)]
    if args.pg:
        stores.append(Store(args.pg, CACHE / key))
    for s in stores:
        s.folder.mkdir(parents=True, exist_ok=True)
    ok = True
    for store in stores:
        ok &= run_kind(store, args, key)
    print("\nevery budget PASS" if ok else "\nsome budgets missed (ratios above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
