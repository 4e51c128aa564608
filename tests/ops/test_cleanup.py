"""Files left behind (issue 18): what a kill -9 mid-upload leaves (a complete evidence file no record
names, a long `.part`), a failed database write's file, unconfirmed roster previews and statute
uploads — removed by `flask portal cleanup` (also at `setup` and a worker's start) after their grace
period; a roster preview never goes into a backup."""
from __future__ import annotations

import os
import re
import tarfile
import time
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from portal.core.time import utcnow
from portal.duties import evidence as evidence_module
from portal.extensions import db
from portal.files import cleanup
from portal.models import Evidence, ImportJob
from tests.conftest import instance_by_key, make_user
from tests.training.helpers import csv_bytes

PDF = b"%PDF-1.4\n% evidence\n"
HOURS = 3600


@pytest.fixture(autouse=True)
def own_folders(app, tmp_path, monkeypatch):
    """An upload and instance folder of the test's own: the session's shared one holds other tests' files."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    (tmp_path / "instance").mkdir()


def aged(path: Path, hours: float) -> Path:
    then = time.time() - hours * HOURS
    os.utime(path, (then, then))
    return path


def upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def left_behind(app, relative: str, data: bytes = b"x", hours: float = 0) -> Path:
    path = upload_dir(app) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return aged(path, hours)


def test_cleanup_removes_what_crashes_and_unconfirmed_uploads_left_and_nothing_else(app, plan, runner):
    owner = make_user("mz", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    kept = evidence_module.add_evidence(owner, inst, FileStorage(BytesIO(PDF), "材料.pdf"))
    kept_file = aged(evidence_module.evidence_path(kept), 48)  # an old file its record names
    # what kill -9 left mid-upload: the complete file whose record never committed, and a long .part
    orphan = left_behind(app, "evidence/0123456789abcdef0123456789abcdef", PDF, hours=2)
    part = left_behind(app, "evidence/.fedcba9876543210fedcba9876543210.part", b"\0" * (19 << 20), hours=2)
    just_written = left_behind(app, "evidence/00112233445566778899aabbccddeeff", PDF)  # its row commits next
    being_written = left_behind(app, "evidence/.00112233445566778899aabbccddee00.part", b"x")
    stale_preview = left_behind(app, "staging/roster/" + "a" * 32 + ".csv", csv_bytes("张三,儿童主任,盐湖区,北城街道,红旗社区,13800000001,,"),
                                hours=25)
    fresh_preview = left_behind(app, "staging/roster/" + "b" * 32 + ".xlsx", b"PK", hours=1)
    stale_batch = left_behind(app, "staging/policy/0123456789abcdef/法规.md", b"# x", hours=30).parent
    aged(stale_batch, 30)
    legacy_preview = left_behind(app, "roster/" + "c" * 32 + ".csv", b"name,phone", hours=100)  # kept by earlier versions

    result = runner.invoke(args=["portal", "cleanup", "--dry-run"])
    assert result.exit_code == 0 and f"would remove {orphan}" in result.output
    assert orphan.exists() and part.exists()  # a dry run removes nothing

    result = runner.invoke(args=["portal", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "1 unfinished .part file(s) removed" in result.output
    assert "1 evidence file(s) no record names removed" in result.output
    assert "3 stale staged upload(s) removed" in result.output
    for gone in (orphan, part, stale_preview, stale_batch, legacy_preview):
        assert not gone.exists(), gone
    for still in (kept_file, just_written, being_written, fresh_preview):
        assert still.exists(), still
    assert db.session.get(Evidence, kept.id) is not None


def test_a_failed_database_write_leaves_no_uploaded_file(app, plan, monkeypatch):
    owner = make_user("mz", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")

    def database_fails(instance):
        raise sa.exc.OperationalError("UPDATE duty_instance", {}, Exception("database is locked"))

    monkeypatch.setattr(evidence_module, "touch", database_fails)
    with pytest.raises(sa.exc.OperationalError):
        evidence_module.add_evidence(owner, inst, FileStorage(BytesIO(PDF), "材料.pdf"))
    assert list((upload_dir(app) / "evidence").iterdir()) == []


@pytest.mark.fresh_db
def test_a_roster_preview_never_goes_into_a_backup(app, runner, auth, tmp_path):
    make_user("tr", "trainer")
    db.session.commit()
    auth.login("tr")
    data = csv_bytes("张三,儿童主任,盐湖区,北城街道,红旗社区,13912345678,,")
    page = auth.post("/training/roster/import", data={"file": (BytesIO(data), "r.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="import-preview"' in page
    staged = list((upload_dir(app) / "staging" / "roster").iterdir())
    assert len(staged) == 1 and staged[0].read_bytes() == data
    legacy = left_behind(app, "roster/" + "d" * 32 + ".csv", data)
    archive = tmp_path / "b.tar.gz"
    result = runner.invoke(args=["portal", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert not any("staging" in n or n.startswith("uploads/roster") for n in names), names
        for member in tar.getmembers():
            if member.isfile():
                assert b"13912345678" not in tar.extractfile(member).read(), member.name
    assert legacy.exists()


def test_abandoned_import_jobs_are_closed_and_uncollected_passwords_erased(app, runner):
    user = make_user("tr", "trainer")
    long_ago = utcnow().replace(microsecond=0) - cleanup.ABANDONED * 2
    abandoned = ImportJob(kind="roster", created_by_id=user.id, state="running", total=100, done=40, message="",
                          owner="gone:1", heartbeat_at=long_ago, payload='[{"name": "张三"}]')
    uncollected = ImportJob(kind="roster", created_by_id=user.id, state="done", total=5, done=5, message="", owner="",
                            finished_at=utcnow() - cleanup.ABANDONED * (cleanup.SECRETS_DAYS + 1), secrets="sealed")
    recent = ImportJob(kind="roster", created_by_id=user.id, state="done", total=5, done=5, message="", owner="",
                       finished_at=utcnow(), secrets="sealed")
    db.session.add_all([abandoned, uncollected, recent])
    db.session.commit()
    result = runner.invoke(args=["portal", "cleanup"])
    assert result.exit_code == 0, result.output
    assert re.search(rf"import job {abandoned.id}: interrupted at row 40 of 100 and not resumed, closed", result.output)
    db.session.expire_all()
    assert (abandoned.state, abandoned.payload) == ("failed", None) and "超过一天未继续" in abandoned.message
    assert uncollected.secrets is None and recent.secrets == "sealed"


def test_setup_and_a_worker_start_sweep_too(app, runner, monkeypatch):
    orphan = left_behind(app, "evidence/0123456789abcdef0123456789abcdef", PDF, hours=2)
    monkeypatch.setattr("portal.cli.upgrade", lambda: None)  # setup's migration is not under test
    monkeypatch.setattr("portal.cli.run_sync", lambda: True)
    result = runner.invoke(args=["portal", "setup"])
    assert result.exit_code == 0, result.output
    assert "cleanup: 1 evidence file(s) no record names removed" in result.output and not orphan.exists()

    orphan = left_behind(app, "evidence/0123456789abcdef0123456789abcdef", PDF, hours=2)
    messages = []

    class Log:
        def info(self, *args):
            messages.append(args[0] % args[1:])

        def warning(self, *args):
            messages.append(args[0] % args[1:])

    (Path(app.instance_path) / "cleanup.stamp").unlink(missing_ok=True)
    cleanup.sweep_at_start(app, Log())
    assert not orphan.exists() and "1 evidence file(s) no record names removed" in messages[0]
    again = left_behind(app, "evidence/0123456789abcdef0123456789abcdef", PDF, hours=2)
    cleanup.sweep_at_start(app, Log())  # within the hour: the next worker does not sweep again
    assert again.exists()
