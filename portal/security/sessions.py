"""The signed session cookie: kept off static files, refused once its session was ended, and
ended after a while unused.

A signed-in session is permanent and refreshed by every response (a sliding working day, at most
PORTAL_SESSION_HOURS since the last page). A static file answered *after* 退出 — a stylesheet or
script the page was still revalidating when the button was pressed — would then set the signed-in
cookie again, and the person would still be signed in. Static files do not need the session, so
their responses never carry the cookie.

Idle timeout (等保 2.0: 登录连接超时自动退出): the cookie carries the time of the last request; a
session unused for PORTAL_IDLE_MINUTES is ended at its next request. The time is inside the signed
cookie, so an old copy of the cookie is just as idle: nothing needs to be stored.
"""
from __future__ import annotations

import logging
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, flash, request, session
from flask.sessions import SecureCookieSessionInterface

from portal.audit.services import record
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import EndedSession, User
from portal.web.errors import DATABASE_UNAVAILABLE

log = logging.getLogger(__name__)


class SessionInterface(SecureCookieSessionInterface):
    def should_set_cookie(self, app, session) -> bool:
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.endswith(".static"):
            return False
        return super().should_set_cookie(app, session)


# ---- sessions ended by 退出 -----------------------------------------------------------------------
# The cookie is signed, not stored, so ending a session cannot take the cookie back from a response
# already under way (a page requested just before 退出). Each signed-in session carries a random id;
# 退出 records it, and the per-request user statement refuses a recorded one at no extra statement.

SID_KEY = "sid"
SEEN_KEY = "seen"  # seconds since the epoch of the session's last request


def begin(session) -> None:
    """At sign-in: a fresh id for this session, used from now."""
    session[SID_KEY] = secrets.token_urlsafe(16)
    session[SEEN_KEY] = int(time.time())


def ended_column(session) -> sa.ColumnElement[bool]:
    """True when this session was ended: a column for the per-request user statement."""
    sid = session.get(SID_KEY)
    if not isinstance(sid, str) or not sid:
        return sa.false()
    return sa.exists().where(EndedSession.sid == sid[:32])


def end(sid, user_id, lifetime: timedelta) -> None:
    """At 退出 (the cookie is already cleared): record the session's id and the logout; forget ids whose
    cookies have expired anyway. Without the database the id waits in a spool file in the instance
    folder and is recorded by the first request that reaches the database again (`flush_spool`)."""
    if not isinstance(sid, str) or not sid:
        return
    try:
        _record_ended([sid[:32]], lifetime)
        _audit_logout(user_id)
        db.session.commit()
    except DATABASE_UNAVAILABLE as error:
        log.warning("logout without the database: session id spooled (%s)", type(error).__name__)
        _rollback_quietly()
        with open(_spool_path(), "a", encoding="ascii") as spool:
            spool.write(sid[:32] + "\n")


def _record_ended(sids: list[str], lifetime: timedelta) -> None:
    now = utcnow()
    db.session.execute(sa.delete(EndedSession).where(EndedSession.ended_at < now - lifetime - timedelta(days=1)))
    for sid in dict.fromkeys(sids):
        if db.session.get(EndedSession, sid) is None:
            db.session.add(EndedSession(sid=sid, ended_at=now))


def _audit_logout(user_id, action: str = "logout") -> None:
    uid = str(user_id or "").partition(":")[0]
    user = db.session.get(User, int(uid)) if uid.isdigit() and int(uid) < 2**31 else None
    if user is not None:
        record(action, "user", user.id, label=user.username, actor=user)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool discards it
        pass


def _spool_path() -> Path:
    return Path(current_app.instance_path) / "ended_sessions.spool"


def flush_spool() -> None:
    """Before each request: record session ids a logout spooled while the database was away. One
    process claims the file by renaming it; ids go back into the spool if the database is still away."""
    path = _spool_path()
    if not path.exists():  # one stat per request
        return
    claimed = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.rename(claimed)
    except OSError:
        return  # another process took it
    sids = [line.strip()[:32] for line in claimed.read_text(encoding="ascii", errors="replace").splitlines()
            if line.strip()]
    try:
        _record_ended(sids, current_app.permanent_session_lifetime)
        db.session.commit()
    except DATABASE_UNAVAILABLE:
        _rollback_quietly()
        with open(path, "a", encoding="ascii") as spool:
            spool.write("".join(sid + "\n" for sid in sids))
    claimed.unlink(missing_ok=True)


def end_idle_session():
    """Before each request (and before the access check): a signed-in session unused for longer than
    IDLE_MINUTES is ended, so this request is answered as for someone signed out (to the login page,
    and back here after signing in). The ended session is audited when the database is there."""
    endpoint = request.endpoint or ""
    if "_user_id" not in session or endpoint == "static" or endpoint.endswith(".static"):
        return None
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    idle = current_app.config["IDLE_MINUTES"] * 60
    if isinstance(seen, int) and now - seen > idle:
        user_id = session.get("_user_id")
        session.clear()
        flash(f"您已超过 {current_app.config['IDLE_MINUTES']} 分钟未操作，为安全起见已自动退出，请重新登录。", "info")
        _audit_idle(user_id)
        return None
    session[SEEN_KEY] = now
    return None


def _audit_idle(user_id) -> None:
    try:
        _audit_logout(user_id, "logout_idle")
        db.session.commit()
    except DATABASE_UNAVAILABLE:
        _rollback_quietly()
