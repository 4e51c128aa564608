"""A query matching many clauses is ordered in two tiers (``portal/search/tiers.py``): its first
pages are read from a head of each lookup's best matches, deeper pages rank the rest. The shipped
library is small, so the thresholds are lowered here until every word below takes that path;
paging must still list every clause holding it once, holders first, the total saying how many —
whether the reader kept the order between pages or ranks it again for each page."""
from __future__ import annotations

import pytest

from portal.search import engine, rank, services, tiers
from tests.search.test_recall import (
    WORDS,
    _check,
    _listed,
    live,  # noqa: F401  (the fixture)
)

DEEP = ["儿童", "监护", "福利", "机构", "家庭", "民政部门", "人民政府", "县级以上", "儿童福利", "监护人 未成年人",
        "公安 落户", "孤儿怎么申请基本生活费", "残疾儿童 康复"]


@pytest.fixture(autouse=True)
def _fresh_orders(library):
    """Orders a reader kept from other tests were ranked with the usual thresholds."""
    def clear():
        with library.test_request_context():
            engine.engine_for(services.index_dir()).forget_orders()
    clear()
    yield
    clear()


@pytest.fixture(params=["kept", "ranked again"])
def two_tiers(request, monkeypatch):
    monkeypatch.setattr(rank, "SMALL", 0)        # every query with words takes the tiered order
    monkeypatch.setattr(tiers, "HEAD", 4)         # a head smaller than a page: deeper pages rank the rest
    if request.param == "ranked again":
        monkeypatch.setattr(engine, "ORDERS_KEPT", 0)
    return request.param


def _ids(q: str, page: int, limit: int) -> list[tuple[str, str]]:
    return [(h.doc, h.clause_id) for h in services.run_search(q, page=page, limit=limit).results]


@pytest.mark.parametrize("q", WORDS[:12])
def test_paging_a_tiered_order_lists_every_holder_once(q, live, two_tiers):  # noqa: F811
    _check(q, live)


def test_every_page_is_a_slice_of_one_order(live, two_tiers):  # noqa: F811
    for q in DEEP:
        order, total, estimated = _listed(q)
        assert len(order) == len(set(order)) and total == len(order) and not estimated, q
        for limit in (1, 3, 10):
            for page in (1, 2, 3):
                assert _ids(q, page, limit) == order[(page - 1) * limit:page * limit], (q, page, limit)


def test_the_first_page_matches_ranking_everything(live, monkeypatch):  # noqa: F811
    """With a head as large as the default, page 1 is what ranking every match gives."""
    monkeypatch.setattr(engine, "ORDERS_KEPT", 0)
    wanted = {q: _ids(q, 1, 10) for q in DEEP}
    monkeypatch.setattr(rank, "SMALL", 0)
    for q in DEEP:
        assert _ids(q, 1, 10) == wanted[q], q
