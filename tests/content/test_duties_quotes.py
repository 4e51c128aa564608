"""Say only what the 方案 says: every duty note and checklist item is quoted from a clause the
duty cites, or marked as the office's 工作安排 (``arrangement:`` / ``安排：``)."""
from __future__ import annotations

import pytest

from portal.content.duties_file import split_arranged
from portal.content.quotes import quoted_from, unquoted_sentences


@pytest.fixture(scope="module")
def plan(shipped_plan):
    return shipped_plan


def test_every_checklist_item_is_quoted_or_marked_as_an_arrangement(plan):
    duties, source = plan
    unquoted = []
    for d in duties:
        sources = [source(c) for c in d.clauses]
        for item in d.checklist:
            title, arranged = split_arranged(item)
            if not arranged and not any(quoted_from(title, s) for s in sources):
                unquoted.append(f"{d.key}: {title}")
    assert unquoted == []


def test_every_note_sentence_is_quoted_from_a_cited_clause(plan):
    duties, source = plan
    unquoted = [f"{d.key}: {s}" for d in duties for s in unquoted_sentences(d.note, [source(c) for c in d.clauses])]
    assert unquoted == []


def test_the_quote_check_tells_a_quote_from_an_addition():
    clause = ("市福利院要按照《儿童福利机构管理办法》……建立健全消防、食品卫生、应急、财务、档案管理、信息化等制度，"
              "制定完善突发事件应急预案并定期组织演练。")
    assert quoted_from("消防制度", clause)
    assert quoted_from("制定完善突发事件应急预案", clause)
    assert not quoted_from("每季度组织一次演练", clause)      # a frequency the text does not give
    assert not quoted_from("演练应急预案", clause)            # fragments out of order
    hukou = "对于存在因户口迁移可能使儿童合法权益受损等情形的，也可以不迁移户口。"
    assert not quoted_from("不迁移户口情形逐人说明", hukou)
    assert quoted_from("也可以不迁移户口（三（一）1）", hukou)


def test_permissions_stay_permissions(plan):
    """可 / 鼓励 in the 方案 are not turned into orders in the notes that quote them."""
    duties, _ = plan
    by_key = {d.key: d for d in duties}
    assert "可由发现地县级民政部门" in by_key["no-new-long-term"].note
    assert by_key["sfly-medical"].note.startswith("鼓励支持")
    assert "执业许可证" not in " ".join(by_key["sfly-medical"].checklist)


def test_office_arrangements_are_marked(plan):
    duties, _ = plan
    by_key = {d.key: d for d in duties}
    marked = [split_arranged(i) for i in by_key["city-transfer-coordination"].checklist]
    assert ("督促指导各县（市、区）按期移交", True) in marked
    assert "未单列" in by_key["plan-inclusion"].deadline_text
    assert "市教育局办理" not in by_key["transfer-school-records"].note + by_key["transfer-school-records"].arrangement
    assert "县级救助保护机构的资金由其保障" not in by_key["county-finance"].note + by_key["county-finance"].arrangement
