"""The office sets the 考核 weights, and the 通报 shows each unit's rank and what changed since the
previous one (issue 20: "the 通报 shows the unit's rank and what changed since the last one")."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.board import snapshots
from portal.core import duty_rules
from portal.core.time import local_today
from portal.extensions import db
from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser


def test_office_sets_weights_and_the_report_shows_rank_and_changes(page, plan):
    today = local_today()
    previous_end = today.replace(day=1) - timedelta(days=1)
    snapshots.take(previous_end)  # the last 通报's day: 盐湖区's transfer was red then (its 2022 deadline)
    inst = instance_by_key("transfer-children@yanhu-mz")
    inst.state = duty_rules.CLOSED
    from datetime import datetime

    inst.closed_at = datetime.now()
    db.session.commit()
    title = inst.duty.title
    make_user("office", "admin")
    login(page, "office", PASSWORD)

    page.goto("/board")
    ranking = page.get_by_test_id("board-ranking")
    expect(ranking).to_contain_text("考核排名")
    ranking.get_by_role("link", name="计分办法和各项得分").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("考核排名")
    expect(page.get_by_test_id("formula")).to_contain_text("按时完成率（权重 30）")

    page.get_by_role("link", name="考核设置").click()
    form = page.get_by_test_id("assessment-settings-form")
    form.get_by_label("按时完成率权重").fill("50")
    form.get_by_label("黄色最低分").fill("99")  # above 绿色最低分 (85): refused, what was typed kept
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("黄色最低分不能高于绿色最低分")
    expect(form.get_by_label("按时完成率权重")).to_have_value("50")
    form.get_by_label("黄色最低分").fill("60")
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("formula")).to_contain_text("按时完成率（权重 50）")
    expect(page.get_by_test_id("formula")).to_contain_text("60 分及以上为黄")
    expect(page.get_by_test_id("ranking").locator("tbody tr").first).to_contain_text("1")

    page.goto("/board/report")
    report = page.get_by_test_id("report")
    expect(report.get_by_test_id("report-ranking").locator("tbody tr[data-unit='盐湖区民政局']")).to_have_count(1)
    back = report.get_by_test_id("back-from-red")
    expect(back).to_contain_text(title)
    expect(back).to_contain_text("盐湖区民政局")
    back.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page).to_have_url(re.compile(rf"/tasks/{inst.id}$"))
