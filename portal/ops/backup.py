"""One consistent archive of an instance, and its restore into an empty one.

The archive (a .tar.gz) holds:
  manifest.json      format, time, database kind, schema revision, content version, file hashes
  database.sqlite    SQLite: a snapshot taken with SQLite's online backup API
  database.pgdump    PostgreSQL: `pg_dump --format=custom` (one consistent snapshot)
  uploads/...        every uploaded file
  secret_key         instance/secret_key, when the key lives there

Consistency while the app serves: the database is snapshotted first, then the uploads copied.
Uploads are written to disk before the row that names them is committed, so every file the
snapshot names is already on disk; a file uploaded later is copied too and is harmless.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.extensions import db

FORMAT = 1
PG_BIN_DIRS = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")


class BackupError(RuntimeError):
    """A message for the operator; nothing was changed."""


@dataclass
class Summary:
    path: Path
    database: str
    files: int
    bytes: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_version(content_dir: Path) -> str:
    """A hash over every file under content/ (names and bytes): which content the data was synced from."""
    digest = hashlib.sha256()
    for path in sorted(p for p in content_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(content_dir)).encode() + b"\0")
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def pg_tool(name: str) -> str:
    override = os.environ.get("PORTAL_PG_BIN")
    candidates = ([override] if override else []) + list(PG_BIN_DIRS)
    for folder in candidates:
        tool = Path(folder) / name
        if tool.exists():
            return str(tool)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} not found: install the postgresql client or set PORTAL_PG_BIN")


def _pg_args(url: sa.engine.URL) -> tuple[list[str], dict]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--dbname", url.database or ""]
    if url.username:
        args += ["--username", url.username]
    options = url.query.get("options")
    if options:
        env["PGOPTIONS"] = options if isinstance(options, str) else " ".join(options)
    return args, env


def _run(cmd: list[str], env: dict) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _sqlite_path(url: sa.engine.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _snapshot_database(url: sa.engine.URL, workdir: Path) -> Path:
    if url.get_backend_name() == "sqlite":
        target = workdir / "database.sqlite"
        source = sqlite3.connect(str(_sqlite_path(url)))
        dest = sqlite3.connect(str(target))
        try:
            with dest:
                source.backup(dest)  # online and consistent, even while others write
        finally:
            dest.close()
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        target = workdir / "database.pgdump"
        args, env = _pg_args(url)
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env)
        return target
    raise BackupError(f"unsupported database: {url.get_backend_name()}")


def _upload_files(upload_dir: Path) -> list[Path]:
    if not upload_dir.exists():
        return []
    return sorted(p for p in upload_dir.rglob("*") if p.is_file() and not p.name.endswith(".part"))


def _schema_revision() -> str:
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) or ""
    except sa.exc.DBAPIError:
        db.session.rollback()
        return ""


def backup(archive: Path) -> Summary:
    url = db.engine.url
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    key_file = Path(current_app.instance_path) / "secret_key"
    archive = archive.resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        workdir = Path(tmp)
        dump = _snapshot_database(url, workdir)  # first the database, then the files it names
        files = []
        for path in _upload_files(upload_dir):
            files.append({"path": "uploads/" + path.relative_to(upload_dir).as_posix(), "source": path})
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "database": url.get_backend_name(),
            "database_file": dump.name,
            "database_sha256": sha256_file(dump),
            "schema_revision": _schema_revision(),
            "content_version": content_version(Path(current_app.config["CONTENT_DIR"])),
            "secret_key": key_file.exists(),
            "files": [],
        }
        partial = archive.with_name(archive.name + ".part")
        total = 0
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            for entry in files:
                source: Path = entry["source"]
                try:
                    data = source.read_bytes()
                except FileNotFoundError:
                    continue
                info = tarfile.TarInfo(entry["path"])
                info.size = len(data)
                info.mtime = int(source.stat().st_mtime) if source.exists() else 0
                tar.addfile(info, io.BytesIO(data))
                manifest["files"].append({"path": entry["path"], "size": len(data),
                                          "sha256": hashlib.sha256(data).hexdigest()})
                total += len(data)
            if key_file.exists():
                tar.add(key_file, arcname="secret_key")
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        os.replace(partial, archive)
    return Summary(archive, url.get_backend_name(), len(manifest["files"]), total)


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember("manifest.json")
    except KeyError:
        raise BackupError("not a portal backup: manifest.json missing") from None
    manifest = json.loads(tar.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
    return manifest


def _database_is_empty(url: sa.engine.URL) -> bool:
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return True
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            return not tables
    finally:
        engine.dispose()


def restore(archive: Path) -> Summary:
    """Restore into an empty instance: no tables in the database, no files in the upload folder."""
    url = db.engine.url
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    key_file = Path(current_app.instance_path) / "secret_key"
    if not archive.exists():
        raise BackupError(f"{archive}: no such file")
    db.session.remove()
    db.engine.dispose()
    if not _database_is_empty(url):
        raise BackupError("the database is not empty: restore only into a new, empty database")
    if _upload_files(upload_dir):
        raise BackupError(f"{upload_dir} is not empty: restore only into an empty upload folder")
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        manifest = read_manifest(tar)
        if manifest["database"] != url.get_backend_name():
            raise BackupError(f"the backup holds a {manifest['database']} database; this instance uses "
                              f"{url.get_backend_name()}")
        workdir = Path(tmp)
        dump = workdir / Path(manifest["database_file"]).name  # never a path from the archive
        with tar.extractfile(manifest["database_file"]) as source, open(dump, "wb") as target_file:
            shutil.copyfileobj(source, target_file)
        if sha256_file(dump) != manifest["database_sha256"]:
            raise BackupError("the database snapshot in the backup is damaged (checksum differs)")
        for entry in manifest["files"]:  # check every file before writing anything
            data = tar.extractfile(entry["path"]).read()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise BackupError(f"{entry['path']} in the backup is damaged (checksum differs)")
        if url.get_backend_name() == "sqlite":
            target = _sqlite_path(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(dump, str(target) + ".part")
            os.replace(str(target) + ".part", target)
        else:
            args, env = _pg_args(url)
            _run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  *args, str(dump)], env)
        total = 0
        for entry in manifest["files"]:
            data = tar.extractfile(entry["path"]).read()
            destination = upload_dir / entry["path"].removeprefix("uploads/")
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            total += len(data)
        if manifest.get("secret_key"):
            key = tar.extractfile("secret_key").read()
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_bytes(key)
            key_file.chmod(0o600)
    return Summary(archive, manifest["database"], len(manifest["files"]), total)
