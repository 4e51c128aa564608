"""While the database is down an htmx action shows a toast (the page is not replaced by an error
page); once it is back the same action works without a restart."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user
from tests.security.dbfault import database_down

pytestmark = pytest.mark.browser


def test_htmx_action_gets_a_toast_while_the_database_is_down(page, app, plan):
    make_user("yh-liaison", "liaison", unit="yanhu-mz")
    login(page, "yh-liaison", PASSWORD)
    inst = instance_by_key("transfer-children@yanhu-mz")
    from flask import url_for

    with app.test_request_context():
        duty_page = url_for("duties.instance", instance_id=inst.id)
    page.goto(duty_page)
    checklist = page.get_by_test_id("checklist")
    first = checklist.locator("input[type=checkbox]").first
    db.session.remove()
    with database_down():
        first.click()  # (not .check(): the failed save puts the box back at once)
        expect(page.locator("#toast")).to_have_text("数据库暂时不可用，操作未保存，请稍后重试。")
        expect(page.get_by_role("heading", level=1)).to_have_text("做好儿童移交工作")  # the page stays
        expect(checklist.locator("li.done")).to_have_count(0)
        expect(first).not_to_be_checked()  # shows what is saved
    page.reload()
    page.get_by_test_id("checklist").locator("input[type=checkbox]").first.check()
    expect(page.get_by_test_id("checklist").locator("li.done")).to_have_count(1)
    expect(page.locator("#toast")).to_be_hidden()
