"""A new staff member and a new leader walk the portal at desk (1280 px) and phone (390 px) width:
every page their navigation offers, a task, a clause, and two searches open without an error, a
console message or sideways scrolling. Screenshots go to test-artifacts/walk/ for a person to look at."""
from __future__ import annotations

from pathlib import Path

import pytest

from portal.policy.sync import sync_policy
from portal.search import services
from tests.browser.conftest import ARTIFACTS, login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser
OUT = ARTIFACTS / "walk"


def walk(page, role: str, width: int, extra: list[str]) -> list[str]:
    problems: list[str] = []
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    login(page, f"w-{role}", PASSWORD)
    page.locator("nav.main-nav a").first.wait_for(state="attached")  # the page after signing in has loaded
    nav = [a.get_attribute("href") for a in page.locator("nav.main-nav a").all()]
    assert len(nav) >= 4, nav
    for i, url in enumerate(dict.fromkeys(nav + extra)):
        response = page.goto(url)
        if response is None or response.status != 200:
            problems.append(f"{url}: {response.status if response else 'no response'}")
            continue
        page.wait_for_load_state("load")
        if page.evaluate("document.documentElement.scrollWidth") > width:
            problems.append(f"{url}: wider than {width} px")
        page.screenshot(path=str(OUT / f"{role}-{width}-{i:02d}.png"), full_page=True)
    return problems + messages


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_new_staff_and_leader_walk_without_a_stumble(browser, live_server, app, demo, role):
    assert sync_policy(Path(app.config["CONTENT_DIR"])).ok
    services.sync_index()
    inst = demo  # the id scans' demo state (tests/ui/idscan.py load_scan_demo)
    make_user(f"w-{role}", role)
    OUT.mkdir(parents=True, exist_ok=True)
    extra = [f"/tasks/{inst.id}", "/policy/yunmin-2021-74/3.2.8", "/search?q=儿童福利机构管理办法", "/search?q=临时监护",
             "/policy/register/"]
    if role == "leader":
        extra += ["/board/transfer", "/board/counties/yanhu", "/board/decisions"]
    problems = []
    for width in (1280, 390):
        context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": width, "height": 900})
        context.set_default_timeout(10_000)
        try:
            problems += walk(context.new_page(), role, width, extra)
        finally:
            context.close()
    assert not problems, problems
