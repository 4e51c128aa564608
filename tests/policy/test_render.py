"""Markdown rendering: sanitised, CJK lines joined, anchors and citation links added."""
from portal.content.citations import RegisterEntry, Resolver
from portal.content.render import render_markdown


def test_raw_html_is_escaped_never_markup():
    html = render_markdown('<script>alert("x")</script>\n\n正文<img src=x onerror=alert(1)>'
                           '[链接](javascript:alert(1))')
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html


def test_cjk_soft_line_breaks_are_joined():
    md = "{#4.2.1}各相关部门要密切配合。\n{#4.2.2}民政部门要履行职责；\n{#4.2.3}**机构编制**部门要统筹资源。"
    html = render_markdown(md)
    assert "\n" not in html.strip()
    assert html.count('class="clause-anchor"') == 3
    assert "配合。<span" in html and "职责；<span" in html


def test_latin_line_breaks_are_kept():
    assert "word\nnext" in render_markdown("word\nnext")


def test_citation_links():
    r = Resolver([], [RegisterEntry("jy", "家庭寄养管理办法")])
    html = render_markdown("要按照《家庭寄养管理办法》进行<家庭>寄养。", lambda c: f"/reg/{r.resolve(c).register_key}",
                           r.find)
    assert '<a class="cite" href="/reg/jy">《家庭寄养管理办法》</a>' in html
    assert "&lt;家庭&gt;" in html
