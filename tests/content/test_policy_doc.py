"""The clean copy of 运民发〔2021〕74号, its errata, and the parser that reads them."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from portal.content.errata import (
    ErrataError,
    first_difference,
    load_errata,
    parse_errata,
    reconstruct_source,
    reverse_errata,
)
from portal.content.policy_doc import (
    citation_for,
    label_for,
    normalise_for_fidelity,
    parse_document,
    plain_text,
    read_document,
)

ROOT = Path(__file__).parents[2]
POLICY = ROOT / "content" / "policy"
DOC_PATH = POLICY / "yunmin-2021-74.md"
# sha256 of the OCR seed this clean copy was made from; the .source.txt must stay byte-identical
SOURCE_SHA256 = "4464e51f0404cbc28c0a455e5a2810e702a2fc81ce36ee5eccb749ba3ad71560"

CONTRACT_IDS = [
    "header", "preamble", "1", "2", "3",
    "3.1", *(f"3.1.{n}" for n in range(1, 8)),
    "3.2", *(f"3.2.{n}" for n in range(8, 12)),
    "4", "4.1", "4.2", "4.3", "closing",
]


@pytest.fixture(scope="module")
def doc():
    return read_document(DOC_PATH)


@pytest.fixture(scope="module")
def errata(doc):
    return load_errata(POLICY / doc.meta["errata"])


@pytest.fixture(scope="module")
def source_text(doc):
    return (POLICY / doc.meta["source"]).read_text(encoding="utf-8")


# ---------------------------------------------------------------- the clean copy


def test_document_parses_without_errors(doc):
    assert [str(e) for e in doc.errors] == []
    assert doc.meta["id"] == "yunmin-2021-74"
    assert doc.meta["number"] == "运民发〔2021〕74号"
    assert doc.meta["date"] == "2021-12-30"
    assert len(doc.meta["issuers"]) == 13
    assert doc.meta["issuers"][0] == "运城市民政局"
    assert doc.meta["issuers"][-1] == "运城市政府征兵办公室"


def test_source_copy_is_the_untouched_seed(doc):
    data = (POLICY / doc.meta["source"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SOURCE_SHA256


def test_fidelity_clean_copy_plus_errata_equals_source(doc, errata, source_text):
    assert [str(e) for e in errata.errors] == []
    expected = normalise_for_fidelity(source_text)
    actual = reconstruct_source(doc, errata.entries)
    diff = first_difference(expected, actual)
    assert diff is None, "clean copy + reversed errata differ from the source:\n" + diff


def test_every_erratum_points_at_its_source_line(errata, source_text):
    lines = source_text.split("\n")
    full = normalise_for_fidelity(source_text)
    for e in errata.entries:
        if not e.source:
            continue
        start = len(normalise_for_fidelity("\n".join(lines[: e.source_line - 1])))
        width = len(normalise_for_fidelity(lines[e.source_line - 1]))
        hits = [m.start() for m in re.finditer(f"(?={re.escape(e.source)})", full)]
        assert any(start <= h < start + width for h in hits), \
            f"{e.file}:{e.line}: {e.source!r} does not start on source line {e.source_line}"


def test_errata_kinds(errata):
    kinds = Counter(e.kind for e in errata.entries)
    assert kinds == {"punct": 22, "remove": 7}
    assert all(e.reason for e in errata.entries)


def test_contract_ids_in_order(doc):
    assert [c.id for c in doc.sections] == CONTRACT_IDS


def test_finer_anchors(doc):
    anchors = [c.id for c in doc.clauses if c.kind == "anchor"]
    assert anchors == [f"3.1.1.{n}" for n in range(1, 5)] + [f"4.2.{n}" for n in range(1, 18)]
    starts = {"4.2.1": "各相关部门", "4.2.2": "民政部门", "4.2.3": "机构编制部门", "4.2.11": "疾控中心",
              "4.2.13": "消防救援机构", "4.2.16": "残联组织", "4.2.17": "兵役机关", "3.1.1.2": "市福利院要进一步"}
    for cid, start in starts.items():
        assert doc.get(cid).text.startswith(start), cid
    assert doc.get("4.2.3").markdown.startswith("**机构编制**部门")
    # the anchors of 四（二） together are exactly its body
    body = "".join(c.text for c in doc.clauses if c.parent == "4.2")
    assert "（二）落实部门职责。" + body == re.sub(r"\s", "", doc.get("4.2").text)


def test_clause_lines_point_at_their_ids(doc):
    lines = DOC_PATH.read_text(encoding="utf-8").split("\n")
    for c in doc.clauses:
        assert "{#" + c.id + "}" in lines[c.line - 1], c.id


def test_clause_fields(doc):
    item = doc.get("3.1.1")
    assert (item.label, item.title, item.parent, item.level) == ("三（一）1", "做好收留和抚养工作", "3.1", 3)
    assert item.markdown.startswith("#### 1. 做好收留和抚养工作。\n")
    assert "{#" not in item.markdown
    assert doc.get("4.1").title == "加强组织领导"
    assert doc.get("3.2").title == "推进县级儿童福利机构创新转型"
    assert doc.get("preamble").title is None
    assert doc.get("3.2.8").parent == "3.2"


def test_clean_copy_is_normalised(doc):
    for c in doc.sections:
        assert not re.search(r"[,;:()!?]", c.text), f"half-width punctuation left in {c.id}"
    closing = doc.get("closing").text
    assert "产业结构" not in closing and "运城市委" not in closing
    assert closing.endswith("运城市民政局办公室 2021年12月30日印发")
    assert "（此件公开发布）" in closing


# ---------------------------------------------------------------- labels and citations


@pytest.mark.parametrize("cid, label", [
    ("preamble", "序言"), ("closing", "落款"), ("header", "文头"),
    ("1", "一"), ("4", "四"), ("3.1", "三（一）"), ("4.2", "四（二）"),
    ("3.1.1", "三（一）1"), ("3.2.8", "三（二）8"), ("3.2.11", "三（二）11"),
    ("4.2.3", "四（二）3"), ("3.1.1.2", "三（一）1 第2段"),
])
def test_label_for(cid, label):
    assert label_for(cid) == label


def test_label_for_rejects_bad_ids():
    with pytest.raises(ValueError):
        label_for("3.0")


def test_citation(doc):
    assert citation_for(doc.meta, "3.1.1") == (
        "《关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案》（运民发〔2021〕74号）三（一）1")
    assert citation_for({"title": "家庭寄养管理办法", "number": ""}) == "《家庭寄养管理办法》"


def test_plain_text():
    md = "#### **四、强化保障措施** {#4}\n\n{#4.2.3}**机构编制**部门要统筹资源。\n\n---\n"
    assert plain_text(md) == "四、强化保障措施\n\n机构编制部门要统筹资源。"
    assert normalise_for_fidelity("# 文 件\n\n运 城 市  \n") == "文件运城市"


# ---------------------------------------------------------------- validation

META = """---
id: t
title: 测试方案
number: 测〔2021〕1号
issuers: 甲; 乙
addressees: 各单位
date: 2021-12-30
kind: 实施方案
status: 现行有效
source: t.source.txt
errata: t.errata.tsv
notes:
---
"""
META_LINES = META.count("\n")  # body line n is file line META_LINES + n


def _errors(body: str, meta: str = META) -> list[tuple[int, str]]:
    doc = parse_document(meta + body, "t.md")
    return [(e.line - meta.count("\n"), e.message) for e in doc.errors]


def test_small_valid_document():
    body = "{#preamble}\n序。\n\n## 一、甲 {#1}\n\n### （一）乙 {#1.1}\n\n#### 1. 丙。 {#1.1.1}\n\n{#1.1.1.1}段一。\n\n{#1.1.1.2}段二。\n"
    doc = parse_document(META + body, "t.md")
    assert doc.errors == []
    assert [c.id for c in doc.clauses] == ["preamble", "1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.2"]
    assert doc.get("1.1.1.2").text == "段二。"
    assert doc.get("1.1.1").line == META_LINES + 8


def test_duplicate_id():
    errors = _errors("## 一、甲 {#1}\n\n## 二、乙 {#2}\n\n## 二、乙 {#2}\n")
    assert errors == [(5, "duplicate clause id 2 (first at line %d)" % (META_LINES + 3))]


def test_skipped_numbering():
    body = "## 一、甲 {#1}\n### （一）乙 {#1.1}\n#### 1. a {#1.1.1}\n#### 2. b {#1.1.2}\n#### 4. c {#1.1.4}\n"
    errors = _errors(body)
    assert errors == [(5, "numbering skips or repeats: clause 1.1.4 where 1.1.3 was expected")]


def test_heading_number_must_match_id():
    body = "## 一、甲 {#1}\n### （一）乙 {#1.1}\n#### 1. a {#1.1.1}\n#### 2. b {#1.1.2}\n#### 2. c {#1.1.3}\n"
    assert _errors(body) == [(5, "heading number 2. does not match clause id 1.1.3")]


def test_items_may_continue_numbering_in_the_next_section():
    body = ("## 一、甲 {#1}\n### （一）乙 {#1.1}\n#### 1. a {#1.1.1}\n"
            "### （二）丙 {#1.2}\n#### 2. b {#1.2.2}\n")
    assert _errors(body) == []


def test_nesting():
    body = "## 一、甲 {#1}\n### （一）乙 {#1.1}\n### （二）丙 {#1.2}\n#### 2. b {#1.1.2}\n"
    errors = _errors(body)
    assert [line for line, _ in errors] == [4]
    assert "not inside 1.1" in errors[0][1]


def test_heading_level_and_missing_id():
    errors = _errors("## 一、甲 {#1}\n## （一）乙 {#1.1}\n### 无编号\n")
    assert errors == [(2, "heading level ## does not fit clause 1.1 (use ###)"),
                      (3, "heading without a clause id: end it with {#id}")]


def test_malformed_and_misplaced_anchors():
    body = "## 一、甲 {#1}\n\n{#1.1}句一。\n{#1.3}句二。\n{#1 .x}句三。\n{#1.4 句四。\n"
    errors = _errors(body)
    assert [line for line, _ in errors] == [4, 5, 6]
    assert errors[0][1] == "anchor numbering skips or repeats: 1.3 where 1.2 was expected"
    assert errors[1][1].startswith("malformed clause id")
    assert errors[2][1].startswith("malformed anchor")


def test_anchor_outside_its_clause():
    body = "## 一、甲 {#1}\n\n## 二、乙 {#2}\n\n{#1.1}句一。\n"
    assert _errors(body) == [(5, "anchor 1.1 is not part of clause 2: the next anchor there is 2.1")]


def test_text_outside_clause_and_order_of_blocks():
    errors = _errors("开头。\n\n{#closing}\n落款\n\n## 一、甲 {#1}\n")
    assert errors[0][0] == 1 and "outside any clause" in errors[0][1]
    assert errors[1] == (6, "clause 1 comes after the closing block")


def test_unknown_and_missing_meta_keys():
    meta = META.replace("kind: 实施方案\n", "").replace("status:", "colour: red\nstatus:")
    doc = parse_document(meta + "{#preamble}\n序。\n", "t.md")
    assert [str(e) for e in doc.errors] == [
        "t.md:8: unknown front-matter key 'colour' (allowed: id, title, number, issuers, addressees, "
        "date, kind, status, source, errata, notes, short_title, edition, effective, numbering, promulgated, "
        "promulgated_by, promulgated_as, revised_by)",
        "t.md:13: missing front-matter key 'kind'",
    ]


def test_missing_front_matter():
    doc = parse_document("# 标题\n", "t.md")
    assert doc.errors[0].line == 1 and "front matter" in doc.errors[0].message


def test_bad_encoding(tmp_path):
    path = tmp_path / "gbk.md"
    path.write_bytes((META + "{#preamble}\n").encode() + "序言。\n".encode("gbk"))
    doc = read_document(path)
    assert len(doc.errors) == 1
    assert doc.errors[0].line == META_LINES + 2
    assert doc.errors[0].filename == str(path)
    assert "UTF-8" in doc.errors[0].message


# ---------------------------------------------------------------- errata

HEADER = "source_line\tclause\tkind\tbefore\tclean\tsource\tafter\treason\n"


def test_errata_validation():
    text = HEADER + "1\t1\tpunct\t甲\t，\t,\t乙\tr\n" + "2\t1\tfix\t\ta\tb\t\tr\n" + "3\t1\tremove\t\tx\ty\t\tr\n" + "x\t1\n"
    result = parse_errata(text, "e.tsv")
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (3, "kind 'fix' must be one of punct, replace, remove, insert"),
        (4, "kind remove"),
        (5, "expected 8 tab-separated columns, found 2"),
    ]
    assert parse_errata("a\tb\n", "e.tsv").errors[0].line == 1


def test_reverse_errata():
    rows = parse_errata(HEADER + "1\t1\tpunct\t甲\t，\t,\t乙\tr\n"
                        "1\t1\tremove\t乙\t\tX\t丙\tr\n" "1\t1\tremove\t乙\t\tY\t丙\tr\n", "e.tsv").entries
    assert reverse_errata("甲，乙丙", rows) == "甲,乙XY丙"
    with pytest.raises(ErrataError) as info:
        reverse_errata("甲，乙丙甲，乙丙", rows[:1])
    assert str(info.value).startswith("e.tsv:2: clause 1: context '甲，乙' found 2 times")


def test_first_difference_shows_context():
    msg = first_difference("一二三四五", "一二三X五", context=2)
    assert "character 3" in msg and "二三[四五]" in msg and "二三[X五]" in msg
