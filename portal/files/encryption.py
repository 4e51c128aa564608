"""Evidence files encrypted at rest, for deployments whose disks are not (issue 18, 等保 数据保密性).

A stored evidence file is `PEV1` + a 12-byte nonce + AES-256-GCM of the file (`cryptography`), with
the file's stored name as associated data: a copy of the upload folder, a stolen disk or another
account on the host sees ciphertext only, and a file swapped for another or altered fails to open.
The key is `PORTAL_EVIDENCE_KEY` (32 bytes, urlsafe base64), else `instance/evidence_key`, made once
(0600). Every app host needs the same key, as with the session key; a backup carries the instance's
key file (keep backups encrypted, or set the key in the environment and keep it apart).

Files stored before this (plain) still open; `flask portal encrypt-evidence` encrypts them in place.
Evidence is at most 20 MB: a file is sealed and opened in memory, in one piece.
"""
from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from portal.files.storage import write_private

MAGIC = b"PEV1"
KEY_FILE = "evidence_key"
_NONCE = 12


class Damaged(Exception):
    """The stored file does not open with the key: altered, swapped, or sealed under another key."""


def _key() -> bytes:
    given = os.environ.get("PORTAL_EVIDENCE_KEY") or current_app.config.get("EVIDENCE_KEY")
    if given:
        key = base64.urlsafe_b64decode(given)
        if len(key) != 32:
            raise RuntimeError("PORTAL_EVIDENCE_KEY must be 32 bytes in urlsafe base64")
        return key
    path = key_path()
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it a moment ago
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)))
    return base64.urlsafe_b64decode(path.read_bytes().strip())


def key_path() -> Path:
    return Path(current_app.instance_path) / KEY_FILE


def is_sealed(blob: bytes) -> bool:
    return blob.startswith(MAGIC)


def seal(data: bytes, name: str) -> bytes:
    nonce = secrets.token_bytes(_NONCE)
    return MAGIC + nonce + AESGCM(_key()).encrypt(nonce, data, name.encode())


def unseal(blob: bytes, name: str) -> bytes:
    """The file's bytes; a plain file stored before encryption is returned as it is."""
    if not is_sealed(blob):
        return blob
    nonce, body = blob[len(MAGIC):len(MAGIC) + _NONCE], blob[len(MAGIC) + _NONCE:]
    try:
        return AESGCM(_key()).decrypt(nonce, body, name.encode())
    except InvalidTag:
        raise Damaged(name) from None


def seal_in_place(path: Path, name: str) -> bool:
    """Encrypt a plain stored file (atomically, 0600); False when it is sealed already."""
    blob = path.read_bytes()
    if is_sealed(blob):
        return False
    write_private(path, seal(blob, name))
    return True
