"""Long text in the browser: a note box shows 剩余 N 字 as the liaison types; a pasted 6,000-character note
is kept whole (no maxlength cuts it), the count says how far over it is, and 添加记录 answers with the
limit beside the box and the whole text still in it. A long text pasted into the header search box is
not sent as you type; Enter posts it (the long-text search), which says only its start was searched."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.search import services
from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser

PASTED = ("一段从文件里粘贴来的长记录。" * 500)[:6000]


def test_a_note_shows_what_is_left_and_a_long_paste_is_refused_whole(page, plan):
    make_user("lim-liaison", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    login(page, "lim-liaison", PASSWORD)
    page.goto(f"/tasks/{inst.id}")
    note, count = page.locator("#note-body"), page.locator("#note-body-count")
    expect(count).to_have_text("剩余 5000 字")
    note.press_sequentially("已召开推进会", delay=20)
    expect(count).to_have_text("剩余 4994 字")
    note.fill("")
    note.focus()
    page.keyboard.insert_text(PASTED)  # as a paste: a maxlength would cut it here, silently
    assert note.input_value() == PASTED
    expect(count).to_have_text(re.compile(r"^超出 1000 字"))
    expect(count).to_have_class(re.compile(r"\bover\b"))
    page.get_by_role("button", name="添加记录").click()
    expect(page.get_by_test_id("form-refused")).to_contain_text("工作记录不能超过 5000 字（现有 6000 字）")
    expect(page.locator("#note-body")).to_have_value(PASTED)
    expect(page.locator("#note-body-count")).to_have_text(re.compile(r"^超出 1000 字"))
    page.locator("#note-body").fill("已召开推进会，部署移交工作。")
    expect(page.locator("#note-body-count")).to_have_text("剩余 4986 字")
    page.get_by_role("button", name="添加记录").click()
    expect(page.get_by_test_id("notes")).to_contain_text("已召开推进会，部署移交工作。")
    assert [n.body for n in instance_by_key(inst.key).notes] == ["已召开推进会，部署移交工作。"]


def test_a_long_search_text_is_posted_not_cut(page, policy_library):
    services.sync_index()
    make_user("lim-staff", "staff")
    login(page, "lim-staff", PASSWORD)
    requests = []
    page.on("request", lambda r: requests.append((r.method, r.url)) if "/search" in r.url else None)
    box = page.get_by_test_id("header-search")
    box.focus()
    long = "为了规范家庭寄养工作，促进寄养儿童身心健康成长" * 12  # 276 characters
    page.keyboard.insert_text(long)
    assert box.input_value() == long
    expect(page.locator("#header-q-count")).to_be_visible()
    expect(page.locator("#header-q-count")).to_contain_text("长文检索")
    page.wait_for_timeout(600)  # longer than the as-you-type delay
    assert not [u for m, u in requests if m == "GET"], "an over-long text must not go into the address"
    box.press("Enter")
    expect(page.get_by_test_id("search-notice")).to_contain_text("查询词过长，只按前 200 个字查找")
    assert ("POST", page.url) in requests and page.url.endswith("/search")
    expect(page.locator("#search-q")).to_have_value(long)  # the results page's box keeps all that was pasted
