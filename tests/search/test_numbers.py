"""Numbers as staff type them: an article in Chinese numerals locates it exactly as in digits
(第一千零九十八条 = 第1098条, with or without a law's name before it), and a 文号 — an order's
number included (民政部令第63号) — brings up the document carrying it, never 未找到 a digit of it."""
from __future__ import annotations

import re

import pytest

from portal.search import engine, titles
from portal.search.build import build_index
from portal.search.query import cn_to_int, parse, same_wenhao
from portal.search.records import Record
from tests.search.test_titles import first_card, page
from tests.search.test_web import hits

SAME = [("第八条", "第8条", ["a8"]), ("第二十三条", "第23条", ["a23"]), ("第一百零五条", "第105条", ["a105"]),
        ("第一千零九十八条", "第1098条", ["a1098"]), ("民法典第一千零九十八条", "民法典第1098条", ["a1098"]),
        ("《民法典》第一千零九十八条", "《民法典》第1098条", ["a1098"]),
        ("第十二条第三款", "第12条第3款", ["a12"]),  # a 款 is no clause of its own: its article is
        ("第八条第二款第三项", "第8条第2款第3项", ["a8.2.3"]),
        ("第一千零九十八条第（五）项", "第1098条第(5)项", ["a1098.5", "a1098.*.5"]),
        ("第二章", "第2章", ["ch2"]), ("第十章", "第10章", ["ch10"])]


@pytest.mark.parametrize("numerals, digits, ids", SAME)
def test_numerals_and_digits_parse_to_the_same_query(numerals, digits, ids):
    a, b = parse(numerals), parse(digits)
    assert a.citations == b.citations == ids
    assert a.unquoted.replace("（", "(").replace("）", ")") == b.unquoted.replace("（", "(").replace("）", ")")
    assert a.words == b.words and "一千" not in a.words and "九十八" not in a.words


def test_search_reads_numbers_with_the_content_readers_function():
    assert [cn_to_int(t) for t in ("十", "十一", "二十", "一百零五", "一千零九十八", "两百", "1098", "１２")] == \
        [10, 11, 20, 105, 1098, 200, 1098, 12]
    assert cn_to_int("二百五") == cn_to_int("十十") == cn_to_int("条") == -1
    assert parse("第十十条").citations == []


def test_an_orders_number_is_a_wenhao_not_words():
    q = parse("民政部令第63号")
    assert q.wenhao and not q.words and not q.citations
    assert set(q.wenhao) == set(parse("民政部令63号").wenhao) == set(parse("民政部第63号令").wenhao)
    assert not set(q.wenhao) & set(parse("公安部令第63号").wenhao)  # only 部令 in common
    assert parse("主席令第四十三号").wenhao == parse("主席令第43号").wenhao


@pytest.mark.parametrize("a, b, same", [
    ("晋民发〔2021〕42号", "晋民发[2021]42号", True), ("晋民发〔2021〕42号", "省民政厅晋民发(2021)42号", True),
    ("运民发〔2021〕74号", "运民发2021年74号", True), ("运民发〔2021〕74号", "晋民发〔2021〕74号", False),
    ("运民发〔2021〕74号", "运民发〔2020〕74号", False), ("民政部令第63号", "民政部令63号", True),
    ("民政部令第63号", "公安部令第63号", False), ("民政部令第63号", "民政部令第64号", False), ("", "63", False)])
def test_same_wenhao(a, b, same):
    assert same_wenhao(a, b) is same and same_wenhao(b, a) is same


def test_a_card_matches_the_number_however_typed():
    named = [titles.Named(title="儿童福利机构管理办法", url="/r/63", number="民政部令第63号"),
             titles.Named(title="某办法", url="/r/64", number="公安部令第63号")]
    for q in ("民政部令第63号", "民政部令63号", "民政部令 第 63 号"):
        assert [d.url for d in titles.match(q, named)] == ["/r/63"], q


# ---------------------------------------------------------------- the engine

STATUTE = [
    ("a12", "第十二条", "第十二条　国家鼓励寄养。\n县级人民政府负责。\n乡镇人民政府协助。"),
    ("a1098", "第一千零九十八条", "第一千零九十八条　收养人应当同时具备下列条件："),
    ("a1098.1.5", "第一千零九十八条第一款第（五）项", "（五）年满三十周岁。"),
    ("a1099", "第一千零九十九条", "第一千零九十九条　收养三代以内旁系同辈血亲的子女，可以不受本法第一千零九十八条第一项规定的限制。"),
    ("a1103", "第一千一百零三条", "第一千一百零三条　继父或者继母可以收养继子女，并可以不受本法第一千零九十八条的限制。"),
]


@pytest.fixture(scope="module")
def code_index(tmp_path_factory):
    recs = [Record(doc_id="minfadian", clause_id=cid, label=label, text=text, doc_title="中华人民共和国民法典",
                          url=f"/policy/minfadian#{cid}") for cid, label, text in STATUTE]
    recs.append(Record(doc_id="shouyang", clause_id="history", label="沿革",
                              text="1999年5月25日 民政部令第14号发布", doc_title="中国公民收养子女登记办法",
                              doc_number="民政部令第14号"))
    recs.append(Record(doc_id="shouyang", clause_id="a1", label="第一条", doc_title="中国公民收养子女登记办法",
                              text="第一条　为了规范收养登记行为，根据《中华人民共和国民法典》，制定本办法。",
                              doc_number="民政部令第14号"))
    d = tmp_path_factory.mktemp("search_numbers")
    build_index(d, recs)
    return d


def _order(index, q):
    res = engine.search(index, q, limit=20)
    return [(h.doc, h.clause_id) for h in res.results], res


@pytest.mark.parametrize("numerals, digits", [("第一千零九十八条", "第1098条"), ("民法典第一千零九十八条", "民法典第1098条"),
                                              ("第十二条第三款", "第12条第3款"),
                                              ("第一千零九十八条第（五）项", "第1098条第（5）项")])
def test_an_article_in_numerals_is_located_exactly_as_in_digits(code_index, numerals, digits):
    got, res = _order(code_index, numerals)
    assert got == _order(code_index, digits)[0] and res.total == _order(code_index, digits)[1].total
    assert not res.missing
    expected = {"第十二条第三款": "a12", "第一千零九十八条第（五）项": "a1098.1.5"}.get(numerals, "a1098")
    assert got[0] == ("minfadian", expected)


def test_an_article_first_then_the_articles_that_refer_to_it(code_index):
    got, res = _order(code_index, "第一千零九十八条")
    assert got[0] == ("minfadian", "a1098")
    assert {("minfadian", "a1099"), ("minfadian", "a1103")} <= set(got)  # "不受本法第一千零九十八条…"
    assert "<mark>第一千零九十八条</mark>" in res.results[0].snippet
    got, res = _order(code_index, "民法典第1098条")
    assert got[0] == ("minfadian", "a1098") and "<mark>第一千零九十八条</mark>" in res.results[0].snippet


def test_an_orders_number_finds_its_document_first_and_no_digit_is_missing(code_index):
    got, res = _order(code_index, "民政部令第14号")
    assert got[0][0] == "shouyang" and not res.missing
    got, res = _order(code_index, "民政部令第63号")  # no document carries it: nothing, and nothing "未找到"
    assert got == [] and res.missing == []


# ---------------------------------------------------------------- the page (the shipped library)


def test_the_page_locates_an_article_typed_in_numerals(user_client):
    for q in ("第一千零九十八条", "民法典第一千零九十八条", "《民法典》第一千零九十八条", "第1098条"):
        html = page(user_client, q)
        assert hits(html)[0] == "a1098", q
        assert 'data-testid="search-not-found"' not in html
    html = page(user_client, "民法典第一千零九十八条")
    assert int(re.search(r'search-total">(\d+)<', html).group(1)) < 20  # not every 一千/九十八 in the library


@pytest.mark.parametrize("q", ["民政部令第63号", "民政部令63号", "民政部63号令"])
def test_an_orders_number_shows_its_register_entry_and_no_not_found(user_client, q):
    html = page(user_client, q)
    assert first_card(html) == ("/policy/register/ertong-fuli-jigou-guanli-banfa", "儿童福利机构管理办法")
    assert "未找到" not in html and 'data-testid="search-not-found"' not in html
    assert "名称或文号相符的文件见下" in html  # no clause holds it: the page says where the answer is


@pytest.mark.parametrize("q", ["运民发〔2021〕74号", "运民发[2021]74号", "运民发(2021)74号", "运民发2021年74号",
                               "晋民发〔2021〕42号", "晋民发[2021]42号", "晋民发（2021）42号", "国务院令第674号"])
def test_a_wenhao_brings_up_its_document_first(user_client, q):
    html = page(user_client, q)
    card = first_card(html)
    assert card is not None and "未找到" not in html, q
    expected = {"运": "/policy/yunmin-2021-74", "晋": "/policy/register/jinminfa-2021-42",
                "国": "/policy/canjiren-jiaoyu-tiaoli"}[q[0]]
    assert card[0] == expected
    assert html.index('data-testid="search-card"') < html.index('data-testid="search-hit"')


def test_an_inserted_article_is_cited_as_itself(tmp_path):
    """第十七条之一 (an article an amendment inserted: the importer's a17-1) is found as itself, not as 第十七条."""
    recs = [Record(doc_id="xf", clause_id=cid, label=label, text=f"{label}　{text}", doc_title="中华人民共和国刑法",
                   url=f"/policy/xf#{cid}", validity="现行有效")
            for cid, label, text in (("a17", "第十七条", "已满十六周岁的人犯罪，应当负刑事责任。"),
                                     ("a17-1", "第十七条之一", "已满七十五周岁的人故意犯罪的，可以从轻或者减轻处罚。"),
                                     ("a18", "第十八条", "精神病人在不能辨认或者不能控制自己行为的时候造成危害结果的，不负刑事责任。"))]
    build_index(tmp_path, recs)
    assert parse("刑法第十七条之一").citations == ["a17-1"]
    assert [h.clause_id for h in engine.SearchEngine(tmp_path).search("刑法第十七条之一", limit=1).results] == ["a17-1"]
    assert [h.clause_id for h in engine.SearchEngine(tmp_path).search("刑法第十七条", limit=1).results] == ["a17"]
