"""A county's trainer exports the whole 完成矩阵 of a large county (issue 24): the request answers at
once with a page that shows the file being made, the page turns into a download link by itself (htmx
polls it), she downloads the sheet with everyone in it; another trainer given the link gets nothing."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.core.time import today
from portal.training import export_jobs, services
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.training.helpers import import_rows, sync_modules

pytestmark = pytest.mark.browser
PEOPLE = 30


def test_trainer_waits_for_the_matrix_export_and_downloads_it_another_cannot(page, browser, live_server, plan,
                                                                              tmp_path, monkeypatch):
    page.set_default_timeout(30_000)
    sync_modules()
    import_rows(*[f"主任{k},儿童主任,盐湖区,第{k % 3 + 1}镇,第{k % 3 + 1}镇第{k}村,137{k:08d},," for k in range(PEOPLE)])
    admin = make_user("adm", "admin")
    services.assign_cohort(admin, services.get_module("xinxi-modi-paicha"), services.Cohort("director", None, None),
                           today() + timedelta(days=10))
    monkeypatch.setattr(export_jobs, "INLINE_ROWS", 10)  # 30 people: a "large" county for this test
    real_build = export_jobs.build

    def slow_build(*args, **kwargs):  # long enough to watch the page wait (ten years' county: seconds)
        time.sleep(2)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(export_jobs, "build", slow_build)
    make_user("yh-trainer", "trainer", unit="yanhu-mz")
    make_user("yh-trainer-2", "trainer", unit="yanhu-mz")

    login(page, "yh-trainer", PASSWORD)
    page.goto("/training/reports/matrix?county=yanhu")
    page.get_by_role("link", name="导出 Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("导出 Excel：完成矩阵")
    expect(page.get_by_test_id("export-job")).to_contain_text("正在生成")
    download = page.get_by_test_id("export-download")
    expect(download).to_be_visible()  # the page turned into the link by itself
    expect(page.get_by_test_id("export-job-status")).to_contain_text(f"盐湖区培训完成情况.xlsx，共 {PEOPLE} 人")
    with page.expect_download() as info:
        download.click()
    path = tmp_path / "matrix.xlsx"
    info.value.save_as(path)
    names = [row[0] for row in load_workbook(path).active.iter_rows(values_only=True)]
    assert sum(1 for n in names if n and n.startswith("主任")) == PEOPLE
    file_url = download.get_attribute("href")

    other = browser.new_context(base_url=live_server, locale="zh-CN")
    try:
        intruder = other.new_page()
        login(intruder, "yh-trainer-2", PASSWORD)
        intruder.goto(file_url)
        expect(intruder.locator(".flashes")).to_contain_text("只给发起导出的人下载")
        expect(intruder.get_by_test_id("export-download")).to_have_count(0)
    finally:
        other.close()
