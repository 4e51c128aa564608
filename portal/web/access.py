"""Who may reach which view.

Every view declares its audience with one of the decorators below: `@requires(capability, ...)` names
what the view needs from the one table of capabilities (portal/capabilities.py). A global guard
(`enforce_access`, run before CSRF checks) denies by default: a view with no declaration
answers 403 and the authorization matrix test fails, so no route can be added silently open.
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, make_response, redirect, request, url_for
from flask_login import current_user

from portal.capabilities import can, roles_with
from portal.web.htmx import is_htmx

PUBLIC = "public"
LOGGED_IN = "logged_in"  # the daily work pages: every role holding the capability "work_pages"
ANY_ACCOUNT = "any_account"  # also trainees (学员): the policy library, search, their own training


def public(view: Callable) -> Callable:
    view.access = PUBLIC
    return view


def logged_in(view: Callable) -> Callable:
    view.access = LOGGED_IN
    return view


def any_account(view: Callable) -> Callable:
    view.access = ANY_ACCOUNT
    return view


def requires(*capabilities: str) -> Callable[[Callable], Callable]:
    """Admit the roles holding any of these capabilities; object-level rules stay in the services."""
    admitted = roles_with(*capabilities)  # an unknown capability fails at import, not at request time

    def mark(view: Callable) -> Callable:
        view.access = admitted
        view.capabilities = capabilities
        return view

    return mark


def no_store(view: Callable) -> Callable:
    """Mark a view whose pages or files carry people's full phone numbers, evidence or the audit log:
    neither the browser nor a proxy keeps a copy (a shared office PC's cache, the back button after 退出).
    The header is set for every response of the view (portal/security/headers.py)."""
    view.no_store = True
    return view


def access_of(endpoint: str | None):
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC  # CSS, fonts and vendored JS only; never user files
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def allowed(user, access) -> bool:
    if access == PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if access == ANY_ACCOUNT:
        return True
    if access == LOGGED_IN:
        return can(user, "work_pages")
    if isinstance(access, frozenset):
        return user.has_role(*access)
    return False  # undeclared: deny


def enforce_access():
    access = access_of(request.endpoint)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return unauthenticated_response()
    if request.endpoint is None:
        return None  # let the 404 happen for a logged-in user
    if not allowed(current_user, access):
        if access is None:
            current_app.logger.error("endpoint %s declares no access rule", request.endpoint)
        abort(403)
    return None


def unauthenticated_response():
    """Send the browser to the login page, also from inside an htmx request."""
    if request.path.startswith("/api/"):
        return make_response(jsonify(error="请先登录"), 401)
    if is_htmx():
        # The page the user is on, so login brings them back there.
        back = request.headers.get("HX-Current-URL") or request.referrer or ""
        target = url_for("auth.login", next=_local_path(back))
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    nxt = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=_local_path(nxt) if nxt else None))


def _local_path(url: str | None) -> str | None:
    """Keep only the path and query of a same-site URL (no open redirect)."""
    if not url:
        return None

    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    path = path.rstrip("?")
    return path + (f"?{parts.query}" if parts.query else "")


def safe_next(url: str | None) -> str | None:
    """A `next` target must be a path on this site: no scheme, no host, no `//`."""
    if not url:
        return None

    parts = urlsplit(url)
    if parts.scheme or parts.netloc or "\\" in url:
        return None
    return _local_path(url)
