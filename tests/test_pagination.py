"""One reading of a page number for every list, the search page and the search engine (issue 23:
one page-number parser instead of three): a whole number from 1 to the last page, a larger one is the
last page, anything else is page 1."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.search.build import build_index
from portal.search.records import records_from_document
from portal.web.pagination import MAX_PAGE, page_number


@pytest.mark.parametrize("raw, last, expected", [
    ("3", MAX_PAGE, 3), (" 7 ", MAX_PAGE, 7), (4, MAX_PAGE, 4),
    (None, MAX_PAGE, 1), ("", MAX_PAGE, 1), ("0", MAX_PAGE, 1), ("-5", MAX_PAGE, 1), (-5, MAX_PAGE, 1),
    ("abc", MAX_PAGE, 1), ("2.5", MAX_PAGE, 1), ("２", MAX_PAGE, 1), ("1e3", MAX_PAGE, 1), (True, MAX_PAGE, 1),
    ("12", 10, 10), (12, 10, 10), ("9" * 30, 100, 100), ("9" * 5000, MAX_PAGE, MAX_PAGE), ("100000", MAX_PAGE, MAX_PAGE),
    ("5", 0, 1),
])
def test_a_page_number_is_read_one_way(raw, last, expected):
    assert page_number(raw, last) == expected


def _page_of(html: str) -> tuple[int, int]:
    shown, pages = re.search(r"第 (\d+) / (\d+) 页", html).groups()
    return int(shown), int(pages)


def test_a_list_asked_for_a_page_past_its_end_shows_its_last_page_however_far(plan, auth):
    """The all-units 台账 clamps a too-large page to its last page; page=100000 used to jump back to
    page 1 (the list pages had their own reading, the search page another)."""
    auth.as_role("leader")
    pages = _page_of(auth.client.get("/tasks/?unit=").get_data(as_text=True))[1]
    assert pages > 1
    for asked in (pages + 1, 100000, "9" * 40):
        assert _page_of(auth.client.get(f"/tasks/?unit=&page={asked}").get_data(as_text=True)) == (pages, pages)
    assert _page_of(auth.client.get("/tasks/?unit=&page=x").get_data(as_text=True)) == (1, pages)


def test_the_search_engine_reads_page_numbers_the_same_way(tmp_path):
    from portal.content.policy_doc import read_document
    from portal.search import engine

    plan = read_document(Path(__file__).resolve().parents[1] / "content" / "policy" / "yunmin-2021-74.md")
    build_index(tmp_path, records_from_document(plan))
    deepest = engine.MAX_WINDOW // 10
    assert engine.search(tmp_path, "儿童", page="x", limit=10).page == 1
    assert engine.search(tmp_path, "儿童", page=-3, limit=10).page == 1
    assert engine.search(tmp_path, "儿童", page=10**9, limit=10).page == deepest
    assert engine.search(tmp_path, "儿童", page=str(deepest + 1), limit=10).page == deepest
