"""A county's trainer opens the training summary from the training pages and downloads its sheet:
their county's figures only, as on their overview and the API (issue #18); a long county list is
read a page at a time in the matrix (issue #24)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.core.time import today
from portal.training import figures as reports
from portal.training import services
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.training.helpers import ROWS, county, import_rows, sync_modules

pytestmark = pytest.mark.browser


def test_a_county_trainer_reads_their_county_s_summary_and_pages_through_the_matrix(page, plan, tmp_path):
    sync_modules()
    import_rows(*ROWS, *[f"主任{k},儿童主任,盐湖区,第{k % 3 + 1}镇,第{k % 3 + 1}镇第{k}村,137{k:08d},,"
                         for k in range(reports.MATRIX_PAGE + 5)])
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    services.assign_cohort(admin, module, services.Cohort("director", None, None), today() + timedelta(days=10))
    make_user("yh-trainer", "trainer", unit="yanhu-mz")
    login(page, "yh-trainer", PASSWORD)
    page.locator("nav.main-nav").get_by_role("link", name="培训").click()
    page.locator("nav.sub-nav").get_by_role("link", name="全市汇总").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("盐湖区培训完成情况")
    assigned = reports.figures(county("yanhu").id).total.assigned
    expect(page.get_by_text(f"已安排 {assigned}，")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("永济市")
    with page.expect_download() as info:
        page.get_by_role("link", name="按县导出 Excel").click()
    path = tmp_path / "summary.xlsx"
    info.value.save_as(path)
    cells = [c for row in load_workbook(path).active.iter_rows(values_only=True) for c in row if c is not None]
    assert "盐湖区" in cells and "永济市" not in cells

    page.locator("nav.sub-nav").get_by_role("link", name="完成矩阵").click()
    expect(page.get_by_text(f"{len(ROWS) - 1 + reports.MATRIX_PAGE + 5} 人")).to_be_visible()
    expect(page.get_by_test_id("matrix").locator("tbody tr")).to_have_count(reports.MATRIX_PAGE)
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_text("第 2 / 2 页")).to_be_visible()
    expect(page.get_by_test_id("matrix").locator("tbody tr")).to_have_count(len(ROWS) - 1 + 5)
