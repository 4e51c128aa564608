"""对照版: two editions of a law article by article — added, removed, changed with the words marked;
articles renumbered by an inserted article are the same article."""
from portal.policy.compare import Article, changed_articles, compare, compare_editions, mark_words
from tests.conftest import ROOT

POLICY = ROOT / "content" / "policy"


def _a(n: int, text: str) -> Article:
    return Article(f"a{n}", f"第{n}条", text)


def test_an_inserted_article_renumbers_the_rest_without_marking_them_changed():
    old = [_a(1, "甲。"), _a(2, "乙应当报告。"), _a(3, "丙。"), _a(4, "丁。")]
    new = [_a(1, "甲。"), _a(2, "乙应当立即报告。"), _a(3, "新增的一条，讲的是别的事情。"), _a(4, "丙。")]
    result = compare(old, new)
    assert [(r.kind, r.old and r.old.clause_id, r.new and r.new.clause_id) for r in result.changes] == [
        ("changed", "a2", "a2"), ("added", None, "a3"), ("removed", "a4", None)]
    assert result.count("same") == 2 and result.changed_old_ids() == {"a2", "a4"}


def test_changed_articles_are_what_the_comparison_finds_changed_or_removed():
    """The search index's shortcut (no pairing, no marking) against the full comparison, on every
    earlier edition shipped, both ways round."""
    pairs = 0
    for earlier in sorted(POLICY.glob("*@*.md")):
        current = POLICY / f"{earlier.stem.split('@')[0]}.md"
        for a, b in ((earlier, current), (current, earlier)):
            old, new = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
            assert changed_articles(old, new) == compare_editions(old, new).changed_old_ids(), (a.name, b.name)
            pairs += 1
    assert pairs >= 6


def test_changed_words_are_marked():
    old, new = mark_words("有关部门应当报告。", "有关部门应当立即报告<b>。")
    assert str(old) == "有关部门应当报告。"
    assert str(new) == "有关部门应当<ins>立即</ins>报告<ins>&lt;b&gt;</ins>。"


def test_compare_page_shows_what_the_2024_amendment_of_the_minors_law_changed(library, staff):
    page = staff.client.get("/policy/weichengnianren-baohu-fa/compare?from=2020-10-17&to=2024-04-26")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2020年10月17日版本（已修订）→ 2024年4月26日版本（现行有效）：修改 1 条，新增 0 条，删除 0 条" in html
    assert "<ins>各级人民政府应当重视和加强未成年人保护工作。</ins>" in html
    assert 'href="/policy/weichengnianren-baohu-fa/a9"' in html  # the article in force
    bad = staff.client.get("/policy/weichengnianren-baohu-fa/compare?from=1999-01-01&to=x").get_data(as_text=True)
    assert "所选的两个版本无效或相同" in bad and "修改 1 条" in bad
    assert staff.client.get("/policy/yunmin-2021-74/compare").status_code == 404  # one edition only


def test_an_article_of_an_old_edition_leads_to_the_article_in_force(library, staff):
    html = staff.client.get("/policy/weichengnianren-baohu-fa/v/2020-10-17").get_data(as_text=True)
    assert '现行文本：<a href="/policy/weichengnianren-baohu-fa/a9">第九条</a>（文字有修改）' in html
    assert '现行文本：<a href="/policy/weichengnianren-baohu-fa/a10">第十条</a>（文字未变）' in html
