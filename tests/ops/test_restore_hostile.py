"""`flask portal restore` with crafted archives (issue 18): a manifest that leads out of the upload
folder (`../../x`, an absolute path), links, hard links, devices and fifos, a database file named
as a path, members the manifest does not list, a member that declares more than the disk holds.
Each is refused before anything is written; the target stays empty and nothing appears outside."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.extensions import db
from tests.ops.test_backup import empty_instance, invoke

pytestmark = pytest.mark.fresh_db

SNAPSHOT = b"not really a database: never reached"


def member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data) if kind == tarfile.REGTYPE else 0
    return info, data


def archive(path: Path, database: str, files: list[dict], members: list, database_file: str = "database.sqlite",
            extra_manifest: dict | None = None) -> Path:
    manifest = {"format": 1, "database": database, "database_file": database_file,
                "database_sha256": hashlib.sha256(SNAPSHOT).hexdigest(), "schema_revision": "", "content_version": "",
                "secret_key": False, "files": files, **(extra_manifest or {})}
    body = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as tar:
        for info, data in [member(database_file, SNAPSHOT), *members, member("manifest.json", body)]:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def entry(path: str, data: bytes) -> dict:
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def kind_of(app) -> str:
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def refused(app_config, tmp_path, make, expected: str) -> None:
    """Restore the crafted archive into an empty instance: refused with `expected`, nothing written."""
    with empty_instance(app_config, tmp_path, "target") as target:
        crafted = make(kind_of(target))
        result = invoke(target, "restore", crafted)
        assert result.exit_code == 1, result.output
        assert expected in result.output, result.output
        with target.app_context(), db.engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
        uploads = Path(target.config["UPLOAD_DIR"])
        assert not uploads.exists() or not any(uploads.rglob("*"))
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and "target" not in p.parts and p.suffix != ".gz"]
    assert outside == [], outside


PAYLOAD = b"written where it should not be"


def test_a_manifest_leading_out_of_the_upload_folder_is_refused(app, app_config, tmp_path):
    def make(kind):
        name = "uploads/../../escaped.txt"
        return archive(tmp_path / "dotdot.tar.gz", kind, [entry(name, PAYLOAD)], [member(name, PAYLOAD)])

    refused(app_config, tmp_path, make, "'uploads/../../escaped.txt' in the backup is not a name a backup writes")
    assert not (tmp_path / "escaped.txt").exists()


def test_a_manifest_path_that_differs_from_its_member_is_refused(app, app_config, tmp_path):
    """The member has a harmless name; the manifest points the write elsewhere."""
    def make(kind):
        return archive(tmp_path / "redirect.tar.gz", kind, [entry("uploads/../../../escaped.txt", PAYLOAD)],
                       [member("uploads/evidence/a", PAYLOAD)])

    refused(app_config, tmp_path, make, "the manifest names 'uploads/../../../escaped.txt', outside the upload folder")


def test_an_absolute_path_is_refused(app, app_config, tmp_path):
    target = tmp_path / "absolute.txt"

    def make(kind):
        return archive(tmp_path / "abs.tar.gz", kind, [entry(str(target), PAYLOAD)], [member(str(target), PAYLOAD)])

    refused(app_config, tmp_path, make, "is not a name a backup writes")
    assert not target.exists()


@pytest.mark.parametrize("kind, link", [
    (tarfile.SYMTYPE, "/etc/passwd"),
    (tarfile.LNKTYPE, "database.sqlite"),
    (tarfile.CHRTYPE, ""),
    (tarfile.FIFOTYPE, ""),
    (tarfile.DIRTYPE, ""),
])
def test_links_and_special_files_are_refused(app, app_config, tmp_path, kind, link):
    def make(db_kind):
        return archive(tmp_path / "special.tar.gz", db_kind, [entry("uploads/evidence/a", b"")],
                       [member("uploads/evidence/a", kind=kind, link=link)])

    refused(app_config, tmp_path, make, "'uploads/evidence/a' in the backup is a link or special file")


def test_a_database_file_named_as_a_path_is_refused(app, app_config, tmp_path):
    def make(kind):
        return archive(tmp_path / "dbpath.tar.gz", kind, [], [], database_file="../../evil.sqlite")

    refused(app_config, tmp_path, make, "'../../evil.sqlite' in the backup is not a name a backup writes")


def test_members_the_manifest_does_not_list_are_refused(app, app_config, tmp_path):
    def make(kind):
        return archive(tmp_path / "extra.tar.gz", kind, [], [member("uploads/evidence/unlisted", PAYLOAD)])

    refused(app_config, tmp_path, make, "the backup holds files its manifest does not list: uploads/evidence/unlisted")


def test_a_member_declaring_more_than_the_disk_holds_is_refused_from_its_header(app, app_config, tmp_path):
    """A forged header says 64 TB: refused before the archive is read past it (the data is not there)."""
    def make(kind):
        info = tarfile.TarInfo("uploads/evidence/huge")
        info.size = 64 << 40
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tar:
            info_db, data = member("database.sqlite", SNAPSHOT)
            tar.addfile(info_db, io.BytesIO(data))
            first = tar.offset  # where the end-of-archive blocks begin
        header = info.tobuf(tarfile.GNU_FORMAT)
        path = tmp_path / "huge.tar.gz"
        path.write_bytes(gzip.compress(raw.getvalue()[:first] + header + b"\0" * 4096))
        return path

    refused(app_config, tmp_path, make, "the backup unpacks to more than the")


def test_a_real_backup_still_restores(app, app_config, runner, tmp_path):
    from tests.conftest import make_user

    make_user("someone", "staff")
    db.session.commit()
    path = tmp_path / "real.tar.gz"
    assert runner.invoke(args=["portal", "backup", str(path)]).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o600  # holds children's records and the session key
    with empty_instance(app_config, tmp_path, "real") as target:
        result = invoke(target, "restore", path)
        assert result.exit_code == 0, result.output
        with target.app_context():
            assert db.session.scalar(sa.text("SELECT count(*) FROM user_account WHERE username = 'someone'")) == 1
        key = Path(target.instance_path) / "secret_key"
        assert key.stat().st_mode & 0o777 == 0o600
