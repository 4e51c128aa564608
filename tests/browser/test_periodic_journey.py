"""A monthly duty rolls over (issue 20: "a monthly duty rolls over to its next period"): the office
works last month's period to 销号 on the duty page; when the month is over the page shows this
month's period, fresh, and last month's kept in the history."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.core import duty_rules
from portal.core.time import local_today
from portal.extensions import db
from tests.browser.conftest import login
from tests.browser.test_duty_journey import logout
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser


def test_a_monthly_duty_rolls_over_to_its_next_period(page, plan, clock):
    inst = instance_by_key("sfly-drills")
    inst.duty.period = "monthly"  # the shipped drill is quarterly; this test's duty is a monthly one
    db.session.commit()
    today = local_today()
    last_month = today.replace(day=1) - timedelta(days=1)
    clock(last_month)  # the work is done last month
    make_user("sfly", "liaison", unit="inst-sfly")  # the 市福利院's liaison does the drill
    make_user("office", "admin")  # the 督查室 verifies it
    login(page, "sfly", PASSWORD)

    page.goto(f"/tasks/{inst.id}")
    expect(page.get_by_test_id("current-period")).to_contain_text(duty_rules.period_label("monthly", last_month.replace(day=1)))
    expect(page.get_by_test_id("periods")).to_contain_text("这是第一期")
    page.get_by_label("新增记录").fill("本月演练已组织，记录附后")
    page.get_by_role("button", name="添加记录").click()
    expect(page.get_by_test_id("notes")).to_contain_text("本月演练已组织")
    page.get_by_role("button", name="申请销号").click()
    expect(page.get_by_test_id("status")).to_contain_text("申请销号")
    logout(page)
    login(page, "office", PASSWORD)
    page.goto(f"/tasks/{inst.id}")
    page.get_by_role("button", name="核验通过，销号").click()
    expect(page.get_by_test_id("status")).to_contain_text("已销号")

    clock(None)  # the month is over
    page.goto(f"/tasks/{inst.id}")
    expect(page.get_by_test_id("current-period")).to_contain_text(duty_rules.period_label("monthly", today.replace(day=1)))
    expect(page.get_by_test_id("status")).to_contain_text("未启动")
    history = page.get_by_test_id("period-history")
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history.locator("tbody tr").first).to_contain_text(duty_rules.period_label("monthly", last_month.replace(day=1)))
    expect(history.locator("tbody tr").first).to_contain_text("已销号")
    expect(page.get_by_role("button", name="申请销号")).to_be_visible()  # this month's 销号 is open again
