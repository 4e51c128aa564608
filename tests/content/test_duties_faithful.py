"""The first plan, faithful (issue 19): the 74号 decomposition says only what its cited clauses say,
and marks the rest as the office's 工作安排."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.content.duties_file import COUNTY, split_arranged
from portal.content.policy_doc import read_document
from portal.content.quotes import normalise, quoted_from, sentences
from portal.content.units_file import parse_units

ROOT = Path(__file__).parents[2]
# "县级民政部门" or "基层民政部门" names the counties' departments, not the city's.
LOCAL_QUALIFIERS = ("县级", "县（市、区）", "基层", "县")


@pytest.fixture(scope="module")
def plan(shipped_plan):
    duties, source = shipped_plan
    units, unit_problems = parse_units((ROOT / "content" / "units.csv").read_bytes(), "units.csv")
    assert unit_problems == []
    return duties, source, {u.code: u for u in units}


def _names(code: str, units: dict) -> tuple[list[str], bool]:
    """The words a clause may name a unit by, and whether the unit is a city-level one."""
    if COUNTY in code:  # a county department: any county's row gives the short name's suffix and aliases
        suffix = code.split("-", 1)[1]
        row = next(u for c, u in units.items() if c.endswith("-" + suffix) and not c.startswith("city-"))
        return [*row.aliases, row.short_name], False
    row = units[code]
    return [row.name, row.short_name, *row.aliases], row.level == "市级"


def named_in(code: str, text: str, units: dict) -> bool:
    names, city = _names(code, units)
    for name in filter(None, names):
        for m in re.finditer(re.escape(name), text):
            if not (city and text[:m.start()].endswith(LOCAL_QUALIFIERS)):
                return True
    return False


def test_every_cooperating_unit_is_named_by_the_cited_clause_or_marked_as_an_arrangement(plan):
    duties, source, units = plan
    unmarked = []
    for d in duties:
        text = "".join(source(c) for c in d.clauses)
        unmarked += [f"{d.key}: {u}" for u in d.cooperating
                     if u not in d.arranged_cooperating and not named_in(u, text, units)]
    assert unmarked == []


def test_the_office_marks_only_units_the_clause_does_not_name(plan):
    """The mark is not sprinkled everywhere: a unit the clause names stays the 方案's."""
    duties, source, units = plan
    by_key = {d.key: d for d in duties}
    assert by_key["fire-safety"].arranged_cooperating == ("inst-sfly", "inst-wenxi-fly", "inst-xinjiang-fly")
    assert by_key["transfer-hukou"].arranged_cooperating == ()  # 三（一）1 names the 县民政 and 市福利院
    assert len([d for d in duties if d.arranged_cooperating]) == 17  # the audit's count
    assert sum(len(d.arranged_cooperating) for d in duties) == 20  # sfly-rehab two, fire-safety three
    wrongly = [f"{d.key}: {u}" for d in duties for u in d.arranged_cooperating
               if named_in(u, "".join(source(c) for c in d.clauses), units)]
    assert wrongly == []


def test_the_unit_check_reads_names_and_aliases():
    units, _ = parse_units((ROOT / "content" / "units.csv").read_bytes(), "units.csv")
    by_code = {u.code: u for u in units}
    assert named_in("city-ga", "公安部门要及时办理儿童落户", by_code)
    assert not named_in("city-mz", "由县级民政部门接收", by_code)
    assert named_in("{county}-mz", "由县级民政部门接收", by_code)
    assert not named_in("city-mz", "市福利院要进一步加强儿童出入院管理", by_code)


ENCOURAGED = "鼓励"


def test_checklists_keep_the_clauses_encouragement(plan):
    """A step cut from a sentence that only 鼓励s keeps the 鼓励: it is not turned into an order."""
    duties, source, _ = plan
    dropped = []
    for d in duties:
        clause_sentences = [s for c in d.clauses for s in sentences(source(c))]
        for item in d.checklist:
            title, arranged = split_arranged(item)
            if arranged or ENCOURAGED in title:
                continue
            origins = [s for s in clause_sentences if quoted_from(title, s)]
            if origins and all(_encouraged_part(title, s) for s in origins):
                dropped.append(f"{d.key}: {title}")
    assert dropped == []


def _encouraged_part(title: str, sentence: str) -> bool:
    """Whether ``title`` is quoted from the part of ``sentence`` that follows a 鼓励 (up to the next 。；)."""
    parts = re.split(r"(?=鼓励)", sentence)
    return any(p.startswith(ENCOURAGED) and quoted_from(title, p) for p in parts) and not any(
        not p.startswith(ENCOURAGED) and quoted_from(title, p) for p in parts)


def test_checklists_keep_their_conditions(plan):
    duties, _, _ = plan
    by_key = {d.key: d for d in duties}
    adult = " | ".join(by_key["adult-placement"].checklist)
    assert "具备一定独立生活能力和劳动就业能力" in adult  # who is placed in society
    assert "符合条件确有集中供养意愿" in adult
    medical = by_key["sfly-medical"].checklist
    assert all(normalise(i).startswith("鼓励支持") for i in medical)
    rehab = " | ".join(by_key["sfly-rehab"].checklist)
    assert "对符合康复救助条件的儿童" in rehab and "鼓励" in rehab
    assert all(i.startswith("鼓励") for i in by_key["sfly-innovation"].checklist)
    assert any(i.startswith("鼓励") and "创新服务模式和方法" in i for i in by_key["county-agency-capacity"].checklist)


def test_titles_say_what_the_clause_says(plan):
    """送市福利院抚养 is not 送养 (an adoption): the title keeps the 方案's word."""
    duties, source, _ = plan
    by_key = {d.key: d for d in duties}
    assert "送养" not in by_key["foundling-handling"].title
    assert "送市福利院抚养" in by_key["foundling-handling"].title
    # no title uses 送养/收养 where its clauses do not
    for word in ("送养", "收养"):
        wrong = [d.key for d in duties if word in d.title and not any(word in source(c) for c in d.clauses)]
        assert wrong == []


def test_deadline_texts_are_the_plan_s_words_or_marked_as_the_office_s(plan):
    """A deadline_text is shown as 方案表述 only when it quotes the 方案; the office's reasoning (未单列 …)
    is shown as its 工作安排 (`deadline_text_arranged`)."""
    from portal.content.duties_file import deadline_text_arranged
    from portal.content.quotes import unquoted_sentences

    duties, source, _ = plan
    clauses = read_document(ROOT / "content" / "policy" / "yunmin-2021-74.md").clauses
    every_clause = [c.text for c in clauses]
    arranged = [d.key for d in duties if deadline_text_arranged(d.deadline_text)]
    assert len(arranged) == 15  # the audit's count
    shown_as_plan = [f"{d.key}: {s}" for d in duties if d.deadline_text and not deadline_text_arranged(d.deadline_text)
                     for s in unquoted_sentences(d.deadline_text, every_clause)]
    assert shown_as_plan == []
