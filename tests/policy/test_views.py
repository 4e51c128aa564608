"""The library pages and the JSON API over HTTP."""
from __future__ import annotations

import re

from portal.policy.services import duties_for_clause
from portal.policy.sync import sync_policy

DOC = "yunmin-2021-74"
TITLE = "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案"


def _page(client, url) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def test_library_lists_documents(library, staff):
    html = _page(staff.client, "/policy/")
    assert TITLE in html and "运民发〔2021〕74号" in html and "2021年12月30日" in html
    assert "运城市民政局等13个单位" in html and "现行有效" in html
    assert re.search(r"<td data-label=\"条款数\">20</td>", html)  # numbered clauses
    assert "/policy/register/jiating-jiyang-guanli-banfa" in html
    # the live filter returns only the rows
    r = staff.client.get("/policy/?q=寄养", headers={"HX-Request": "true"})
    assert "<h1>" not in r.get_data(as_text=True) and "没有符合条件的文件" in r.get_data(as_text=True)


def test_document_page(library, staff):
    html = _page(staff.client, f"/policy/{DOC}")
    toc = html[html.index('data-testid="toc"'):html.index("</nav>", html.index('data-testid="toc"'))]
    assert '<a href="#3.2.8">三（二）8 做好移交工作</a>' in toc
    assert '<section class="clause level-3" id="3.2.8"' in html
    assert f'href="/policy/{DOC}/3.2.8"' in html  # permalink
    assert f'data-citation="《{TITLE}》（运民发〔2021〕74号）三（二）8"' in html
    assert '<a class="cite" href="/policy/register/jiating-jiyang-guanli-banfa">《家庭寄养管理办法》</a>' in html
    assert 'id="4.2.3"' in html  # finer anchors are linkable
    # 四（二）: one sentence per source line, rendered as one paragraph without spaces
    assert "及时沟通，共同做好儿童福利机构优化提质和创新转型有关工作。<a class=\"sub-permalink\" id=\"4.2.2\"" in html
    assert "\n<a class=\"sub-permalink\"" not in html


def test_clause_page(library, staff):
    html = _page(staff.client, f"/policy/{DOC}/3.1.1")
    path = html[html.index('data-testid="clause-path"'):html.index("</p>", html.index('data-testid="clause-path"'))]
    assert "三 工作任务" in path and "三（一） 推进市福利院优化提质" in path
    assert f'rel="prev" href="/policy/{DOC}/3.1"' in html and f'rel="next" href="/policy/{DOC}/3.1.2"' in html
    assert 'data-testid="clause-duties"' in html and "本条款暂无关联任务" in html
    cites = html[html.index("本条引用"):html.index("被引用")]
    assert "/policy/register/jiating-jiyang-guanli-banfa" in cites and "/policy/register/ertong-fuli" in cites
    assert f"/policy/{DOC}/3.1.1.3" in html  # anchors inside keep their permalinks
    # a section shows its subtree; an anchor page shows just the anchor
    assert "3.1.7" in _page(staff.client, f"/policy/{DOC}/3.1")
    anchor = _page(staff.client, f"/policy/{DOC}/4.2.3")
    assert "机构编制" in anchor and "发展改革" not in anchor.split('data-testid="clause-text"')[1].split("</article>")[0]
    assert staff.client.get(f"/policy/{DOC}/9.9").status_code == 404
    assert staff.client.get("/policy/nope").status_code == 404


def test_clause_lists_the_duties_it_created_including_finer_anchors(plan, staff):
    keys = {v.inst.key for v in duties_for_clause(DOC, "3.2.8")}
    assert "transfer-children@yanhu-mz" in keys and len([k for k in keys if k.startswith("transfer-children@")]) == 13
    # 4.2 has no duty of its own: its department sentences (4.2.6 …) do, and roll up.
    assert "police-duties" in {v.inst.key for v in duties_for_clause(DOC, "4.2")}
    assert duties_for_clause(DOC, "1") == [] and duties_for_clause("other-doc", "3.2.8") == []
    html = _page(staff.client, f"/policy/{DOC}/3.2.8")
    assert 'data-key="transfer-children@yongji-mz"' in html and "/tasks/" in html
    document = _page(staff.client, f"/policy/{DOC}")
    assert "本条任务" in document


def test_register_pages(library, staff):
    html = _page(staff.client, "/policy/register/")
    assert "晋民发〔2021〕42号" in html and "《家庭寄养管理办法》" in html
    html = _page(staff.client, "/policy/register/jiating-jiyang-guanli-banfa")
    assert "未载明" in html  # the 方案 states no 文号/issuer/date: left empty, not guessed
    assert f'href="/policy/{DOC}/3.1.1#3.1.1.3"' in html and "三（一）1" in html
    assert staff.client.get("/policy/register/nope").status_code == 404


def test_api(library, staff):
    data = staff.client.get("/api/policy").get_json()
    doc = data["documents"][0]  # the 方案 first, then the statutes the library ships
    assert len(data["documents"]) == 16
    assert doc["id"] == DOC and doc["number"] == "运民发〔2021〕74号" and doc["url"] == f"/policy/{DOC}"
    data = staff.client.get(f"/api/policy/{DOC}").get_json()
    assert data["title"] == TITLE and data["date"] == "2021-12-30" and len(data["issuers"]) == 13
    ids = [c["id"] for c in data["clauses"]]
    assert ids[:4] == ["header", "preamble", "1", "2"] and ids[-1] == "closing"
    c = next(c for c in data["clauses"] if c["id"] == "3.1.1")
    assert set(c) == {"id", "label", "title", "parent", "text", "url"}
    assert (c["label"], c["title"], c["parent"], c["url"]) == ("三（一）1", "做好收留和抚养工作", "3.1", f"/policy/{DOC}/3.1.1")
    assert "{#" not in c["text"] and "**" not in c["text"]
    assert staff.client.get("/api/policy/nope").status_code == 404


def test_api_needs_login(library, client):
    r = client.get("/api/policy")
    assert r.status_code == 401 and r.get_json() == {"error": "请先登录"}


def test_script_in_content_is_escaped(content, app, staff):
    path = content / "policy" / "xss.md"
    path.write_text("---\nid: xss\ntitle: 测试办法\nnumber:\nissuers:\naddressees:\ndate:\nkind: 办法\n"
                    "status: 现行有效\nsource: xss.md\nerrata:\nnotes:\n---\n\n{#a1}\n"
                    "**第一条** <script>alert('x')</script>正文<b onclick=x>粗</b>\n", encoding="utf-8")
    assert sync_policy(content).ok
    html = _page(staff.client, "/policy/xss")
    body = html.split('data-testid="policy-text"')[1]
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body and "<b onclick" not in body


def test_imported_statute_becomes_the_link_target(content, staff):
    from tests.policy.conftest import STATUTE_MD

    (content / "policy" / "jiating-jiyang.txt").write_text(STATUTE_MD, encoding="utf-8")
    assert sync_policy(content).ok
    html = _page(staff.client, f"/policy/{DOC}/3.1.1")
    assert '<a class="cite" href="/policy/jiating-jiyang">《家庭寄养管理办法》</a>' in html
    statute = _page(staff.client, "/policy/jiating-jiyang")
    assert '<a href="#a3">第三条</a>' in statute and "第二章 寄养条件" in statute
    assert f'href="/policy/{DOC}/3.1.1#3.1.1.3"' in statute  # cited by the 方案
    old_id = staff.client.get("/policy/jiating-jiyang/a3.2")  # an item id from before 款 scoping
    assert old_id.status_code == 302 and old_id.headers["Location"].endswith("/policy/jiating-jiyang/a3.1.2")
    item = _page(staff.client, "/policy/jiating-jiyang/a3.1.2")
    assert "第三条第一款第（二）项" in item and "有稳定的经济收入" in item
    entry = _page(staff.client, "/policy/register/jiating-jiyang-guanli-banfa")
    assert 'href="/policy/jiating-jiyang">查看全文（5 条）' in entry


def test_print_view_is_the_document_without_portal_apparatus(library, staff):
    html = _page(staff.client, f"/policy/{DOC}/print")
    body = html.split('data-testid="official-text"', 1)[1]
    assert "运民发〔2021〕74号" in body and TITLE in body and "各县（市、区）民政局" in body
    assert "一、指导思想" in body and "运城市医疗保障局" in body  # title block, body and signatures
    for apparatus in ("breadcrumb", "文件信息", "引用格式", "clause-label", "sub-permalink", "复制", 'class="cite"', "toc"):
        assert apparatus not in body, apparatus
    statute = _page(staff.client, "/policy/weichengnianren-baohu-fa/print")
    assert '<h1 class="official-title">中华人民共和国未成年人保护法</h1>' in statute and "第九十二条" in statute


def test_fangan_shows_no_status_it_does_not_state(library, staff):
    """The 方案 states no 效力; the pages show none rather than an invented one."""
    meta = _page(staff.client, f"/policy/{DOC}")
    meta = meta[meta.index('data-testid="doc-meta"'):meta.index("</table>", meta.index('data-testid="doc-meta"'))]
    assert "<th>效力</th>" not in meta and "现行有效" not in meta
    listing = _page(staff.client, "/policy/")
    row = listing[listing.index(TITLE):]
    row = row[:row.index("</tr>")]
    assert "现行有效" not in row


def test_register_entry_title_is_the_regulation_name(library, staff):
    html = _page(staff.client, "/policy/register/ertong-fuli-jigou-guanli-banfa")
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title == "儿童福利机构管理办法 · 儿童福利政策落实门户"
    assert html.count("<h2>修改记录</h2>") == 1
