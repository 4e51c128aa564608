"""A box ticked while the page is still loading (htmx not yet bound) is saved once htmx is ready,
not shown as ticked and silently dropped (static/js/portal.js)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser


def _hold_htmx(page, path: str) -> list:
    """Hold back the htmx script of the page at `path`: it is parsed and clickable, its controls
    not yet bound. Requests from any other page (one still loading as the test moves on) pass."""
    held = []

    def hold(route):
        if route.request.frame.url.endswith(path):
            held.append(route)
        else:
            route.continue_()

    page.route("**/vendor/htmx-*.js", hold)
    return held


def _wait_for(held: list, page) -> None:
    for _ in range(200):
        if held:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never asked for htmx")


@pytest.mark.parametrize("ticks", [1, 2], ids=["ticked", "ticked-and-unticked"])
def test_a_box_ticked_before_htmx_is_bound_is_saved_once_it_is(page, plan, ticks):
    make_user("yh-liaison", "liaison", unit="yanhu-mz")
    login(page, "yh-liaison", PASSWORD)
    inst = instance_by_key("transfer-children@yanhu-mz")
    path = f"/tasks/{inst.id}"
    held = _hold_htmx(page, path)
    page.goto(path, wait_until="commit")
    box = page.get_by_test_id("checklist").locator("input[type=checkbox]").first
    box.check()
    if ticks == 2:
        box.uncheck()  # changed back before htmx came: nothing to send
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    _wait_for(held, page)
    for route in held:
        route.continue_()
    page.wait_for_load_state("load")
    done = page.get_by_test_id("checklist").locator("li.done")
    if ticks == 1:
        expect(done).to_have_count(1)  # sent and swapped in once htmx came
    else:
        page.wait_for_timeout(500)
        assert posts == []
    page.unroute("**/vendor/htmx-*.js")
    page.reload()
    expect(done).to_have_count(1 if ticks == 1 else 0)  # and saved
    assert len(posts) == (1 if ticks == 1 else 0)
