"""The second factor: time-based one-time codes (TOTP, RFC 6238, any authenticator app) and
single-use recovery codes.

等保 2.0 第三级 asks for two kinds of authentication for administrators; `requires_second_factor`
is the one rule of who must use it: the system administrator, the security administrator and the
auditor (三员分立). Everyone else may turn it on under 我的账号.

- A code is accepted for the current 30-second step or one step either side (clocks drift), and
  only for a step later than the last one accepted: a code seen over someone's shoulder cannot be
  used again.
- Recovery codes carry 80 random bits each; only a SHA-256 of each is stored. A slow password hash
  is for guessable secrets: nothing can be guessed here, and a fast hash lets a typed code be found
  with one indexed lookup instead of ten slow comparisons.
- The QR code is drawn on the server (segno) as an SVG data URI: no script, no CDN.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from portal.core.roles import is_administrator
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import RecoveryCode, User

ISSUER = "儿童福利政策落实门户"
STEP_SECONDS = 30
RECOVERY_CODES = 10
# Letters and digits that cannot be confused when copied by hand (no 0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def requires_second_factor(user) -> bool:
    """Must this account sign in with a second factor? The three administrators (三员: 管理员, 安全管理员,
    审计管理员) must; everyone else may. (One place for the rule: extend it here.)"""
    return is_administrator(user)


def new_secret() -> str:
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, user: User) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.display_name or user.username, issuer_name=ISSUER)


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI (the CSP allows `img-src data:`)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, last_step: int | None, now: float | None = None) -> int | None:
    """The step `code` belongs to (now, or one step either side), if later than `last_step`."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    here = current_step(now)
    for step in (here - 1, here, here + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def looks_like_code(text: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", re.sub(r"\s", "", text or "")))


# ---- recovery codes ----------------------------------------------------------------------------


def _normalise_recovery(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def _recovery_hash(text: str) -> str:
    return hashlib.sha256(_normalise_recovery(text).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes; the plain codes exist only in the return value."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))  # 16 × log2(31) ≈ 79 bits
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    return codes


def use_recovery_code(user: User, text: str) -> bool:
    """Spend one unused recovery code of this account; False when it is not one."""
    if len(_normalise_recovery(text)) != 16:
        return False
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_hash(text),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    return spent == 1  # the UPDATE's condition makes a code count once, even for two requests at once


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def check(user: User, text: str) -> str | None:
    """Accept a current code or an unused recovery code for `user` (not committed): returns how
    ("totp" or "recovery"), or None."""
    if not user.totp_secret:
        return None
    if looks_like_code(text):
        step = matching_step(user.totp_secret, text, user.totp_last_step)
        return "totp" if step is not None and _claim_step(user, step) else None
    return "recovery" if use_recovery_code(user, text) else None


def _claim_step(user: User, step: int) -> bool:
    """Record the step as used unless a parallel request used it (or a later one) first. A plain
    UPDATE: a sign-in neither bumps the account's edit version nor races another sign-in."""
    won = db.session.execute(
        sa.update(User).where(User.id == user.id,
                              sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.expire(user, ["totp_last_step"])
    return won


def turn_on(user: User, secret: str, step: int) -> list[str]:
    user.totp_secret = secret
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(user)


def turn_off(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_enabled_at = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
