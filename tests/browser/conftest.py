"""A live server in a thread and Debian's Chromium driven by Playwright (no browser download)."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from tests.factories import second_factor_code

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


_live: dict = {}  # the live server's app (its own instance: settings set on the test's `app` do not reach it)


@pytest.fixture(scope="session")
def live_server(app_config, _schema):
    app = create_app(app_config)
    _live["app"] = app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


@pytest.fixture
def live_settings(live_server):
    """Set the live server's settings for one test (restored after it): e.g. the SMTP server and robots
    a message sent from a page is planned for."""
    app = _live["app"]
    saved = dict(app.config)

    def update(**values):
        app.config.update(values)

    yield update
    app.config.clear()
    app.config.update(saved)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `make test` (it installs chromium) or apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, app, request):
    """A fresh browser context per test; `app` resets the database first."""
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _page_at_failure(page, name: str) -> str:
    """A screenshot for local runs, and the page's address and text for the report (CI keeps only the output)."""
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        return f"{page.url}\n{page.locator('body').inner_text(timeout=2_000)[:2_000]}"
    except Exception as error:  # noqa: BLE001 - an unreadable page must not hide the test's own failure
        return f"{page.url}\n(page unreadable: {error})"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None:
        report.sections.append(("the page when the test failed", _page_at_failure(page, item.name)))


def login(page, username: str, password: str) -> None:
    page.goto("/login")
    submit_login(page, username, password)


def submit_login(page, username: str, password: str) -> None:
    """Fill the login form on the current page (keeps its ?next=)."""
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    # The next page loads fully before the test moves on, so none of its late requests (a
    # stylesheet, a script) lands in what the test watches or holds next.
    page.wait_for_load_state("load")
    if urlparse(page.url).path == "/login/code":  # an account with a second factor (an admin)
        page.fill("input[name=code]", second_factor_code(username.strip().lower()))
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
