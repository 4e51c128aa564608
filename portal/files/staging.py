"""Uploads waiting for a person's confirmation (a roster preview, a batch of statute files).

They live in one folder, `<upload folder>/staging/<kind>/`: on the upload volume, so the host that
confirms need not be the host that previewed; never in a backup (`portal.ops.backup` leaves the
folder out: a preview nobody confirmed holds names and phone numbers that were never imported);
and removed by `portal.files.cleanup` once older than `STALE_HOURS`.
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import current_app

from portal.files.storage import private_dir, write_private

STAGING = "staging"
STALE_HOURS = 24  # a preview older than this is not going to be confirmed
_NAME = re.compile(r"^[0-9a-f]{32}(\.[a-z]{2,4})?$")


def staging_root(upload_dir: Path | None = None) -> Path:
    return Path(upload_dir or current_app.config["UPLOAD_DIR"]) / STAGING


def staging_dir(kind: str) -> Path:
    return private_dir(staging_root() / kind)


def stage(kind: str, data: bytes, suffix: str = "") -> str:
    """Keep the bytes under a new random name; returns the name. Raises StorageError (nothing kept)."""
    name = secrets.token_hex(16) + suffix
    write_private(staging_dir(kind) / name, data)
    return name


def staged_path(kind: str, name: str) -> Path | None:
    """The staged file of that name, if it is still there (the name is checked, never a path)."""
    if not _NAME.match(name or ""):
        return None
    path = staging_root() / kind / name
    return path if path.is_file() else None


def discard(kind: str, name: str) -> None:
    path = staged_path(kind, name)
    if path is not None:
        path.unlink(missing_ok=True)
