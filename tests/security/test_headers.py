"""Security headers on every route, for every kind of response, and templates fit for the CSP."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import url_for

from portal.security.headers import SECURITY_HEADERS
from tests.conftest import AuthActions, make_user
from tests.test_authz_matrix import _sample_objects, routes, sample_args  # noqa: F401 (autouse fixture)

ROOT = Path(__file__).resolve().parents[2]


def _check(response, label: str, failures: list[str]) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    for name, value in SECURITY_HEADERS.items():
        # A page may be stricter than the default: the public certificate check page sends no
        # referrer at all, so its check code never leaves in a Referer header.
        if name == "Referrer-Policy" and response.headers.get(name) == "no-referrer":
            continue
        if response.headers.get(name) != value:
            failures.append(f"{label}: {name} = {response.headers.get(name)!r}")
    if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp or "frame-ancestors 'none'" not in csp:
        failures.append(f"{label}: weak CSP {csp!r}")


@pytest.mark.parametrize("who", ["anonymous", "admin", "liaison"])
def test_every_route_sends_the_security_headers(app, who):
    make_user("target", "staff")
    client = app.test_client()
    auth = AuthActions(client)
    if who != "anonymous":
        make_user(f"u-{who}", who)
        assert auth.login(f"u-{who}").status_code == 302
    failures: list[str] = []
    seen = 0
    for rule, method in routes(app):
        with app.test_request_context():
            url = url_for(rule.endpoint, **{k: v for k, v in sample_args(rule.endpoint).items() if k in rule.arguments})
        data = {"csrf_token": auth.csrf} if method != "GET" and auth.csrf else None
        response = client.open(url, method=method, data=data)
        _check(response, f"{method} {url} as {who} ({response.status_code})", failures)
        response.close()
        seen += 1
    # Error responses too: not found, a bad CSRF token, an htmx fragment.
    for label, response in [
        ("404", client.get("/no-such-page")),
        ("CSRF", client.post("/logout")),
        ("htmx", client.get("/duties/", headers={"HX-Request": "true"})),
    ]:
        _check(response, label, failures)
    assert seen > 40
    assert not failures, "\n".join(failures)


def test_server_error_page_sends_the_security_headers(app, client, auth, monkeypatch):
    auth.as_role("staff")
    import portal.home.views as home_views

    def boom(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(home_views, "render_template", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/")
    assert response.status_code == 500
    failures: list[str] = []
    _check(response, "500", failures)
    assert not failures, failures


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on... event handler attribute"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on attribute"),
    (re.compile(r"<style[\s>]", re.I), "inline <style> block"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_no_inline_script_or_style():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, what in INLINE:
                if pattern.search(line):
                    problems.append(f"{path.relative_to(ROOT)}:{lineno}: {what}")
    assert not problems, "\n".join(problems)


def test_htmx_is_configured_for_the_csp():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    config = re.search(r'name="htmx-config" content=\'([^\']+)\'', base).group(1)
    import json

    settings = json.loads(config)
    assert settings["includeIndicatorStyles"] is False  # htmx would inject a <style> element
    assert settings["allowEval"] is False
    assert settings["allowScriptTags"] is False
