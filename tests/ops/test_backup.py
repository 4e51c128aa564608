"""Backup while the app writes, restore into an empty instance elsewhere, and compare every table
and every file hash (SQLite and PostgreSQL)."""
from __future__ import annotations

import hashlib
import threading
import uuid
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from portal import create_app
from portal.extensions import db
from portal.ops.backup import NOT_BACKED_UP
from tests.conftest import instance_by_key, make_user

# Several connections commit for real (threads, other processes): not inside a rolled-back test.
pytestmark = pytest.mark.fresh_db

PDF = b"%PDF-1.4\n% evidence "


@contextmanager
def empty_instance(app_config, tmp_path: Path, name: str):
    """A new instance folder, upload folder and empty database of the same kind."""
    base = app_config["SQLALCHEMY_DATABASE_URI"]
    drop = None
    if base.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / name / 'portal.db'}"
    else:
        database = f"{sa.engine.make_url(base).database}_{name}_{uuid.uuid4().hex[:6]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
        url = sa.engine.make_url(base).set(database=database).render_as_string(hide_password=False)

        def drop():
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / name / "instance"),
                      "UPLOAD_DIR": str(tmp_path / name / "uploads")})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if drop:
            drop()


def invoke(app, command: str, path: Path):
    """Run a CLI command against `app` (the test holds another app's context)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["portal", command, str(path)])


def table_rows(app) -> dict[str, list]:
    with app.app_context():
        rows = {}
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                rows[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
        return rows


def file_hashes(app) -> dict[str, str]:
    """The upload folder's files a backup carries: staged previews and kept exports, which another test
    on this worker may have left, are never in a backup (`portal.ops.backup.NOT_BACKED_UP`)."""
    folder = Path(app.config["UPLOAD_DIR"])
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.relative_to(folder).parts[0] not in NOT_BACKED_UP}


def test_backup_while_writing_then_restore_elsewhere(app, app_config, plan, runner, tmp_path):
    from portal.duties import evidence, services
    from portal.models import AuditEntry, DutyNote, Evidence

    make_user("mz", "liaison", unit="yanhu-mz")
    key = "transfer-children@yanhu-mz"
    inst_id = instance_by_key(key).id
    stop = threading.Event()
    written = []
    errors = []

    def writer():
        from portal.models import DutyInstance, User

        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == "mz"))
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                try:
                    inst = db.session.get(DutyInstance, inst_id)
                    services.add_note(user, inst, f"第{n}条记录")
                    inst = db.session.get(DutyInstance, inst_id)
                    evidence.add_evidence(user, inst, FileStorage(BytesIO(PDF + str(n).encode()), f"材料{n}.pdf"))
                    written.append(n)
                except Exception as exc:  # stale edits while racing are fine; anything else is not
                    db.session.rollback()
                    if "修改" not in str(exc):
                        errors.append(repr(exc))
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    while len(written) < 3 and thread.is_alive():
        threading.Event().wait(0.05)
    busy_archive = tmp_path / "busy.tar.gz"
    result = runner.invoke(args=["portal", "backup", str(busy_archive)])
    assert result.exit_code == 0, result.output
    threading.Event().wait(0.3)
    stop.set()
    thread.join()
    assert not errors, errors
    assert len(written) > 3

    # The archive taken under load restores to a consistent instance.
    with empty_instance(app_config, tmp_path, "busy") as target:
        result = invoke(target, "restore", busy_archive)
        assert result.exit_code == 0, result.output
        with target.app_context():
            pieces = db.session.scalars(sa.select(Evidence)).all()
            assert pieces, "the snapshot holds the evidence uploaded before it"
            for piece in pieces:  # every file the database names is there and opens (key restored), byte for byte
                assert hashlib.sha256(evidence.read_evidence(piece)).hexdigest() == piece.sha256
            notes = db.session.scalar(sa.select(sa.func.count(DutyNote.id)))
            audited = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "note"))
            assert notes == audited > 0
        for key in ("secret_key", "evidence_key"):
            assert (Path(target.instance_path) / key).read_text() == (Path(app.instance_path) / key).read_text()

    # Quiet now: a second archive restores to exactly the same tables and files.
    db.session.remove()
    quiet_archive = tmp_path / "quiet.tar.gz"
    assert runner.invoke(args=["portal", "backup", str(quiet_archive)]).exit_code == 0
    with empty_instance(app_config, tmp_path, "quiet") as target:
        result = invoke(target, "restore", quiet_archive)
        assert result.exit_code == 0, result.output
        source, restored = table_rows(app), table_rows(target)
        assert source.keys() == restored.keys()
        for table in source:
            assert restored[table] == source[table], table
        assert sum(len(rows) for rows in source.values()) > 100
        assert file_hashes(target) == file_hashes(app) and len(file_hashes(app)) > 3


def test_restore_refuses_a_non_empty_instance_and_a_damaged_archive(app, app_config, runner, tmp_path):
    archive = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["portal", "backup", str(archive)]).exit_code == 0
    result = runner.invoke(args=["portal", "restore", str(archive)])  # onto itself: not empty
    assert result.exit_code == 1 and "not empty" in result.output
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[:200])
    with empty_instance(app_config, tmp_path, "dmg") as target:
        result = invoke(target, "restore", damaged)
        assert result.exit_code != 0
        with target.app_context(), db.engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []  # nothing partial applied
        assert file_hashes(target) == {}
