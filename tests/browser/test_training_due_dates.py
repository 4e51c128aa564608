"""Training journeys of the new-user test: a trainer types a past 完成时限 and is told beside the form,
assigns, moves the deadline by assigning again, withdraws the group rule; a person ticked on a sheet
of a module assigned only to the other role reads the same on every figure."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.core.time import today
from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user
from tests.training.helpers import ROWS, county, db_area, import_rows, sync_modules, trainee

pytestmark = pytest.mark.browser


def zh(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def fill_group(page, due: str) -> None:
    form = page.get_by_test_id("assign-form")
    form.get_by_label("培训模块").select_option(label="儿童信息摸底排查与登记建档")
    form.get_by_label("对象").select_option(label="儿童主任")
    form.get_by_label("县（市、区）").select_option(label="盐湖区")
    form.get_by_label("完成时限").fill(due)
    form.get_by_role("button", name="安排").click()


def test_trainer_corrects_a_deadline_and_withdraws_the_group_rule(page, plan):

    sync_modules()
    import_rows(*ROWS)
    make_user("city-trainer", "trainer")
    login(page, "city-trainer", PASSWORD)
    page.goto("/training/assign")
    on = today()
    past = on - timedelta(days=29)
    fill_group(page, zh(past))
    refused = page.get_by_test_id("assign-form").get_by_test_id("form-refused")
    expect(refused).to_contain_text("完成时限不能早于今天")
    expect(page.get_by_test_id("assign-form").get_by_label("完成时限")).to_have_value(zh(past))  # typing kept
    expect(page.get_by_test_id("cohort-rules")).to_contain_text("暂无")

    fill_group(page, zh(on + timedelta(days=10)))
    expect(page.get_by_text("新安排 3 人")).to_be_visible()
    later = on + timedelta(days=40)
    fill_group(page, zh(later))
    expect(page.get_by_text("新安排 0 人，调整完成时限 3 人")).to_be_visible()
    rules = page.get_by_test_id("cohort-rules")
    expect(rules.locator("tbody tr")).to_have_count(1)
    expect(rules).to_contain_text(zh(later))

    rules.get_by_role("button", name="撤销这项安排").click()
    expect(page.get_by_text("以后加入的人员不再自动安排，已安排的人员不变")).to_be_visible()
    expect(page.get_by_test_id("cohort-rules")).to_contain_text("暂无")
    page.goto(f"/training/trainees/{trainee('13800000002').id}")
    expect(page.get_by_test_id("trainee-items")).to_contain_text(zh(later))


def test_a_tick_outside_the_assigned_role_reads_the_same_on_every_page(page, plan):
    from portal.training import services

    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    town = db_area("北城街道")
    services.assign_cohort(admin, module, services.Cohort("director", county("yanhu").id, town.id),
                           today() + timedelta(days=10))
    sheet = services.create_sheet(admin, module, county("yanhu"), town, today(), "会议室", "王老师")
    make_user("city-trainer", "trainer")
    login(page, "city-trainer", PASSWORD)
    page.goto(f"/training/sessions/{sheet.id}")
    for name in ("主任乙", "督导甲"):  # 督导甲 is a 儿童督导员: the module was assigned to 儿童主任 only
        with page.expect_response(lambda r: "/people/" in r.url):
            page.get_by_test_id("sheet").get_by_label(f"{name}到场").check()
    page.goto("/training/")
    expect(page.get_by_test_id("overall")).to_contain_text("已安排 3 项，已完成 2 项（67%）")
    page.goto("/training/reports/matrix?county=yanhu")
    expect(page.get_by_test_id("matrix-percent")).to_have_text("67%")
    page.goto("/training/reports/city")
    expect(page.locator("tr", has_text="盐湖区").first).to_contain_text("67%")
    inst = instance_by_key("grassroots-training@yanhu-mz")
    make_user("lia", "liaison", unit="yanhu-mz")
    page.get_by_role("button", name="退出").click()
    login(page, "lia", PASSWORD)
    page.goto(f"/tasks/{inst.id}")
    cells = page.locator('[data-testid^="coverage-"][data-testid$="-director"], '
                         '[data-testid^="coverage-"][data-testid$="-supervisor"]').all_inner_texts()
    trained = sum(int(m.group(1)) for m in (re.match(r"(\d+)/", c) for c in cells) if m)
    assert trained == 2
