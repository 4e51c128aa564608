"""打印本条: one article printed as a citation — 《法名》第X条, its edition and 施行 date — then its text."""
from __future__ import annotations

LAW = "weichengnianren-baohu-fa"


def test_an_article_prints_as_a_citation_with_its_edition_and_effective_date(library, staff):
    clause_page = staff.client.get(f"/policy/{LAW}/a9").get_data(as_text=True)
    assert f'href="/policy/{LAW}/a9/print"' in clause_page and "打印本条" in clause_page
    html = staff.client.get(f"/policy/{LAW}/a9/print").get_data(as_text=True)
    assert '<h1 class="print-citation" data-testid="print-citation">《中华人民共和国未成年人保护法》第九条</h1>' in html
    assert "2024年4月26日版本，自2024年4月26日起施行（现行有效）" in html
    assert "各级人民政府应当重视和加强未成年人保护工作" in html
    assert "star-box" not in html and "复制引用" not in html  # the citation and the text, nothing else


def test_a_plan_clause_prints_with_its_number_and_an_unknown_one_is_not_found(library, staff):
    html = staff.client.get("/policy/yunmin-2021-74/3.2.8/print").get_data(as_text=True)
    assert "（运民发〔2021〕74号）三（二）8" in html and "运民发〔2021〕74号，2021年12月30日印发" in html
    assert staff.client.get(f"/policy/{LAW}/a9999/print").status_code == 404
