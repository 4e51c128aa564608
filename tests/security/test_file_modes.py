"""Files holding people's data are private to the service account (issue 18): the database (and its
-wal/-shm), uploaded evidence, staged uploads, backups and the secret key are 0600, their folders
0700, whatever the umask; `setup` tightens an instance made by an earlier version."""
from __future__ import annotations

import os
import stat
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from portal import create_app
from portal.extensions import db
from tests.conftest import ROOT

PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def usual_umask():
    """The umask most hosts run services with: files 0644, folders 0755 unless the code says otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_instance_keeps_its_files_to_itself(usual_umask, tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), "CONTENT_DIR": str(ROOT / "content"),
                      "SEARCH_INDEX_DIR": str(tmp_path / "search_index"), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
        from portal.units.services import sync_units

        sync_units(Path(app.config["CONTENT_DIR"]))
        db.session.commit()
        from portal.duties import evidence

        path = evidence.store_file("0123456789abcdef0123456789abcdef", PDF)
        with db.engine.begin() as conn:  # a write: the WAL exists now
            conn.execute(sa.text("CREATE TABLE probe (x INTEGER)"))
            conn.execute(sa.text("INSERT INTO probe VALUES (1)"))
        database = Path(sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
        assert mode(instance) == 0o700 and mode(instance / "secret_key") == 0o600
        assert mode(database) == 0o600
        for suffix in ("-wal", "-shm"):
            assert mode(Path(f"{database}{suffix}")) == 0o600, suffix
        uploads = Path(app.config["UPLOAD_DIR"])
        assert mode(uploads) == 0o700 and mode(uploads / "evidence") == 0o700 and mode(path) == 0o600
        runner = app.test_cli_runner()
        archive = tmp_path / "backups" / "portal.tar.gz"
        result = runner.invoke(args=["portal", "backup", str(archive)])
        assert result.exit_code == 0, result.output
        assert mode(archive) == 0o600 and mode(archive.parent) == 0o700
        db.session.remove()
        db.engine.dispose()


def test_setup_makes_an_earlier_instance_private(usual_umask, app, runner, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    (uploads / "evidence").mkdir(parents=True)
    old_file = uploads / "evidence" / "0123456789abcdef0123456789abcdef"
    old_file.write_bytes(PDF)
    os.chmod(uploads, 0o755)
    os.chmod(old_file, 0o644)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(uploads))
    monkeypatch.setattr("portal.cli.upgrade", lambda: None)  # setup's migration is not under test
    monkeypatch.setattr("portal.cli.run_sync", lambda: True)
    monkeypatch.setattr("portal.files.cleanup.ORPHAN_GRACE", __import__("datetime").timedelta(days=365))
    result = runner.invoke(args=["portal", "setup"])
    assert result.exit_code == 0, result.output
    assert "made private" in result.output
    assert mode(uploads) == 0o700 and mode(uploads / "evidence") == 0o700 and mode(old_file) == 0o600


def test_evidence_uploaded_through_the_service_is_private(usual_umask, app, plan):
    from portal.duties import evidence
    from tests.conftest import instance_by_key, make_user

    owner = make_user("mz", "liaison", unit="yanhu-mz")
    piece = evidence.add_evidence(owner, instance_by_key("transfer-children@yanhu-mz"),
                                  FileStorage(BytesIO(PDF), "材料.pdf"))
    assert mode(evidence.evidence_path(piece)) == 0o600
