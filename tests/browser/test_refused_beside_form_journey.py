"""Issue 23 in the browser: on a plan's review page, 发布 refused shows its reason beside the 发布 button,
and a clause's 「无具体任务」 reason refused is kept in its box with the reason beside it (the page drawn
again at 422, never a flash after a redirect)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.plans import drafts
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.plans.helpers import sample_document, sample_drafts

pytestmark = pytest.mark.browser


def test_publish_and_a_clause_s_reason_are_refused_beside_their_forms(page, app, plan):
    drafted = drafts.create_plan(sample_document(), sample_drafts(), actor=None)
    admin = make_user("b-refused", "admin")
    login(page, admin.username, PASSWORD)
    page.goto(f"/plans/{drafted.id}/review")

    # 发布 while a name is not mapped: the reason inside the 发布 form, no flash
    publish = page.get_by_test_id("publish")
    with page.expect_response(lambda r: r.url.endswith(f"/plans/{drafted.id}/publish")) as answer:
        publish.get_by_role("button", name="发布任务分工").click()
    assert answer.value.status == 422
    expect(page.get_by_test_id("publish").get_by_test_id("form-refused")).to_have_text(
        "尚有单位名称未对应到单位：市儿童之家。请先在「单位名称」中逐一对应。")
    expect(page.get_by_test_id("form-refused")).to_have_count(1)
    expect(page.locator(".flash.error")).to_have_count(0)

    # a reason too long for 一、总体要求: refused beside that clause's form, what was typed still there
    reason = "总体要求由各项任务承接。" * 200
    clause = page.get_by_test_id("no-duty")
    clause.locator("input[name=reason]").fill(reason)
    clause.get_by_role("button", name="说明").click()
    clause = page.get_by_test_id("no-duty")
    expect(clause.get_by_test_id("form-refused")).to_contain_text("理由")
    expect(clause.locator("input[name=reason]")).to_have_value(reason)
    expect(clause.locator("input[name=reason]")).to_be_focused()
    expect(page.get_by_test_id("coverage-gaps")).to_be_visible()  # nothing recorded

    # shortened, it is recorded (a success is the page at the clause, as before)
    clause.locator("input[name=reason]").fill("总体要求，由各项任务承接。")
    clause.get_by_role("button", name="说明").click()
    expect(page.get_by_test_id("coverage-ok")).to_be_visible()
