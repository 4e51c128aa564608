"""Every edition searchable: a sentence worded as in an earlier edition of a law is found, marked
with its edition and 已修订, and leads to that edition's article; the text in force comes first when
both hold the words."""
import re

from portal.search import services

# 未成年人保护法 第九条 as the 2020 edition words it (the 2024 amendment rewrote it)
OLD_WORDING = "协调机制具体工作由县级以上人民政府民政部门承担"


def _groups(html: str) -> list[str]:
    return re.findall(r'<h2 class="search-doc">(.*?)</h2>', html, re.S)


def test_a_sentence_of_an_earlier_edition_is_found_in_that_edition(user_client):
    services.sync_index()
    html = user_client.get("/search", query_string={"q": OLD_WORDING}).get_data(as_text=True)
    assert 'href="/policy/weichengnianren-baohu-fa/v/2020-10-17#a9"' in html
    first = _groups(html)[0]
    assert "中华人民共和国未成年人保护法（2020年10月17日版本）" in first and "已修订" in first


def test_the_text_in_force_comes_before_the_earlier_edition(user_client):
    services.sync_index()
    html = user_client.get("/search", query_string={"q": "有关部门在各自职责范围内做好"}).get_data(as_text=True)
    current = html.find('href="/policy/weichengnianren-baohu-fa/a9"')
    old = html.find('href="/policy/weichengnianren-baohu-fa/v/2020-10-17#a9"')
    assert current != -1 and old != -1 and current < old
    # an unchanged article is indexed once, in the text in force
    unchanged = user_client.get("/search", query_string={"q": "关心下一代工作委员会、青年联合会、学生联合会"}
                                ).get_data(as_text=True)
    assert 'href="/policy/weichengnianren-baohu-fa/a10"' in unchanged
    assert "/v/2020-10-17#a10" not in unchanged


def test_a_laws_abbreviation_still_searches_that_law_when_it_has_an_earlier_edition(user_client):
    """未保法 强制报告: the earlier edition shares the law's names; the name is the law in force, so the
    query is searched within it (first: 第十一条 or 第一百一十七条, the 强制报告 articles) — not across every law."""
    services.sync_index()
    html = user_client.get("/search", query_string={"q": "未保法 强制报告"}).get_data(as_text=True)
    assert 'data-testid="search-within"' in html
    assert len(set(_groups(html))) == 1, _groups(html)
    first = re.search(r'href="(/policy/[^"]+)"', html[html.index('data-testid="search-hit"'):]).group(1)
    assert first in ("/policy/weichengnianren-baohu-fa/a11", "/policy/weichengnianren-baohu-fa/a117"), first
