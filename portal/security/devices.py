"""Device tokens: a browser where an account has signed in remembers it (a signed cookie).

The login throttle (portal/security/throttle.py) judges an attempt that carries the account's token
by that browser's own failures only, so nobody else — not a colleague behind the same office NAT,
not a machine elsewhere — can use up the owner's tries. A token is no credential: the password
(and the second factor) are still asked for; it only names the browser for the throttle.

One cookie holds the tokens of the last few accounts signed in on that browser (a shared PC).
"""
from __future__ import annotations

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "portal_device"
MAX_ACCOUNTS = 8
MAX_AGE_SECONDS = 180 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="portal-login-device")


def _tokens() -> dict[str, str]:
    raw = request.cookies.get(COOKIE, "")
    if not raw or len(raw) > 2000:
        return {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str) and len(v) <= 32}


def token_for(user_id: int | None) -> str:
    """This browser's token for the account, or "" (never signed in here, or an unknown account)."""
    if user_id is None:
        return ""
    return _tokens().get(str(user_id), "")


def remember(response, user_id: int) -> None:
    """After a complete sign-in: keep (or give) this browser a token for the account."""
    tokens = _tokens()
    token = tokens.pop(str(user_id), "") or secrets.token_urlsafe(16)[:22]
    tokens[str(user_id)] = token  # most recent last; the oldest drop off
    kept = dict(list(tokens.items())[-MAX_ACCOUNTS:])
    response.set_cookie(COOKIE, _serializer().dumps(kept), max_age=MAX_AGE_SECONDS, httponly=True,
                        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
