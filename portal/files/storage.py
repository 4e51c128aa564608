"""Writing the portal's own files: private to the service account, whole or not at all.

Every file the portal writes holds someone's data (evidence, rosters with phone numbers, statute
uploads, backups, the database), so it is created 0600 in folders created 0700 — the same as
`instance/secret_key` — whatever the process umask says. A file is written under a temporary
`.<name>.part` name beside its final place, flushed to disk and renamed: a full disk, a read-only
folder or a crash leaves no half-written file under the final name, and the temporary one is
removed at once (or, after a kill -9, by `portal.files.cleanup`).
"""
from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO, Iterable

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PART_SUFFIX = ".part"
_BLOCK = 1 << 20

# What a person is told; callers add what did not change (their domain knows).
FULL = "服务器存储空间已满，文件未保存。请联系系统管理员处理后再试。"
FAILED = "服务器暂时无法保存文件（存储目录不可写），文件未保存。请联系系统管理员。"


class StorageError(Exception):
    """A file could not be written; nothing was left behind. `full` tells a full disk (or quota)."""

    def __init__(self, full: bool, detail: str = ""):
        super().__init__(FULL if full else FAILED)
        self.full = full
        self.detail = detail


def private_dir(path: Path) -> Path:
    """The folder, created with its missing parents as 0700 (existing folders are left as they are)."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return path


def part_name(final: Path) -> Path:
    return final.with_name(f".{final.name}{PART_SUFFIX}")


def write_private(final: Path, data: bytes | Iterable[bytes] | BinaryIO) -> int:
    """Write bytes (or blocks, or a readable stream) to `final`, 0600, atomically. Returns the size.
    Raises StorageError when the disk is full or the folder cannot be written."""
    final = Path(final)
    temp = part_name(final)
    size = 0
    fd = None
    try:
        private_dir(final.parent)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)  # an old temporary file keeps its mode through O_CREAT
        for block in _blocks(data):
            view = memoryview(block)
            while view:
                written = os.write(fd, view)
                view = view[written:]
                size += written
        os.fsync(fd)
        os.close(fd)
        fd = None
        os.replace(temp, final)
    except OSError as exc:
        if fd is not None:
            os.close(fd)
        _remove_quietly(temp)
        raise StorageError(exc.errno in (errno.ENOSPC, errno.EDQUOT), f"{type(exc).__name__} errno {exc.errno}") from None
    return size


def _blocks(data) -> Iterable[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data)
    elif hasattr(data, "read"):
        for block in iter(lambda: data.read(_BLOCK), b""):
            yield block
    else:
        yield from data


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def make_private(path: Path) -> None:
    """Tighten an existing file or folder the portal owns to 0600 / 0700 (no error if it is gone)."""
    try:
        os.chmod(path, PRIVATE_DIR if Path(path).is_dir() else PRIVATE_FILE)
    except FileNotFoundError:
        pass


def tighten(root: Path) -> int:
    """Make a folder the portal owns private, and everything in it (files 0600, folders 0700); for
    instances set up by versions that wrote with the umask's modes. Returns how many were changed.
    Links are not followed."""
    root = Path(root)
    if not root.exists():
        return 0
    changed = 0
    paths = [root] + (list(root.rglob("*")) if root.is_dir() else [])
    for path in paths:
        if path.is_symlink():
            continue
        wanted = PRIVATE_DIR if path.is_dir() else PRIVATE_FILE
        if path.stat().st_mode & 0o777 != wanted:
            os.chmod(path, wanted)
            changed += 1
    return changed


def create_private_file(path: Path) -> None:
    """Create an empty 0600 file unless it exists: SQLite then opens it and keeps its mode (its -wal and
    -shm files take the database file's mode)."""
    private_dir(Path(path).parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(fd)
