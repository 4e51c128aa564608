"""htmx request helpers (see the traps in the architecture notes)."""
from flask import make_response, request

from portal.extensions import htmx


def is_htmx() -> bool:
    return bool(htmx)


def is_partial_request() -> bool:
    """A real partial request: not boosted navigation, not a history restore."""
    return (
        bool(htmx)
        and not htmx.boosted
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def htmx_redirect(url: str):
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response


def add_vary_header(response):
    response.vary.add("HX-Request")
    return response
