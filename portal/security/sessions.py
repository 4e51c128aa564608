"""The signed session cookie: kept off static files, and refused once its session was ended.

A signed-in session is permanent and refreshed by every response (a sliding working day). A static
file answered *after* 退出 — a stylesheet or script the page was still revalidating when the button
was pressed — would then set the signed-in cookie again, and the person would still be signed in.
Static files do not need the session, so their responses never carry the cookie.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import request
from flask.sessions import SecureCookieSessionInterface


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


def begin(session) -> None:
    """At sign-in: a fresh id for this session."""
    session[SID_KEY] = secrets.token_urlsafe(16)


def ended_column(session) -> sa.ColumnElement[bool]:
    """True when this session was ended: a column for the per-request user statement."""
    from portal.models import EndedSession

    sid = session.get(SID_KEY)
    if not isinstance(sid, str) or not sid:
        return sa.false()
    return sa.exists().where(EndedSession.sid == sid[:32])


def end(session, lifetime: timedelta) -> None:
    """At 退出: record the session's id; forget ids whose cookies have expired anyway."""
    from portal.extensions import db
    from portal.models import EndedSession
    from portal.models.base import utcnow

    sid = session.get(SID_KEY)
    now = utcnow()
    db.session.execute(sa.delete(EndedSession).where(EndedSession.ended_at < now - lifetime - timedelta(days=1)))
    if isinstance(sid, str) and sid and db.session.get(EndedSession, sid[:32]) is None:
        db.session.add(EndedSession(sid=sid[:32], ended_at=now))
    db.session.commit()
