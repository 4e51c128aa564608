"""The statutes the product ships (content/policy, imported from their published text)."""
import re

import sqlalchemy as sa

from portal.content.importer import convert_files
from portal.extensions import db
from portal.models import PolicyCitation, PolicyEdition
from portal.policy.importing import _group
from portal.policy.services import get_document
from tests.conftest import ROOT

SOURCES = ROOT / "content" / "policy" / "sources"
ARTICLE_HEADING = re.compile(r"(?m)^第[零〇一二三四五六七八九十百千两]+条[ 　]")


def test_every_shipped_source_imports_with_all_its_articles():
    texts = [(p, p.read_text(encoding="utf-8")) for p in sorted(SOURCES.glob("*.md"))]
    assert len(texts) == 19
    groups = _group(texts)
    assert len(groups) == 18  # 民法典's two 编 are one document
    for group in groups:
        conv = convert_files([(t, p.name) for p, t in group], "x")
        assert conv.ok, conv.problems
        headings = sum(len(ARTICLE_HEADING.findall(t)) for _, t in group)
        articles = [c for c in conv.parsed.clauses if re.fullmatch(r"a\d+", c.id)]
        assert len(articles) == headings == conv.articles, [p.name for p, _ in group]


def test_versions_are_editions_of_one_document(library, staff):
    doc = get_document("weichengnianren-baohu-fa")
    editions = {e.edition: e for e in doc.editions}
    assert set(editions) == {"2020-10-17", "2024-04-26"}
    assert editions["2024-04-26"].current and editions["2024-04-26"].status == "现行有效"
    assert not editions["2020-10-17"].current and editions["2020-10-17"].status == "已修订"
    assert editions["2020-10-17"].effective.isoformat() == "2021-06-01"
    assert doc.short_title == "未成年人保护法" and doc.clause_count == 132
    page = staff.client.get("/policy/weichengnianren-baohu-fa/a92").get_data(as_text=True)
    assert "第九十二条" in page
    code = get_document("minfadian")
    assert {c.clause_id for c in code.clauses} >= {"pt1", "pt1.ch2.s2", "a27", "pt5", "pt5.ch5.s1", "a1093"}


def test_a_citation_links_the_version_in_force_at_the_citing_date(library):
    # 未成年人网络保护条例 (2023-10-16) cites 《中华人民共和国未成年人保护法》: the 2024 amendment was
    # not yet made, so the link goes to the 2020 revision (in force from 2021-06-01)
    cond = get_document("weichengnianren-wangluo-baohu-tiaoli")
    row = db.session.scalars(sa.select(PolicyCitation).where(
        PolicyCitation.document_id == cond.id, PolicyCitation.target_doc == "weichengnianren-baohu-fa")).first()
    assert row is not None and row.clause_id == "a1"
    assert row.target_edition == "2020-10-17"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyEdition)) == 18


def test_register_entries_of_the_two_banfa_and_their_notes_link_the_laws_they_name(library, staff):
    page = staff.client.get("/policy/register/ertong-fuli-jigou-guanli-banfa").get_data(as_text=True)
    assert "民政部令第63号" in page and "2018年10月30日" in page and "2019年1月1日" in page
    assert "本门户未收录此文件的全文" in page
    # its 第一条 names the 未成年人保护法 (2018): the earliest version held here is linked, and that is said
    assert '<a class="cite" href="/policy/weichengnianren-baohu-fa/v/2020-10-17">《中华人民共和国未成年人保护法》</a>' in page
    assert "引用文件日期早于该法各版本的施行日期，链接到最早的版本" in page
    assert "《中华人民共和国民法总则》" in page  # not in the library: named, not linked
    jiyang = staff.client.get("/policy/register/jiating-jiyang-guanli-banfa").get_data(as_text=True)
    assert "本门户未收录此文件的全文" in jiyang
    rehab = staff.client.get("/policy/register/canji-ertong-kangfu-jiuzhu").get_data(as_text=True)
    assert 'href="/policy/canji-yufang-he-canjiren-kangfu-tiaoli/a26">《残疾预防和残疾人康复条例》第二十六条</a>' in rehab


def test_the_register_says_which_regulations_the_plan_cites(library, staff):
    """方案引用的法规 lists only what the 方案 cites; the rest of the register is 其他相关法规."""
    import html as html_lib

    page = html_lib.unescape(staff.client.get("/policy/register/").get_data(as_text=True))
    cited = page.split('data-testid="register"')[1].split("</table>")[0]
    related = page.split('data-testid="register-related"')[1].split("</table>")[0]
    plan_text = (ROOT / "content" / "policy" / "yunmin-2021-74.md").read_text(encoding="utf-8")
    cited_titles = re.findall(r"《([^》]+)》", cited)
    assert cited_titles and all(t in plan_text for t in cited_titles)
    assert "《家庭寄养管理办法》" in cited and "《儿童福利机构管理办法》" in cited
    assert cited.count("<tr>") - 1 == 4  # (the header row) the audit: the register has 19 entries, the 方案 cites 4 of them
    assert cited.count("<tr>") + related.count("<tr>") - 2 == 19
    assert not any(t in plan_text for t in re.findall(r"《([^》]+)》", related))
    index = html_lib.unescape(staff.client.get("/policy/").get_data(as_text=True))
    assert "其他相关法规" in index
    assert index.split('data-testid="register-cited"')[1].split("</ul>")[0].count("<li>") == 4
