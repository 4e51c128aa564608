"""One consistent archive of an instance, and its restore into an empty one.

The archive (a .tar.gz) holds:
  manifest.json      format, time, database kind, schema revision, content version, file hashes
  database.sqlite    SQLite: a snapshot taken with SQLite's online backup API
  database.pgdump    PostgreSQL: `pg_dump --format=custom` (one consistent snapshot)
  uploads/...        every uploaded file
  secret_key         instance/secret_key, when the key lives there
  evidence_key       instance/evidence_key (the key of the encrypted evidence files), when it lives there

Consistency while the app serves: the database is snapshotted first, then the uploads copied.
Uploads are written to disk before the row that names them is committed, so every file the
snapshot names is already on disk; a file uploaded later is copied too and is harmless.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.extensions import db
from portal.files.cleanup import LEGACY_STAGING
from portal.files.staging import STAGING
from portal.files.storage import PART_SUFFIX, PRIVATE_FILE, StorageError, private_dir, write_private

FORMAT = 1
MANIFEST = "manifest.json"
KEY_FILES = ("secret_key", "evidence_key")  # instance files a backup carries (when they live there)
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


# Never in a backup: uploads waiting for a confirmation (a roster preview holds names and phone numbers
# of people not imported), where this and earlier versions keep them; and unfinished writes.
NOT_BACKED_UP = (STAGING, *LEGACY_STAGING)


def _upload_files(upload_dir: Path) -> list[Path]:
    if not upload_dir.exists():
        return []
    return sorted(p for p in upload_dir.rglob("*")
                  if p.is_file() and not p.name.endswith(PART_SUFFIX)
                  and p.relative_to(upload_dir).parts[0] not in NOT_BACKED_UP)


def _schema_revision() -> str:
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) or ""
    except sa.exc.DBAPIError:
        db.session.rollback()
        return ""


def backup(archive: Path) -> Summary:
    url = db.engine.url
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    instance = Path(current_app.instance_path)
    archive = archive.resolve()
    private_dir(archive.parent)
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
            **{name: (instance / name).exists() for name in KEY_FILES},
            "files": [],
        }
        partial = archive.with_name(archive.name + PART_SUFFIX)
        total = 0
        # The archive holds children's records and the session key: 0600 from its first byte.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
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
            for name in KEY_FILES:
                if manifest[name]:
                    key = (instance / name).read_bytes()
                    info = tarfile.TarInfo(name)
                    info.size = len(key)
                    tar.addfile(info, io.BytesIO(key))
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        os.replace(partial, archive)
    return Summary(archive, url.get_backend_name(), len(manifest["files"]), total)


DATABASE_FILES = ("database.sqlite", "database.pgdump")
MAX_MANIFEST = 64 * 1024 * 1024
_UPLOAD_PATH = re.compile(r"^uploads(/[^/\x00\\]+)+$")


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("not a portal backup: manifest.json missing") from None
    if not member.isreg() or member.size > MAX_MANIFEST:
        raise BackupError("not a portal backup: manifest.json is not a plain file of a sensible size")
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except ValueError:
        raise BackupError("not a portal backup: manifest.json is not readable JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"unsupported backup format {manifest.get('format') if isinstance(manifest, dict) else None!r}")
    return manifest


def _members(tar: tarfile.TarFile, room: int) -> dict[str, tarfile.TarInfo]:
    """Every member, each checked from its header before the archive is read past it: a plain file
    (no link, folder, device or fifo) with a name a backup writes, not seen before, and all of them
    together fitting in the free space. A forged archive is refused before anything is unpacked."""
    members: dict[str, tarfile.TarInfo] = {}
    declared = 0
    while True:
        member = tar.next()
        if member is None:
            return members
        if not member.isreg():
            raise BackupError(f"{member.name!r} in the backup is a link or special file: refused")
        if not (member.name in (MANIFEST, *KEY_FILES, *DATABASE_FILES) or _safe_upload_path(member.name)):
            raise BackupError(f"{member.name!r} in the backup is not a name a backup writes: refused")
        if member.name in members:
            raise BackupError(f"{member.name!r} appears twice in the backup: refused")
        declared += member.size
        if declared > room:
            raise BackupError(f"the backup unpacks to more than the {room // (1 << 20)} MB free here: refused")
        members[member.name] = member


def _safe_upload_path(name: str) -> bool:
    """uploads/<relative path>, without '.', '..', empty parts, backslashes or NUL."""
    return bool(_UPLOAD_PATH.match(name)) and not any(part in (".", "..") for part in name.split("/"))


def _check_manifest(manifest: dict, members: dict[str, tarfile.TarInfo], upload_dir: Path) -> list[tuple[dict, Path]]:
    """The manifest agrees with the archive, and every file it names lands inside the upload folder.
    Returns (entry, destination) per file."""
    if manifest.get("database_file") not in DATABASE_FILES or manifest["database_file"] not in members:
        raise BackupError(f"the backup's database file {manifest.get('database_file')!r} is not a database snapshot: refused")
    root = upload_dir.resolve()
    placed = []
    listed = {MANIFEST, manifest["database_file"]} | {name for name in KEY_FILES if manifest.get(name)}
    for entry in manifest.get("files", []):
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not _safe_upload_path(path):
            raise BackupError(f"the manifest names {path!r}, outside the upload folder: refused")
        destination = root / path.removeprefix("uploads/")
        if not _lands_inside(root, destination):
            raise BackupError(f"the manifest names {path!r}, outside the upload folder: refused")
        member = members.get(path)
        if member is None or member.size != entry.get("size"):
            raise BackupError(f"{path} is missing from the backup or has another size than the manifest says")
        listed.add(path)
        placed.append((entry, destination))
    for name in KEY_FILES:
        if manifest.get(name) and name not in members:
            raise BackupError(f"the manifest lists {name} but the backup does not hold it")
    extra = sorted(set(members) - listed)
    if extra:
        raise BackupError(f"the backup holds files its manifest does not list: {', '.join(extra[:5])}: refused")
    return placed


def _lands_inside(root: Path, destination: Path) -> bool:
    """Lexically inside, nothing at the destination yet (not even a dangling link), and the nearest
    folder that exists on the way resolves inside the root (no linked folder leads elsewhere)."""
    if root not in destination.parents or os.path.lexists(destination):
        return False
    folder = destination.parent
    while not folder.exists() and folder != root:
        folder = folder.parent
    resolved = folder.resolve()
    return resolved == root or root in resolved.parents


def _free_space(folder: Path) -> int:
    while not folder.exists():
        folder = folder.parent
    return shutil.disk_usage(folder).free


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
    """Restore into an empty instance: no tables in the database, no files in the upload folder.
    Nothing is written until every member, path and hash of the archive has been checked; files go
    only to the database file, the upload folder and the instance's key files, each 0600."""
    url = db.engine.url
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    instance = Path(current_app.instance_path)
    if not archive.exists():
        raise BackupError(f"{archive}: no such file")
    db.session.remove()
    db.engine.dispose()
    if not _database_is_empty(url):
        raise BackupError("the database is not empty: restore only into a new, empty database")
    if _upload_files(upload_dir):
        raise BackupError(f"{upload_dir} is not empty: restore only into an empty upload folder")
    try:
        with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
            members = _members(tar, _free_space(upload_dir))
            manifest = read_manifest(tar)
            placed = _check_manifest(manifest, members, upload_dir)
            return _restore_checked(tar, manifest, placed, url, Path(tmp), instance, archive)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({type(exc).__name__})") from None
    except (KeyError, TypeError, AttributeError):
        raise BackupError(f"{archive}: the manifest is incomplete or malformed: refused") from None
    except StorageError as exc:
        raise BackupError(f"restore stopped, a file could not be written ({exc.detail})") from None


def _restore_checked(tar, manifest: dict, placed, url, workdir: Path, instance: Path, archive: Path) -> Summary:
    if manifest["database"] != url.get_backend_name():
        raise BackupError(f"the backup holds a {manifest['database']} database; this instance uses "
                          f"{url.get_backend_name()}")
    dump = workdir / manifest["database_file"]  # one of DATABASE_FILES, never a path from the archive
    with tar.extractfile(manifest["database_file"]) as source, open(dump, "wb") as target_file:
        shutil.copyfileobj(source, target_file)
    if sha256_file(dump) != manifest["database_sha256"]:
        raise BackupError("the database snapshot in the backup is damaged (checksum differs)")
    for entry, _ in placed:  # check every file before writing anything
        if _sha256_member(tar, entry["path"]) != entry["sha256"]:
            raise BackupError(f"{entry['path']} in the backup is damaged (checksum differs)")
    if url.get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        with open(dump, "rb") as source:
            write_private(target, source)
    else:
        args, env = _pg_args(url)
        _run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              *args, str(dump)], env)
    total = 0
    for entry, destination in placed:
        with tar.extractfile(entry["path"]) as source:
            total += write_private(destination, source)
    for name in KEY_FILES:
        if manifest.get(name):
            with tar.extractfile(name) as source:
                write_private(instance / name, source)
    return Summary(archive, manifest["database"], len(placed), total)


def _sha256_member(tar: tarfile.TarFile, name: str) -> str:
    digest = hashlib.sha256()
    with tar.extractfile(name) as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
