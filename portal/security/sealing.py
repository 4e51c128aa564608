"""Short-lived secrets the portal keeps only to show once: sealed, not stored readable.

A roster import running in the background makes first passwords that the trainer sees when it
finishes, perhaps from another worker process or host. Until then they are kept in the database
sealed with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived with HKDF
from the session key and a purpose label: a database copy or a backup alone does not reveal them,
and they are erased once shown (or after a few days, by `portal.files.cleanup`).
"""
from __future__ import annotations

from base64 import urlsafe_b64encode

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _fernet(purpose: str) -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"portal:{purpose}".encode()).derive(secret)
    return Fernet(urlsafe_b64encode(key))


def seal(text: str, purpose: str) -> str:
    return _fernet(purpose).encrypt(text.encode("utf-8")).decode("ascii")


def unseal(token: str, purpose: str) -> str | None:
    """The text, or None when the token was sealed under another key (the session key changed)."""
    try:
        return _fernet(purpose).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None
