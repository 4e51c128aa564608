"""The office's own plan on the first screen (portal/search/own_first.py): a topic the 方案 assigns
(食品安全) is also the subject of a whole law whose every article holds the word; the 方案's clause
still shows among the first three results, below the law's best, and not for a citation."""
from __future__ import annotations

from portal.search import engine
from portal.search.build import build_index
from portal.search.records import Record
from tests.search.conftest import fangan_records

FANGAN = "yunmin-2021-74"


def _food_law(articles: int = 12) -> list[Record]:
    """A law saying 食品安全 three times in every article, in a library of 600 other articles (the
    word is rare there, as in a real library, so the law's articles outscore the 方案's one mention)."""
    law = [Record(doc_id="spaq-fa", clause_id=f"a{n}", label=f"第{n}条",
                  text=f"第{n}条　食品安全工作实行预防为主。食品安全标准是强制执行的标准，食品安全第{n}项。",
                  doc_title="中华人民共和国食品安全法", url=f"/policy/spaq-fa#a{n}", validity="现行有效")
           for n in range(1, articles + 1)]
    other = [Record(doc_id="other", clause_id=f"a{n}", label=f"第{n}条",
                    text=f"第{n}条　县级以上人民政府应当加强道路交通、森林防火和档案工作的管理，第{n}项。",
                    doc_title="其他法", url=f"/policy/other#a{n}", validity="现行有效")
             for n in range(1, 601)]
    return law + other


def _top(ix, q: str, n: int = 10) -> list[tuple[str, str]]:
    return [(h.doc, h.clause_id) for h in engine.SearchEngine(ix).search(q, limit=n).results]


def test_the_plans_clause_is_on_the_first_screen_below_the_laws_best(tmp_path):
    build_index(tmp_path, fangan_records() + _food_law())
    top = _top(tmp_path, "食品安全")
    assert top[0][0] == "spaq-fa" and top[1][0] == "spaq-fa"        # the law's best keep their places
    assert top[2][0] == FANGAN                                        # the 方案's clause is third
    assert "食品安全" in engine.SearchEngine(tmp_path).search("食品安全", limit=3).results[2].snippet.replace("<mark>", "").replace("</mark>", "")
    assert sum(d == FANGAN for d, _ in top) == 1                      # one lifted, not every 方案 clause


def test_ranked_on_its_text_alone_the_plan_is_not_on_the_first_screen(tmp_path, monkeypatch):
    """What the rule is for: without it the law's articles fill the first screen."""
    from portal.search import own_first

    build_index(tmp_path, fangan_records() + _food_law())
    monkeypatch.setattr(own_first, "FIRST_SCREEN", 10_000)
    assert FANGAN not in [d for d, _ in _top(tmp_path, "食品安全", 3)]


def test_without_the_plan_the_order_is_the_texts(tmp_path):
    build_index(tmp_path, _food_law())
    assert [d for d, _ in _top(tmp_path, "食品安全", 3)] == ["spaq-fa"] * 3


def test_a_citation_is_not_displaced(tmp_path):
    build_index(tmp_path, fangan_records() + _food_law())
    assert _top(tmp_path, "食品安全法第五条", 3)[0] == ("spaq-fa", "a5")
    assert FANGAN not in [d for d, _ in _top(tmp_path, "食品安全法第五条", 3)]
