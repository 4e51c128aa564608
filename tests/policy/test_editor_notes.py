"""The library editor's working notes (「据OCR副本整理…未补」, 「施行日期为推定，待核实」) are for whoever keeps
the library, not for every reader; and no page shows a raw 2024-04-26 date."""
from __future__ import annotations

import re

from portal.core.labels import zh_dates_in

ISO = re.compile(r">[^<]*\b\d{4}-\d{2}-\d{2}\b[^<]*<")  # an ISO date in the text a reader sees


def test_a_reader_does_not_see_the_editors_notes(library, staff):
    page = staff.client.get("/policy/yunmin-2021-74").get_data(as_text=True)
    assert "据OCR副本整理" not in page and "未补" not in page and 'data-testid="editor-notes"' not in page


def test_the_library_admin_sees_them_with_chinese_dates(library, auth):
    auth.as_role("admin")
    page = auth.client.get("/policy/yunmin-2021-74").get_data(as_text=True)
    assert "据OCR副本整理" in page and "仅法规管理员可见" in page


def test_a_register_entry_shows_chinese_dates_and_keeps_its_links(library, staff):
    page = staff.client.get("/policy/register/weichengnianren-baohu-fa").get_data(as_text=True)
    assert "现行版本2024年4月26日" in page and "历史版本 2020年10月17日" in page
    assert not ISO.search(page), ISO.search(page).group(0)
    ertong = staff.client.get("/policy/register/ertong-fuli-jigou-guanli-banfa").get_data(as_text=True)
    assert 'href="/policy/weichengnianren-baohu-fa/v/2020-10-17"' in ertong  # a link's address is not text


def test_zh_dates_in():
    assert zh_dates_in("现行版本2024-04-26；历史版本 2020-10-17") == "现行版本2024年4月26日；历史版本 2020年10月17日"
    assert zh_dates_in('<a href="/v/2020-10-17">2020-10-17</a>') == '<a href="/v/2020-10-17">2020年10月17日</a>'
    assert zh_dates_in("2026-02-30") == "2026-02-30"  # no such day: left as written
