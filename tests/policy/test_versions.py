"""Several versions of one law; citations read at the citing document's date; short titles; ambiguity."""
from portal.policy.sync import sync_policy

LAW = "weichengnianren-baohu-fa"


def _page(client, url) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def test_citation_links_the_version_in_force_then_and_the_old_version_reads_as_such(library, staff):
    html = _page(staff.client, "/policy/weichengnianren-wangluo-baohu-tiaoli/a1")
    assert f'<a class="cite" href="/policy/{LAW}/v/2020-10-17">《中华人民共和国未成年人保护法》</a>' in html
    assert "链接到2020年10月17日版本（引用文件成文时施行的版本）" in html  # said in the citation list
    old = _page(staff.client, f"/policy/{LAW}/v/2020-10-17")
    assert "这是2020年10月17日的版本（已修订，2021年6月1日起施行），不是现行文本" in old
    assert 'id="a92"' in old and "第九十二条" in old
    current = _page(staff.client, f"/policy/{LAW}")
    assert "2024年4月26日版本" in current and "现行有效" in current and f"/policy/{LAW}/v/2020-10-17" in current
    assert staff.client.get(f"/policy/{LAW}/v/2024-04-26").status_code == 302  # the current one is the document
    assert staff.client.get(f"/policy/{LAW}/v/1999-01-01").status_code == 404


NOTICE = """---
id: {id}
title: {title}
number:
issuers: 某县民政局
addressees:
date: {date}
kind: 通知
status: 现行有效
source: {id}.md
errata:
notes:
---

{{#preamble}}

依照《未成年人保护法》第九十二条做好临时监护工作。
"""


def test_short_titles_dates_and_ambiguity(content, staff):
    policy = content / "policy"
    for doc_id, date in (("tongzhi-2025", "2025-03-01"), ("tongzhi-undated", "")):
        (policy / f"{doc_id}.md").write_text(NOTICE.format(id=doc_id, title=f"关于临时监护的通知{doc_id[-4:]}",
                                                           date=date), encoding="utf-8")
    assert sync_policy(content).ok
    dated = _page(staff.client, "/policy/tongzhi-2025/preamble")
    assert f'<a class="cite" href="/policy/{LAW}/a92">《未成年人保护法》第九十二条</a>' in dated  # short title
    undated = _page(staff.client, "/policy/tongzhi-undated/preamble")
    assert f'href="/policy/{LAW}/a92"' in undated
    assert "引用文件未载明日期，无法确定所指版本，链接到现行版本" in undated  # said, not silently chosen
    # a second document with the same short title: the citation is ambiguous and says so
    text = (policy / "cishan-fa.md").read_text(encoding="utf-8")
    (policy / "cishan-fa.md").write_text(text.replace("short_title: 慈善法", "short_title: 未成年人保护法"),
                                         encoding="utf-8")
    assert sync_policy(content).ok
    dated = _page(staff.client, "/policy/tongzhi-2025/preamble")
    assert "《未成年人保护法》第九十二条<span class=\"cite-note\">（有多个文件使用此名称，未自动选择）</span>" in dated
