"""At 390 px (a phone) words keep their shape: no table header narrower than its words, no cell one
character per line (wide tables scroll sideways inside their wrapper instead), page titles and their
buttons not broken mid-word, a checklist's numbers on their item's line, 退出 beside 我的账号 whatever
the name's length, and every text-like input styled alike. Measured with the DOM (text line boxes),
not pixels of a screenshot."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser

WIDTH = 390

# The number of text lines an element's words take (line boxes of its text nodes, clustered by top).
LINES_JS = """
window.__lines = (el) => {
  const tops = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) tops.push(r.top);
  }
  tops.sort((a, b) => a - b);
  let lines = 0, last = -1e9;
  for (const t of tops) { if (t - last > 10) { lines++; last = t; } }
  return lines;
};
"""

SQUEEZED_JS = """
() => {
  """ + LINES_JS + """
  const out = [];
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const th of document.querySelectorAll('main table th')) {
    if (!visible(th) || !th.textContent.trim()) continue;
    if (__lines(th) > 1) out.push('header "' + th.textContent.trim() + '" wraps');
  }
  for (const td of document.querySelectorAll('main table td')) {
    if (!visible(td)) continue;
    const chars = td.textContent.replace(/\\s/g, '').length, lines = __lines(td);
    if (lines >= 3 && chars <= lines * 1.5) out.push('cell "' + td.textContent.trim().slice(0, 20) + '" one character per line');
  }
  return out.slice(0, 8);
}
"""


@pytest.fixture
def narrow(browser, live_server, app):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": WIDTH, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _squeezed(page, urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        expect(page.locator("main")).to_be_visible()
        found += [f"{url}: {problem}" for problem in page.evaluate(SQUEEZED_JS)]
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, f"{url} scrolls sideways"
    return found


def test_wide_tables_scroll_inside_their_wrapper_instead_of_squeezing(narrow, app, demo):
    from portal.extensions import db
    from portal.models import Plan

    plan_id = db.session.scalar(sa.select(Plan.id).order_by(Plan.id))
    make_user("n-leader", "leader")
    login(narrow, "n-leader", PASSWORD)
    problems = _squeezed(narrow, ["/board/report", "/board/assessment"])
    make_user("n-admin", "admin")
    narrow.context.clear_cookies()
    login(narrow, "n-admin", PASSWORD)
    problems += _squeezed(narrow, ["/admin/users", "/units/", f"/plans/{plan_id}"])
    assert not problems, "\n".join(problems)


def test_titles_buttons_checklist_and_badges_keep_their_words_together(narrow, app, demo):
    make_user("n-leader", "leader")
    login(narrow, "n-leader", PASSWORD)
    narrow.goto("/board")
    narrow.evaluate("() => {" + LINES_JS + "}")
    expect(narrow.locator(".page-head h1")).to_have_text("工作总览")
    assert narrow.evaluate("__lines(document.querySelector('.page-head h1'))") == 1
    assert narrow.evaluate("[...document.querySelectorAll('.page-head .button')].map(b => __lines(b))") == [1, 1, 1]
    make_user("n-liaison", "liaison", unit="yanhu-mz")
    narrow.context.clear_cookies()
    login(narrow, "n-liaison", PASSWORD)
    inst = instance_by_key("transfer-children@yanhu-mz")
    narrow.goto(f"/tasks/{inst.id}")
    checklist = narrow.get_by_test_id("checklist")
    expect(checklist).to_be_visible()
    narrow.evaluate("() => {" + LINES_JS + "}")
    # The number sits on the item's first line: the item's words flow from that line (an inline-block
    # label put the number beside its last line instead); a badge is one line.
    first_lines = narrow.evaluate("""() => [...document.querySelectorAll('ol.checklist li')].map(li => {
        const words = li.querySelector('label, span');
        const first = words.getClientRects()[0];
        return Math.abs(first.top - li.getBoundingClientRect().top) < 12 && getComputedStyle(words).display === 'inline';
    })""")
    assert first_lines and all(first_lines), first_lines
    assert narrow.evaluate("[...document.querySelectorAll('ol.checklist .badge')].every(b => __lines(b) === 1)")
    # The 督办 card's empty state is a sentence, not item 1 of a list
    duban = narrow.get_by_test_id("duban")
    if duban.count():
        assert duban.locator("ol.ladder li", has_text="暂无催办和督办").count() == 0


def test_a_long_name_keeps_sign_out_beside_my_account_and_inputs_are_styled(narrow, app, plan):
    from portal.extensions import db

    user = make_user("n-long", "liaison", unit="yanhu-mz")
    user.display_name = "欧阳诸葛长孙慕容司马上官"
    db.session.commit()
    login(narrow, "n-long", PASSWORD)
    narrow.goto("/account/messages")
    box = narrow.get_by_test_id("user-box")
    expect(box).to_contain_text("欧阳诸葛长孙慕容司马上官")
    account = box.get_by_role("link", name="我的账号").bounding_box()
    out = box.get_by_role("button", name="退出").bounding_box()
    assert account and out and abs(account["y"] - out["y"]) < 8  # same line
    styles = narrow.evaluate("""() => ['email', 'text'].map(t => {
        const el = document.querySelector(`main input[type=${t}]`) || Object.assign(document.createElement('input'), {type: t});
        if (!el.isConnected) document.querySelector('main form').appendChild(el);
        const s = getComputedStyle(el);
        return [s.borderTopColor, s.borderTopWidth, s.borderRadius, s.paddingLeft].join(' ');
    })""")
    assert styles[0] == styles[1], styles
