"""Layouts of real national laws the importer must read (issue 22), on made-up texts in the layout
bench/national_files.py writes them in (# title, info block, <!-- INFO END -->, ## 第一章,
### 第一节, 第一条 text): a 节 with no 章 open (宪法修正案（2018年） adds 第三章's 第七节), chapters
numbered on across 编 (民事诉讼法) or restarted in each (民法典), articles inserted as 第X条之一
(刑法), and a list that goes on after a paragraph of one of its items (香港基本法 第四十八条)."""
import re

import sqlalchemy as sa

from portal.content.citations import find_citations
from portal.content.importer import convert_files, convert_text
from portal.extensions import db
from portal.models import PolicyCitation
from portal.policy.compare import compare_editions
from tests.policy.test_statute_import import FIXTURES


def law(title: str, *body: str) -> str:
    return "\n\n".join([f"# {title}", "制定机关：全国人民代表大会", "2030年1月2日 公布", "<!-- INFO END -->", *body]) + "\n"


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if line.startswith(needle))


def _convert(text: str):
    conv = convert_text(text, "某某法(2030-01-02).md", "mou-fa")
    assert conv.ok, conv.problems
    return conv


# ---------------------------------------------------------------- a 节 with no 章 open

AMENDMENT = law("中华人民共和国某某修正案",
                "第一条 宪法第三章中增加一节，作为第七节“监察委员会”；内容如下：",
                "### 第七节 监察委员会",
                "第二条 各级监察委员会是国家的监察机关。",
                "第三条 监察委员会由主任、副主任若干人和委员若干人组成。")


def test_a_section_with_no_chapter_open_is_imported_as_a_section():
    conv = _convert(AMENDMENT)
    doc = conv.parsed
    s7 = doc.get("s7")
    assert (s7.label, s7.title, s7.parent) == ("第七节", "监察委员会", None)
    assert doc.get("a2").parent == "s7" and doc.get("a1").parent is None
    # the source numbers it 第七节 with no 第一节 before it: kept as published, said where
    assert [(f.line, f.message) for f in conv.flags] == [
        (_line(AMENDMENT, "### 第七节"), "第七节之前缺少第一节（原文如此），已按原文编号导入")]


def test_a_section_directly_under_a_part_is_the_parts():
    text = law("中华人民共和国某某法典", "## 第一编 总则", "## 第一章 一般规定", "第一条 甲。",
               "## 第二编 分则", "### 第一节 通则", "第二条 乙。", "## 第一章 具体规定", "### 第一节 登记", "第三条 丙。")
    doc = _convert(text).parsed
    assert [c.id for c in doc.sections] == ["history", "pt1", "pt1.ch1", "a1", "pt2", "pt2.s1", "a2", "pt2.ch1", "pt2.ch1.s1", "a3"]
    assert (doc.get("pt2.s1").label, doc.get("pt2.s1").parent, doc.get("a2").parent) == ("第二编第一节", "pt2", "pt2.s1")


def test_a_refusal_in_the_import_names_the_line_in_chinese_not_a_clause_id():
    # a code given in parts is not renumbered by the converter: a chapter heading given twice
    # is refused by the library's checks, and the importer is told so in words of the text
    part = (FIXTURES / "code-part-3.md").read_text(encoding="utf-8").replace(
        "第三十一条", "## 第一章 其他规定\n\n第三十一条")
    conv = convert_files([((FIXTURES / "code-part-1.md").read_text(encoding="utf-8"), "p1.md"), (part, "p3.md")], "x")
    assert [(p.file, p.line) for p in conv.problems] == [("p3.md", _line(part, "## 第一章 其他规定"))]
    message = conv.problems[0].message
    assert "“第一章 其他规定”" in message and "未导入" in message
    assert not re.search(r"[A-Za-z]", message), message  # no ids (pt3.ch1), no English


# ---------------------------------------------------------------- chapters across 编

def _numbered_on(third_part_starts: str = "第五章") -> str:
    return law("中华人民共和国某某诉讼法",
               "## 第一编 总则", "## 第一章 任务", "第一条 甲。", "## 第二章 管辖", "第二条 乙。",
               "## 第二编 审判程序", "## 第三章 第一审普通程序", "### 第一节 起诉和受理", "第三条 丙。",
               "### 第二节 开庭审理", "第四条 丁。", "## 第四章 简易程序", "第五条 戊。",
               "## 第三编 执行程序", f"## {third_part_starts} 一般规定", "第六条 己。")


def test_chapters_numbered_on_across_parts_are_chapters():
    conv = _convert(_numbered_on())
    assert conv.flags == []
    assert [c.id for c in conv.parsed.sections if ".ch" in c.id] == [
        "pt1.ch1", "pt1.ch2", "pt2.ch3", "pt2.ch3.s1", "pt2.ch3.s2", "pt2.ch4", "pt3.ch5"]
    assert conv.parsed.get("pt2.ch3").label == "第二编第三章" and conv.parsed.get("a6").parent == "pt3.ch5"


def test_chapters_restarted_in_each_part_are_chapters_too():
    text = law("中华人民共和国某某典", "## 第一编 总则", "## 第一章 一般规定", "第一条 甲。", "## 第二章 民事权利",
               "第二条 乙。", "## 第二编 物权", "## 第一章 通则", "第三条 丙。", "## 第三编 合同", "## 第一章 一般规定",
               "第四条 丁。")
    conv = _convert(text)
    assert conv.flags == []
    assert [c.id for c in conv.parsed.sections if ".ch" in c.id] == ["pt1.ch1", "pt1.ch2", "pt2.ch1", "pt3.ch1"]


def test_only_a_real_gap_in_chapters_across_parts_is_flagged():
    text = _numbered_on("第七章")  # 第五章 and 第六章 are missing
    conv = _convert(text)
    assert [(f.line, f.message) for f in conv.flags] == [
        (_line(text, "## 第七章"), "第七章之前缺少第五章（原文如此），已按原文编号导入")]
    assert conv.parsed.get("pt3.ch7").title == "一般规定"
    restarted = law("中华人民共和国某某典", "## 第一编 总则", "## 第一章 一般规定", "第一条 甲。",
                    "## 第二编 物权", "## 第一章 通则", "第二条 乙。", "## 第三编 合同", "## 第二章 订立", "第三条 丙。")
    conv = _convert(restarted)
    assert [f.message for f in conv.flags] == ["第二章之前缺少第一章（原文如此），已按原文编号导入"]


# ---------------------------------------------------------------- 第X条之一

CRIMINAL = law("中华人民共和国某某刑法", "## 第一章 总则",
               "第一条 为了惩罚犯罪，保护人民，制定本法。",
               "第二条 已满十六周岁的人犯罪，应当负刑事责任。",
               "第二条之一 已满七十五周岁的人故意犯罪的，可以从轻或者减轻处罚。",
               "第二条之二 有下列情形之一的，从重处罚：",
               "（一）累犯；",
               "（二）教唆未成年人犯罪。",
               "第三条 依照本法第二条之一处罚的，不适用本条。",
               "第二条之一规定的情形，另行说明。")


def test_inserted_articles_are_articles_with_their_own_anchor():
    conv = _convert(CRIMINAL)
    doc = conv.parsed
    assert conv.flags == [] and conv.articles == 5
    assert [c.id for c in doc.clauses if c.id.startswith("a")] == ["a1", "a2", "a2-1", "a2-2", "a2-2.1.1", "a2-2.1.2", "a3"]
    assert doc.get("a2-1").label == "第二条之一" and doc.get("a2-1").parent == "ch1"
    assert doc.get("a2-1").text.startswith("第二条之一") and "七十五周岁" not in doc.get("a2").text
    assert doc.get("a2-2.1.2").label == "第二条之二第一款第（二）项"
    assert "第二条之一规定的情形" in doc.get("a3").text  # a line that cites one is text, not an article


def test_an_inserted_article_out_of_place_is_flagged_and_kept_as_text():
    text = CRIMINAL.replace("第三条 依照", "第三条之二 依照")  # 第三条之二 after 第二条之二: no 第三条 before it
    conv = _convert(text)
    assert [(f.line, f.message) for f in conv.flags] == [
        (_line(text, "第三条之二"), "第三条之二接不上前文的条文编号（前一条是第二条之二），已作为普通段落导入")]
    assert "依照本法第二条之一处罚的" in conv.parsed.get("a2-2").text


def test_citations_of_an_inserted_article_point_at_it():
    assert [c.clause for c in find_citations("依照《某某刑法》第二条之一和《某某刑法》第二条之二第一款第（二）项")] == [
        "a2-1", "a2-2.1.2"]
    assert find_citations("《某某刑法》第二条之规定")[0].clause == "a2"


def test_an_inserted_article_is_an_added_article_in_the_comparison_of_editions():
    before = _convert(CRIMINAL.replace("第二条之一 已满七十五周岁的人故意犯罪的，可以从轻或者减轻处罚。\n\n", "")).markdown
    rows = compare_editions(before, _convert(CRIMINAL).markdown).changes
    assert [(r.kind, r.new.clause_id, r.new.label, r.new.text) for r in rows] == [
        ("added", "a2-1", "第二条之一", "已满七十五周岁的人故意犯罪的，可以从轻或者减轻处罚。")]


def test_an_inserted_article_is_shown_linked_and_cited(app, runner, content, tmp_path, auth):
    app.config["CONTENT_DIR"] = str(content)
    statute = tmp_path / "某某刑法(2030-01-02).md"
    statute.write_text(CRIMINAL, encoding="utf-8")
    citing = tmp_path / "某某实施办法(2030-02-01).md"
    citing.write_text(law("某某实施办法", "第一条 依照《某某刑法》第二条之一的规定，制定本办法。"), encoding="utf-8")
    for path, doc_id in ((statute, "mou-xingfa"), (citing, "mou-shishi-banfa")):
        result = runner.invoke(args=["portal", "import-policy", str(path), "--id", doc_id])
        assert result.exit_code == 0, result.output
    row = db.session.scalar(sa.select(PolicyCitation).where(PolicyCitation.text == "《某某刑法》第二条之一"))
    assert (row.target_doc, row.target_clause) == ("mou-xingfa", "a2-1")
    auth.as_role("admin")
    page = auth.client.get("/policy/mou-xingfa/a2-2").get_data(as_text=True)
    assert "第二条之二" in page and 'id="a2-2.1.2"' in page and "{#" not in page
    whole = auth.client.get("/policy/mou-xingfa").get_data(as_text=True)
    assert 'id="a2-1"' in whole and "已满七十五周岁的人故意犯罪的" in whole
    cited = auth.client.get("/policy/mou-shishi-banfa").get_data(as_text=True)
    assert 'href="/policy/mou-xingfa/a2-1"' in cited


# ---------------------------------------------------------------- a list going on after a paragraph

ANTHEM = law("中华人民共和国某某国歌法",
             "第一条 在下列场合，应当奏唱国歌：",
             "（一）人民代表大会会议的开幕、闭幕；",
             "政治协商会议的开幕、闭幕；",
             "（二）宪法宣誓仪式；",
             "（三）升国旗仪式。",
             "前款规定的场合，应当庄重。",
             "第二条 国歌不得用于下列场合：",
             "（一）商标、商业广告；",
             "（二）私人丧事活动。")


def test_items_after_a_paragraph_of_an_earlier_item_are_still_items():
    conv = _convert(ANTHEM)
    doc = conv.parsed
    assert conv.flags == []
    assert [c.id for c in doc.clauses] == ["history", "a1", "a1.1.1", "a1.1.2", "a1.1.3", "a2", "a2.1.1", "a2.1.2"]
    assert doc.get("a1.1.1").text == "（一）人民代表大会会议的开幕、闭幕；\n\n政治协商会议的开幕、闭幕；"
    assert doc.get("a1.1.2").label == "第一条第一款第（二）项"
    assert "前款规定的场合" in doc.get("a1").text and "前款" not in doc.get("a1.1.3").text


def test_a_real_break_in_the_items_is_still_flagged():
    text = ANTHEM.replace("（二）宪法宣誓仪式", "（四）宪法宣誓仪式")  # after the paragraph: neither （一） nor （二）
    conv = _convert(text)
    assert [(f.line, f.message) for f in conv.flags] == [
        (_line(text, "（四）宪法"), "第一条中的（四）项接不上前文的项目编号（此处应为（一）或（二）），已作为普通段落导入，不能单独引用该项"),
        (_line(text, "（三）升国旗"), "第一条中的（三）项接不上前文的项目编号（此处应为（一）或（二）），已作为普通段落导入，不能单独引用该项")]
    assert "a1.1.2" not in {c.id for c in conv.parsed.clauses} and "宪法宣誓仪式" in conv.parsed.get("a1").text
