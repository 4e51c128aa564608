"""Issue 11: at 390 px (a phone) no main page scrolls sideways; lists become cards; controls are
labelled in Chinese whatever the browser's language."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser

WIDTH = 390


STATUTE, EDITION, REGISTER_KEY = "weichengnianren-baohu-fa", "2020-10-17", "jiating-jiyang-guanli-banfa"


def main_pages(inst_id: int, month: str) -> list[str]:
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import SignInSheet, Trainee, TrainingModule

    module = db.session.scalar(sa.select(TrainingModule.key).order_by(TrainingModule.id))
    sheet = db.session.scalar(sa.select(SignInSheet.id).order_by(SignInSheet.id))
    trainee = db.session.scalar(sa.select(Trainee.id).where(Trainee.demo).order_by(Trainee.id))
    return ["/", "/tasks/", "/tasks/?unit=", f"/tasks/{inst_id}", "/policy/", "/policy/yunmin-2021-74",
            "/policy/yunmin-2021-74/3.1.1.1", "/policy/yunmin-2021-74/3.2.8", "/units/", "/units/yanhu-mz",
            "/reports/", f"/reports/yanhu-mz/{month}", "/supervision/", "/supervision/coverage", "/admin/users",
            "/admin/audit/", "/search/?q=移交", "/account/", "/account/second-factor/setup", "/admin/login-protection/",
            # board
            "/board", "/board?county=yanhu", "/board/counties/yanhu", "/board/transfer", "/board/decisions",
            "/board/report", "/board/assessment", "/board/assessment/settings",
            # training, with the demo roster
            "/training/", "/training/my", "/training/modules", f"/training/modules/{module}", "/training/roster",
            "/training/roster/import", "/training/assign", "/training/sessions", f"/training/sessions/{sheet}",
            f"/training/trainees/{trainee}", "/training/areas", "/training/reports/matrix?county=yanhu",
            "/training/reports/city", "/training/reports/overdue", "/training/certificates", "/training/hours?all=1",
            "/training/arrangement", "/training/courses", "/training/courses/new",
            # library: register, statutes, an earlier edition, the print views, the admin page
            "/policy/register/", f"/policy/register/{REGISTER_KEY}", f"/policy/{STATUTE}",
            f"/policy/{STATUTE}/v/{EDITION}", "/policy/yunmin-2021-74/print", f"/policy/{STATUTE}/print",
            f"/policy/{STATUTE}/a9/print", "/policy/favourites/", "/policy/?level=法律&issued_from=2020",
            "/admin/library/", f"/admin/library/register/{REGISTER_KEY}",
            # 督办
            "/duban/", "/duban/inbox", "/duban/settings", "/duban/notices", f"/duban/urge?instance={inst_id}",
            "/duban/urge?scope=overdue", "/duban/assign", "/duban/assigned"]


@pytest.fixture
def narrow(browser, live_server, app):
    # en-US on purpose: nothing the user reads may depend on the browser's language
    context = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": WIDTH, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("role, unit", [("admin", None), ("liaison", "yanhu-mz"), ("trainer", "yanhu-mz"),
                                        ("auditor", None), ("security_admin", None)])
def test_no_horizontal_overflow_on_any_main_page(narrow, app, demo, role, unit):
    from portal.reports.services import current_month

    # `demo`: duties, reports and the training demo roster (tests/ui/idscan.py load_scan_demo)
    make_user(f"n-{role}", role, unit=unit)
    login(narrow, f"n-{role}", PASSWORD)
    inst = instance_by_key("transfer-children@yanhu-mz")
    overflowing, opened, native = [], [], []
    for url in main_pages(inst.id, current_month()):
        response = narrow.goto(url)
        if response is None or response.status != 200:
            continue  # a page this role may not open
        opened.append(url)
        # controls whose labels come from the browser's language (mm/dd/yyyy, Choose File)
        if narrow.locator("input[type=date], input[type=month], input[type=file]:not(.zh-file-input)").count():
            native.append(url)
        width = narrow.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            widest = narrow.evaluate("""() => {
                // the innermost elements that reach past the viewport: the ones to fix
                const out = [];
                for (const el of document.body.querySelectorAll('*')) {
                    if (el.getBoundingClientRect().right <= window.innerWidth + 1) continue;
                    const inner = [...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1);
                    if (!inner) out.push(el.tagName + '.' + el.className + ' ' + (el.textContent || '').trim().slice(0, 30));
                }
                return out.slice(0, 3).join(' | ');
            }""")
            overflowing.append(f"{url}: {width}px ({widest})")
    if role == "admin":
        assert len(opened) >= 40, opened
    assert not overflowing, "\n".join(overflowing)
    assert not native, native


def test_board_is_cards_and_controls_are_chinese_at_390(narrow, plan):
    make_user("n-liaison", "liaison", unit="yanhu-mz")
    login(narrow, "n-liaison", PASSWORD)
    narrow.goto("/tasks/")
    row = narrow.get_by_test_id("board").locator("tbody tr").first
    expect(row).to_be_visible()
    assert narrow.evaluate("getComputedStyle(document.querySelector('[data-testid=board] tbody tr')).display") == "block"
    title = row.locator("td.cell-title a")
    box = title.bounding_box()
    assert box is not None and box["width"] > 120  # the task name is not one character per line
    inst = instance_by_key("transfer-children@yanhu-mz")
    narrow.goto(f"/tasks/{inst.id}")
    expect(narrow.get_by_text("选择文件", exact=True)).to_be_visible()
    expect(narrow.get_by_text("未选择文件", exact=True)).to_be_visible()
    assert narrow.locator("input[type=date], input[type=month]").count() == 0
    narrow.set_input_files("input[name=file]", files=[{"name": "移交清单.pdf", "mimeType": "application/pdf",
                                                       "buffer": b"%PDF-1.4\n"}])
    expect(narrow.locator(".zh-file-name")).to_have_text("移交清单.pdf")
    date_box = narrow.locator("#proposed")
    expect(date_box).to_have_attribute("placeholder", "如 2026年12月31日")


def test_a_statutes_meta_table_fits_at_390_when_opened(narrow, policy_library):
    """文件信息 of a statute (文号 with its own 公布 date, the edition in force as its history line words it:
    the longest rows the library has) and an earlier edition's own, opened on a phone."""
    make_user("n-meta", "staff")
    login(narrow, "n-meta", PASSWORD)
    for url, testid in (("/policy/weichengnianren-baohu-fa", "doc-meta"), ("/policy/shehui-jiuzhu-zanxing-banfa", "doc-meta"),
                        ("/policy/zhongguo-gongmin-shouyang-zinv-dengji-banfa/v/2019-03-02", "edition-meta")):
        narrow.goto(url)
        table = narrow.get_by_test_id(testid)
        table.locator("xpath=ancestor::details").evaluate("d => d.open = true")
        expect(table).to_be_visible()
        assert narrow.evaluate("document.documentElement.scrollWidth") <= WIDTH, url
    expect(narrow.get_by_test_id("meta-promulgated")).to_contain_text("1999年5月25日")
