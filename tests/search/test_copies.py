"""One article's text once (``portal/search/copies.py``): clauses of several documents carrying the
same text are one hit, showing the most authoritative document's clause with the others listed;
paging and totals count each text once."""
from __future__ import annotations

import re

import pytest

from portal.search import copies, engine, rank, services, tiers
from portal.search.build import build_index
from portal.search.records import Record

ANSWER = "民政部门应当依法对流浪乞讨或者身份不明、暂时查找不到父母或者其他监护人的未成年人进行临时监护。"
OTHER = "县级以上人民政府应当建立未成年人保护工作协调机制，统筹、协调、督促和指导有关部门做好相关工作。"


def rec(doc: str, cid: str, text: str, title: str, *, level: str = "", issued: str = "", validity: str = "现行有效",
        chapter: str = "第二章 保护") -> Record:
    label = f"第{cid[1:]}条" if cid[1:].isdigit() else cid
    return Record(doc_id=doc, clause_id=cid, text=text, doc_title=title, label=label, title=chapter,
                  url=f"/policy/{doc}#{cid}", validity=validity, level=level, issued=issued)


def law(cid: str = "a92", text: str = ANSWER) -> Record:
    return rec("wcn-fa", cid, f"第九十二条　{text}", "中华人民共和国未成年人保护法", level="法律", issued="2020-10-17")


def compiled(n: int, cid: str = "a7", text: str = ANSWER, chapter: str = "第二章 保护") -> Record:
    # a 汇编 repeating the law's article under its own number, with no maker recorded
    return rec(f"huibian-{n}", cid, f"第七条 {text}", f"未成年人保护法规汇编（汇编{n}）", chapter=chapter)


def search(index, q: str, **kw) -> engine.SearchResponse:
    return engine.SearchEngine(index).search(q, **kw)


def keys(res) -> list[tuple[str, str]]:
    return [(h.doc, h.clause_id) for h in res.results]


# ---------------------------------------------------------------- the fingerprint


def test_fingerprint_ignores_label_punctuation_and_white_space():
    fp = copies.fingerprint(f"第九十二条　{ANSWER}")
    assert fp and fp == copies.fingerprint(ANSWER) == copies.fingerprint(f"第七条 {ANSWER.replace('，', ',')}\n")
    assert fp == copies.fingerprint(f"**第七条** {ANSWER.replace('、', ' ')}")
    assert fp != copies.fingerprint(ANSWER.replace("临时监护", "长期监护"))
    assert copies.fingerprint("（三）其他情形。") == 0  # too short to be a copy of anything


# ---------------------------------------------------------------- the rule


def test_two_documents_with_the_same_text_are_one_hit_the_other_listed(tmp_path):
    # the 汇编 is indexed first and its chapter title holds the query word: it would rank first
    build_index(tmp_path, [compiled(1, chapter="第二章 临时监护"), law(), law("a1", OTHER)])
    res = search(tmp_path, "临时监护")
    assert keys(res) == [("wcn-fa", "a92")] and res.total == 1 and res.merged
    hit = res.results[0]
    assert len(hit.copies) == 1 and [(c["doc"], c["clause_id"]) for c in hit.copies] == [("huibian-1", "a7")]
    assert hit.copies[0]["url"] == "/policy/huibian-1#a7" and hit.copies[0]["doc_title"].endswith("（汇编1）")
    assert hit.api()["copies"] == hit.copies


def test_the_most_authoritative_is_kept_whatever_the_index_order(tmp_path):
    text = ANSWER
    records = [
        compiled(1, text=text),
        rec("shandong", "a5", text, "山东省未成年人保护条例", level="地方性法规", issued="2019-01-01"),
        rec("tiaoli", "a30", text, "未成年人临时监护条例", level="行政法规", issued="2015-01-01"),
        rec("guizhang", "a3", text, "未成年人临时监护办法", level="部门规章", issued="2010-01-01"),
        law(text=text),
    ]
    build_index(tmp_path, records)
    res = search(tmp_path, "临时监护 流浪乞讨")
    assert keys(res) == [("wcn-fa", "a92")] and res.total == 1
    # law, then 行政法规, 部门规章, then the 汇编 (no maker recorded), and another province's rules last
    assert [c["doc"] for c in res.results[0].copies] == ["tiaoli", "guizhang", "huibian-1", "shandong"]


def test_between_equals_the_earlier_issued_then_the_one_indexed_first(tmp_path):
    build_index(tmp_path, [rec("later", "a1", ANSWER, "乙办法", level="部门规章", issued="2021-01-01"),
                           rec("earlier", "a1", ANSWER, "甲办法", level="部门规章", issued="2012-01-01"),
                           rec("undated-b", "a2", OTHER, "丙办法"), rec("undated-a", "a2", OTHER, "丁办法")])
    assert keys(search(tmp_path, "临时监护")) == [("earlier", "a1")]
    assert keys(search(tmp_path, "协调机制")) == [("undated-b", "a2")]


def test_the_edition_in_force_wins_over_an_earlier_edition_of_the_same_text(tmp_path):
    old = rec("wcn-fa@2012-10-26", "a50", ANSWER, "中华人民共和国未成年人保护法（2012年10月26日版本）",
              level="法律", issued="2012-10-26", validity="已修订")
    build_index(tmp_path, [old, law()])
    res = search(tmp_path, ANSWER[:20])
    assert keys(res) == [("wcn-fa", "a92")]
    assert [(c["doc"], c["validity"]) for c in res.results[0].copies] == [("wcn-fa@2012-10-26", "已修订")]


def test_different_text_is_not_collapsed(tmp_path):
    build_index(tmp_path, [law(), compiled(1, text=ANSWER.replace("临时监护", "长期监护").replace("民政部门", "民政局")),
                           law("a1", OTHER)])
    res = search(tmp_path, "监护 流浪乞讨")
    assert set(keys(res)) == {("wcn-fa", "a92"), ("huibian-1", "a7")} and res.total == 2 and not res.merged
    assert all(not h.copies and h.api()["copies"] == [] for h in res.results)


def test_one_document_repeating_its_own_words_keeps_both(tmp_path):
    build_index(tmp_path, [law(), law("a93"), compiled(1)])
    res = search(tmp_path, "临时监护")
    assert sorted(keys(res)) == [("wcn-fa", "a92"), ("wcn-fa", "a93")] and res.total == 2
    assert sum(len(h.copies) for h in res.results) == 1


# ---------------------------------------------------------------- paging


def _library(n: int = 12) -> list[Record]:
    """n texts about 监护, each in the law and in one to three 汇编."""
    out = []
    for i in range(n):
        text = f"{ANSWER[:-1]}，并在{i + 1}日内告知第{i + 1}号监护登记机关。"
        out.append(rec("wcn-fa", f"a{i + 1}", text, "中华人民共和国未成年人保护法", level="法律"))
        out += [compiled(k, cid=f"a{i + 1}", text=text) for k in range(i % 3 + 1)]
    return out


def _pages(index, q: str, limit: int) -> tuple[list[tuple[str, str]], set[int]]:
    eng = engine.SearchEngine(index)
    listed, totals, page = [], set(), 1
    while True:
        res = eng.search(q, page=page, limit=limit)
        listed += keys(res)
        totals.add(res.total)
        if len(res.results) < limit:
            return listed, totals
        page += 1


@pytest.mark.parametrize("tiered", [False, True])
def test_paging_lists_each_text_once_and_the_total_says_how_many(tmp_path, monkeypatch, tiered):
    if tiered:  # a head smaller than a page: deeper pages rank the rest (``tiers``)
        monkeypatch.setattr(rank, "SMALL", 0)
        monkeypatch.setattr(tiers, "HEAD", 3)
    build_index(tmp_path, _library())
    whole = search(tmp_path, "监护登记机关", limit=100)
    assert len(whole.results) == 12 and whole.total == 12 and whole.merged
    assert all(h.doc == "wcn-fa" and len(h.copies) == (int(h.clause_id[1:]) - 1) % 3 + 1 for h in whole.results)
    for limit in (1, 5, 7):
        listed, totals = _pages(tmp_path, "监护登记机关", limit)
        assert listed == keys(whole) and totals == {12}, limit


# ---------------------------------------------------------------- the page and the API


@pytest.fixture
def copied_index(tmp_path, monkeypatch):
    build_index(tmp_path, [compiled(1), compiled(2), law(), law("a1", OTHER)])
    monkeypatch.setattr(services, "index_dir", lambda: tmp_path)
    monkeypatch.setattr(services, "ensure_fresh", lambda *a, **kw: False)
    return tmp_path


def test_the_page_notes_the_same_text_elsewhere(user_client, copied_index):
    html = user_client.get("/search", query_string={"q": "临时监护"}).get_data(as_text=True)
    assert re.findall(r'data-testid="search-hit" data-clause="([^"]+)"', html) == ["a92"]
    assert "相同条文已合并" in html
    note = re.search(r'data-testid="search-copies">(.*?)</p>', html, re.S).group(1)
    assert note.startswith("另有2处相同条文：")
    assert '<a href="/policy/huibian-1#a7">《未成年人保护法规汇编（汇编1）》第7条</a>' in note
    assert '<a href="/policy/huibian-2#a7">' in note


def test_the_api_lists_the_copies(user_client, copied_index):
    data = user_client.get("/api/search", query_string={"q": "临时监护"}).get_json()
    assert data["total"] == 1 and data["merged"] is True
    (hit,) = data["results"]
    assert hit["doc"] == "wcn-fa" and [c["doc"] for c in hit["copies"]] == ["huibian-1", "huibian-2"]
    assert set(hit["copies"][0]) == {"doc", "doc_title", "clause_id", "label", "url", "validity"}
    plain = user_client.get("/api/search", query_string={"q": "协调机制"}).get_json()
    assert plain["results"][0]["copies"] == [] and "merged" not in plain


def test_a_fragment_pasted_with_its_label_finds_the_document_it_came_from(tmp_path):
    """The query as typed tells copies apart: 「七条 民政部门…」 is the 汇编's 第七条, not the law's 第九十二条."""
    old = rec("wcn-fa@2012-10-26", "a50", f"第五十条 {ANSWER}", "中华人民共和国未成年人保护法（2012年10月26日版本）",
              level="法律", issued="2012-10-26", validity="已修订")
    build_index(tmp_path, [law(), compiled(1), old])
    assert keys(search(tmp_path, "七条 民政部门应当依法对流浪乞讨"))[:1] == [("huibian-1", "a7")]
    assert keys(search(tmp_path, "五十条 民政部门应当依法对流浪乞讨"))[:1] == [("wcn-fa@2012-10-26", "a50")]
    # without the label it is the law's article, the others under it
    res = search(tmp_path, "民政部门应当依法对流浪乞讨")
    assert keys(res) == [("wcn-fa", "a92")] and len(res.results[0].copies) == 2


def test_national_law_is_kept_before_a_local_rule_even_when_the_query_names_the_place(tmp_path):
    build_index(tmp_path, [rec("sh", "a28", ANSWER, "上海市未成年人保护条例"), compiled(1), law()])
    for q in ("临时监护", "上海 临时监护"):
        res = search(tmp_path, q)
        assert keys(res) == [("wcn-fa", "a92")] and [c["doc"] for c in res.results[0].copies] == ["huibian-1", "sh"]
    # without makers recorded on either side, national before the place's own
    build_index(tmp_path, [rec("sh", "a28", ANSWER, "上海市未成年人保护条例"), rec("cn", "a9", ANSWER, "未成年人保护规定")])
    assert keys(search(tmp_path, "上海 临时监护")) == [("cn", "a9")]
