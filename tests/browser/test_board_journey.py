"""A leader's board journey: a matrix cell's duties (htmx, URL kept), one duty and back, the county
filter, the transfer tracker, and a 通报 saved as PDF and downloaded as .xlsx."""
from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.extensions import db
from portal.models import Duty, DutyInstance
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_leader_board_to_report(page, plan):
    make_user("boss", "leader")
    login(page, "boss", PASSWORD)
    expect(page).to_have_url(re.compile(r"/board$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作总览")

    # 市公安局 × 三（一）1: its duties appear below without a page load, and the URL carries the cell.
    page.evaluate("window.__samePage = true")
    page.locator('[data-cell="市公安局|三（一）1"]').click()
    drill = page.get_by_test_id("drill")
    expect(drill).to_contain_text("运城市公安局 · 三（一）1")
    expect(page).to_have_url(re.compile(r"u=city-ga&a=3\.1\.1"))
    assert page.evaluate("window.__samePage") is True
    title = drill.get_by_role("link").first.inner_text()
    drill.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.go_back()
    expect(page.get_by_test_id("drill")).to_contain_text("运城市公安局 · 三（一）1")

    # County filter: 盐湖区's units, nobody else's.
    page.get_by_test_id("board-filters").get_by_label("县（市、区）").select_option(label="盐湖区")
    page.get_by_test_id("board-filters").get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"county=yanhu"))
    areas = page.get_by_test_id("areas")
    expect(areas.get_by_role("rowheader", name="盐湖区民政局")).to_be_visible()
    expect(areas.get_by_role("rowheader", name="盐湖区公安局")).to_be_visible()
    expect(areas.get_by_role("rowheader", name="永济市民政局")).to_have_count(0)
    expect(areas.get_by_role("rowheader", name="市公安局")).to_have_count(0)

    # The transfer tracker, for the county in view, with the 方案's three dates.
    page.get_by_role("link", name="移交进度").click()
    tracker = page.get_by_test_id("transfer")
    expect(tracker.locator("tbody tr")).to_have_count(1)
    expect(tracker.locator('tr[data-county="盐湖区"]')).to_be_visible()
    for when in ("2022年5月", "2022年9月1日前", "2022年9月底"):
        expect(page.get_by_test_id("transfer-dates")).to_contain_text(when)
    page.locator(".breadcrumb").get_by_role("link", name="工作总览").click()
    expect(page).to_have_url(re.compile(r"county=yanhu"))  # the filter came back with us

    # The 通报 for the whole city: print to PDF (A4) and check the title on page one.
    page.get_by_test_id("board-filters").get_by_role("link", name="清除筛选").click()
    page.get_by_role("link", name="生成通报").click()
    report = page.get_by_test_id("report")
    expect(report.get_by_role("heading", level=1)).to_have_text("全市儿童福利机构优化提质和创新转型工作推进情况通报")
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    # The PDF's font maps some characters to radical code points (⼉ for 儿, ⺠ for 民): fold them back.
    raw = re.sub(r"\s+", "", pdf.pages[0].extract_text())
    first = unicodedata.normalize("NFKC", raw).translate(str.maketrans({"⺠": "民"}))
    assert "全市儿童福利机构优化提质和创新转型工作推进情况通报" in first
    assert "运民发〔2021〕74号" in first
    assert "工作总览" not in first  # navigation is not printed
    page.emulate_media(media="screen")

    # The .xlsx: a figure checked against the database.
    with page.expect_download() as download_info:
        page.get_by_test_id("report-xlsx").click()
    path = download_info.value.path()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(Path(path).read_bytes()))
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    live = db.session.scalar(sa.select(sa.func.count(DutyInstance.id)).join(Duty)
                             .where(~DutyInstance.archived, ~Duty.archived))
    assert summary["任务总数"] == live
    assert wb.sheetnames[:2] == ["汇总", "部门状态"] and "移交进度" in wb.sheetnames
