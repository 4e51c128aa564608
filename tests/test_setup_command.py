"""`make run`'s first step on a new machine: `flask portal setup --demo` builds everything and prints
every demo login, and a second run keeps the data (run as a real process on a scratch instance)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
           "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"), "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads")}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "portal", "setup", *flags],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_setup_with_demo_prints_every_login_and_loads_the_training_demo(tmp_path):
    from portal.demo import DEMO_ACCOUNTS

    first = _setup(tmp_path, "--demo", "--fixed-passwords")
    assert first.returncode == 0, first.stdout + first.stderr
    for demo in DEMO_ACCOUNTS:
        assert f"username: {demo.username}" in first.stdout and demo.password in first.stdout
    assert "training demo: roster:" in first.stdout, first.stdout
    again = _setup(tmp_path, "--demo")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "demo roster already present" in again.stdout


def test_setup_without_demo_creates_no_account(tmp_path):
    """等保 访问控制 b): the portal ships no default account; the first 管理员 comes from `create-user`."""
    import sqlite3

    done = _setup(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "username:" not in done.stdout
    with sqlite3.connect(tmp_path / "portal.db") as conn:
        assert conn.execute("SELECT count(*) FROM user_account").fetchone() == (0,)


def test_setup_gives_new_data_tokens_after_the_migrations(tmp_path):
    """Migrations write records without moving the duty and training tokens (migrations/env.py), and a
    database older than the tokens has none: each setup replaces both, so no file or page kept under a
    token from before an upgrade is served after it."""
    import sqlite3

    def tokens() -> dict:
        with sqlite3.connect(tmp_path / "portal.db") as conn:
            return dict(conn.execute("SELECT id, token FROM refdata_stamp WHERE id IN (2, 3)").fetchall())

    first = _setup(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    before = tokens()
    assert set(before) == {2, 3}
    with sqlite3.connect(tmp_path / "portal.db") as conn:
        conn.execute("DELETE FROM refdata_stamp WHERE id = 3")  # as in a database from before the training token
    again = _setup(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    after = tokens()
    assert set(after) == {2, 3} and after[2] != before[2] and after[3] != before[3]
