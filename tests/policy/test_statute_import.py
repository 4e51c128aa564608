"""Importing statutes as they are published: small fixtures for each layout real laws use."""
from pathlib import Path

from portal.content.importer import convert_files, convert_text, edition_of
from portal.content.statute_doc import resolve_clause_id, statute_label

FIXTURES = Path(__file__).parent / "fixtures"


def _convert(*names: str, doc_id: str = "x"):
    return convert_files([((FIXTURES / n).read_text(encoding="utf-8"), n) for n in names], doc_id)


def test_items_are_numbered_per_paragraph_and_toc_preamble_appendix_are_kept():
    conv = _convert("appendix-toc-preamble.md")
    assert conv.ok, conv.problems
    doc = conv.parsed
    assert [c.id for c in doc.clauses] == [
        "history", "preamble", "ch1", "a1", "a2", "a2.1.1", "a2.1.2", "a2.2.1", "a2.2.2", "a3", "ch2", "a4", "app1"]
    assert doc.get("preamble").text == "为了说明序言的写法，特制定本条例。"  # 目录 is not the preamble
    assert doc.get("a2.2.1").text == "（一）材料不全；" and doc.get("a2.2.1").label == "第二条第二款第（一）项"
    # an article with 款 but no items; a 款 that starts "第三十六条第一款" is not an article
    assert "前款所称文字" in doc.get("a3").text and "第三十六条第一款规定的情形" in doc.get("a3").text
    assert doc.get("ch2").title == "附则"
    assert doc.get("app1").label == "附件一" and "姓名、性别" in doc.get("app1").text
    meta = doc.meta
    assert (meta["date"], meta["effective"], meta["issuers"]) == ("2030-01-02", "2030-03-01", ["国务院"])


def test_old_item_ids_resolve_where_unambiguous():
    ids = {"a2", "a2.1.1", "a2.1.2", "a2.2.1", "a2.2.2", "a3", "a3.1.1", "a3.1.2", "a3.1.3"}
    assert resolve_clause_id("a3.3", ids) == ("a3.1.3", [])
    assert resolve_clause_id("a2.2", ids) == (None, ["a2.1.2", "a2.2.2"])  # two 款 list a （二）
    assert resolve_clause_id("a3.1.2", ids) == ("a3.1.2", [])
    assert resolve_clause_id("a9.1", ids) == (None, [])
    assert statute_label("a12.2.3") == "第十二条第二款第（三）项" and statute_label("a8.3") == "第八条第（三）项"


def test_a_repeated_item_list_in_a_later_paragraph_is_not_a_duplicate():
    text = ("中国某某办法\n第一条 收养人应当提交：\n（一）户口簿；\n（二）身份证。\n"
            "收养弃婴的，并应当提交：\n（一）生育情况证明；\n（二）报案证明。\n")
    conv = convert_text(text, "s.txt", "s")
    assert conv.ok, conv.problems
    assert [c.id for c in conv.parsed.clauses] == ["a1", "a1.1.1", "a1.1.2", "a1.2.1", "a1.2.2"]


def test_a_code_given_as_several_files_is_one_document():
    conv = _convert("code-part-3.md", "code-part-1.md")  # any order
    assert conv.ok, conv.problems
    doc = conv.parsed
    assert [c.id for c in doc.sections] == ["history", "pt1", "pt1.ch1", "a1", "a2", "pt3", "pt3.ch1", "a30", "a31"]
    assert doc.meta["title"] == "中华人民共和国某某典" and doc.meta["short_title"] == "某某典"
    assert doc.get("pt3").label == "第三编" and doc.get("a30").parent == "pt3.ch1"


def test_a_code_part_without_its_number_is_refused_on_its_own_line():
    text = (FIXTURES / "code-part-3.md").read_text(encoding="utf-8").replace("# 第三编 家庭", "# 家庭编")
    conv = convert_files([((FIXTURES / "code-part-1.md").read_text(encoding="utf-8"), "p1.md"), (text, "p3.md")], "x")
    assert [str(p) for p in conv.problems] == ["p3.md:3: 无法确定“家庭编”是第几编：请写成“第X编 家庭”"]


def test_problems_name_the_line_of_the_file_they_are_in():
    text = (FIXTURES / "code-part-3.md").read_text(encoding="utf-8").replace("第三十一条", "第三十三条")
    conv = convert_files([((FIXTURES / "code-part-1.md").read_text(encoding="utf-8"), "p1.md"), (text, "p3.md")], "x")
    lines = text.split("\n")
    assert conv.ok, conv.problems  # one numbering slip does not refuse the code: it is flagged
    assert [(p.file, p.message) for p in conv.flags] == [
        ("p3.md", "第三十三条之前缺少第三十一条（原文如此），已按原文编号导入")]
    assert lines[conv.flags[0].line - 1].startswith("第三十三条")


def test_item_numbering_problem_names_the_source_line():
    text = (FIXTURES / "appendix-toc-preamble.md").read_text(encoding="utf-8").replace("（二）材料虚假", "（三）材料虚假")
    conv = convert_text(text, "t.md", "t")
    assert conv.ok, conv.problems
    assert [p.message for p in conv.flags] == [
        "第二条中的（三）项接不上前文的项目编号（此处应为（二）），已作为普通段落导入，不能单独引用该项"]
    assert text.split("\n")[conv.flags[0].line - 1] == "（三）材料虚假。"


def test_a_decision_amending_a_law():
    conv = _convert("jueding.md")
    assert conv.ok, conv.problems
    doc = conv.parsed
    assert [c.id for c in doc.sections] == ["header", "preamble", "1", "2", "3", "closing"]
    assert doc.meta["kind"] == "决定" and doc.meta["effective"] == "2030-03-01"
    assert doc.meta["issuers"] == ["全国人民代表大会常务委员会"] and doc.meta["addressees"] == ""
    assert "第四条 县级以上人民政府民政部门" in doc.get("2").text


def test_version_date_from_the_file_name():
    assert edition_of("content/未成年人保护法(2024-04-26).md") == "2024-04-26"
    assert edition_of("未成年人保护法.md") == ""


def test_ids_derived_from_titles():
    from portal.policy.importing import derive_id

    assert derive_id("中华人民共和国户口登记条例") == "hukou-dengji-tiaoli"
    assert derive_id("中华人民共和国未成年人保护法") == "weichengnianren-baohu-fa"
    assert derive_id("中华人民共和国民法典") == "minfadian"
    assert derive_id("《中国公民收养子女登记办法》") == "zhongguo-gongmin-shouyang-zinv-dengji-banfa"
