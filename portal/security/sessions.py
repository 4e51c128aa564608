"""The signed session cookie, kept off static files.

A signed-in session is permanent and refreshed by every response (a sliding working day). A static
file answered *after* 退出 — a stylesheet or script the page was still revalidating when the button
was pressed — would then set the signed-in cookie again, and the person would still be signed in.
Static files do not need the session, so their responses never carry the cookie.
"""
from __future__ import annotations

from flask import request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def should_set_cookie(self, app, session) -> bool:
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.endswith(".static"):
            return False
        return super().should_set_cookie(app, session)
