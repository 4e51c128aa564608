"""The strict Content-Security-Policy holds in a real browser: the main pages, an htmx tick and
the filter that submits on change raise no CSP violation."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


def test_main_pages_raise_no_csp_violation(page, app, plan):
    make_user("yh-liaison", "liaison", unit="yanhu-mz")
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, "yh-liaison", PASSWORD)
    expect(page.get_by_test_id("user-box")).to_be_visible()
    inst = instance_by_key("transfer-children@yanhu-mz")
    violations = []
    from flask import url_for

    with app.test_request_context():
        duty_page = url_for("duties.instance", instance_id=inst.id)
        units_page = url_for("units.index")
        paths = [url_for("home.index"), url_for("duties.index"), duty_page, url_for("policy.index"),
                 url_for("policy.document", doc_id="yunmin-2021-74"), url_for("search.index", q="儿童福利"),
                 units_page, url_for("reports.index")]
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        violations += page.evaluate("window.__cspViolations")
    # An htmx swap (ticking an item) and the header search typed live.
    page.goto(duty_page)
    page.get_by_test_id("checklist").locator("input[type=checkbox]").first.check()
    expect(page.get_by_test_id("checklist").locator("li.done")).to_have_count(1)
    page.get_by_test_id("header-search").fill("家庭寄养")
    page.wait_for_url("**/search?**")
    violations += page.evaluate("window.__cspViolations")
    # The level filter submits itself on change (formerly an inline onchange).
    page.goto(units_page)
    page.select_option("select[name=level]", "县级")
    page.wait_for_url("**level=**")
    violations += page.evaluate("window.__cspViolations")
    csp_console = [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert not violations, violations
    assert not csp_console, csp_console
