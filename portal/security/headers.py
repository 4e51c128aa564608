"""Security headers on every response (pages, fragments, files, errors).

The Content-Security-Policy allows no inline script or style: templates carry no `<script>`
blocks, `style="..."` attributes or `on...=` handlers, and htmx is configured (base.html's
htmx-config meta) to inject no indicator `<style>`, to evaluate nothing, and not to settle the
`style` attribute (htmx would copy a resized text box's inline size onto the swapped-in box with
setAttribute, which the policy blocks: tests/browser/test_csp_duty_flow.py).
"""
from __future__ import annotations

from flask import current_app, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if _marked_no_store():
        response.headers["Cache-Control"] = "no-store"
    return response


def _marked_no_store() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "no_store", False))  # set by portal.web.access.no_store


def init_app(app) -> None:
    app.after_request(add_security_headers)
