"""An SQLite file made read-only (a backup tool, a mistaken chmod) and writable again: writes in the
meantime get the 503 page, and the next write after the file is writable succeeds in the same running
app — connections opened while the file was read-only stay read-only in SQLite, so they must not be
kept in the pool.

The app here has an SQLite file of its own whatever database the suite runs on (the fault is SQLite's)."""
from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import request_started

from portal import create_app
from portal.extensions import db
from portal.models import MonthlyReport
from portal.units.services import sync_units
from tests.conftest import AuthActions, _fresh_g
from tests.factories import gen_liaison


@contextmanager
def read_only(path: Path):
    """The file's mode says read-only; root ignores modes, so as root the file is made immutable too."""
    as_root = os.geteuid() == 0
    path.chmod(0o444)
    if as_root:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def test_writes_recover_by_themselves_once_the_sqlite_file_is_writable_again(app_config, tmp_path):
    path = tmp_path / "portal.db"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    request_started.connect(_fresh_g, app)  # requests inside the test's app context: a fresh `g` each
    with app.app_context():
        db.create_all()
        assert sync_units(Path(app.config["CONTENT_DIR"])).ok
        db.session.commit()
        gen_liaison("ro-mz")
        auth = AuthActions(app.test_client())
        assert auth.login("ro-mz").status_code == 302
        url = "/reports/yanhu-mz/2026-11"
        db.session.remove()
        db.engine.dispose()  # the next connections are opened while the file is read-only
        try:
            with read_only(path):
                assert auth.client.get(url).status_code == 200  # reading still works
                refused = auth.post(url, {"progress": "只读时写的", "version": "0", "submit": "0"})
                assert refused.status_code == 503 and "数据库暂时不可用" in refused.get_data(as_text=True)
            saved = auth.post(url, {"progress": "恢复后写的", "version": "0", "submit": "0"})
            assert saved.status_code == 302, saved.get_data(as_text=True)[:300]
            assert db.session.scalar(sa.select(MonthlyReport.progress)) == "恢复后写的"
        finally:
            db.session.remove()
            db.engine.dispose()
