"""Searching a regulation by its title, short name or 文号 brings up that regulation first; a
result list longer than paging reaches says so and how to narrow it."""
from __future__ import annotations

import re

from portal.search import engine, titles


def first_card(html: str) -> tuple[str, str] | None:
    m = re.search(r'data-testid="search-card">\s*<h2 class="search-card-title"><a href="([^"]+)">([^<]+)</a>', html)
    return (m.group(1), m.group(2)) if m else None


def page(client, q: str, **params) -> str:
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_register_title_brings_up_its_register_entry_before_any_paragraph(user_client):
    html = page(user_client, "儿童福利机构管理办法")
    assert first_card(html) == ("/policy/register/ertong-fuli-jigou-guanli-banfa", "儿童福利机构管理办法")
    assert html.index('data-testid="search-card"') < html.index('data-testid="search-hit"')
    card = html[html.index('data-testid="search-card"'):html.index("</article>")]
    assert "民政部令第63号" in card and "2019年1月1日施行" in card and "本门户未收录全文" in card


def test_a_number_or_a_short_name_brings_up_the_document(user_client):
    assert first_card(page(user_client, "民政部令第63号"))[1] == "儿童福利机构管理办法"
    assert first_card(page(user_client, "《儿童福利机构管理办法》")) is not None
    for q in ("未保法", "未成年人保护法", "中华人民共和国未成年人保护法"):
        assert first_card(page(user_client, q)) == ("/policy/weichengnianren-baohu-fa", "中华人民共和国未成年人保护法"), q
    url, title = first_card(page(user_client, "运民发[2021]74号"))
    assert url == "/policy/yunmin-2021-74" and "实施方案" in title


def test_words_and_later_pages_get_no_card(user_client):
    assert first_card(page(user_client, "儿童福利机构")) is None
    assert first_card(page(user_client, "临时监护")) is None
    assert first_card(page(user_client, "儿童福利机构管理办法", page=2)) is None


def test_match_prefers_the_named_document_to_one_whose_title_the_query_merely_holds():
    a = titles.Named(title="儿童福利机构管理办法", url="/a")
    b = titles.Named(title="关于贯彻儿童福利机构管理办法的通知", url="/b")
    assert titles.match("儿童福利机构管理办法", [b, a]) == [a]
    assert titles.match("关于贯彻儿童福利机构管理办法的通知", [a, b])[0] == b


def test_results_beyond_the_paging_window_are_announced(user_client, monkeypatch):
    monkeypatch.setattr(engine, "MAX_WINDOW", 20)
    html = page(user_client, "儿童")
    total = int(re.search(r'data-testid="search-total">(\d+)</strong>', html).group(1))
    assert total > 20
    notice = re.search(r'data-testid="search-capped">([^<]+)<', html).group(1)
    assert "只列出最相关的前 20 条（2 页）" in notice and "筛选" in notice
    assert "第 1 / 2 页" in html
    few = page(user_client, "临时监护")
    assert 'data-testid="search-capped"' not in few


def test_a_pasted_title_found_in_one_paragraph_is_counted_exactly(user_client):
    html = page(user_client, "儿童福利机构管理办法")
    summary = re.search(r'data-testid="search-summary">(.*?)</p>', html, re.S).group(1)
    assert "约" not in summary and re.search(r'search-total">(\d+)<', summary)
