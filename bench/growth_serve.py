"""The databases and servers `python -m bench growth` compares: the cached demo and grown databases
(SQLite files or PostgreSQL databases, `Store`), built once (`ensure_built`), and a gunicorn serving a
copy of one (`Served`), signed in as the demo's people."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.growth_build import ROOT, base_env, flask
from bench.growth_copy import copy_database
from bench.load_bench import free_port, start_gunicorn
from bench.load_users import Client, Log

PASSWORDS = {}  # username -> the fixed demo password (portal.demo)
# The CPU both servers' workers run on (None: wherever the kernel puts them; the 50-user load is never
# pinned): the demo's and the grown worker are then timed on the same CPU, alternately, so a vCPU that
# is slower than the other for a while (a busy sibling or neighbour on a shared host) cannot pass for a
# page that costs more at ten years.
PIN_CPU: int | None = None


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
        if PIN_CPU is not None:  # both servers' workers on one CPU (`pin`)
            self.cpu_ns()  # finds the worker
            os.sched_setaffinity(self.worker, {PIN_CPU})

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
