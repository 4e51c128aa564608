"""The 任务分工表 (content/duties.txt) and its parser, validator, expander and coverage rule."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from portal.content.duties_file import THEMES, DutySpec, NoDutySpec, parse_duties
from portal.content.duties_refs import (
    check_duties,
    county_codes,
    expand,
    uncovered_clauses,
    validate_references,
)
from portal.content.policy_doc import read_document
from portal.content.units_file import parse_units

ROOT = Path(__file__).parents[2]
DUTIES = ROOT / "content" / "duties.txt"
UNITS = ROOT / "content" / "units.csv"
DOC = ROOT / "content" / "policy" / "yunmin-2021-74.md"
F = "content/duties.txt"

# The five steps of 三（二）8 in order; 档案移交 and 儿童财产移交 (listed beside them) come before the summary.
TRANSFER_STEPS = ("安排部署", "梳理应移交人员信息", "整理移交人员档案", "办理移交手续", "档案移交",
                  "儿童财产移交", "移交工作总结")


@pytest.fixture(scope="module")
def units():
    rows, problems = parse_units(UNITS.read_bytes(), "content/units.csv")
    assert problems == []
    return rows


@pytest.fixture(scope="module")
def doc():
    return read_document(DOC)


@pytest.fixture(scope="module")
def real(units, doc):
    duties, no_duties, problems = check_duties(DUTIES.read_bytes(), F, units, doc.clauses)
    assert [str(p) for p in problems] == []
    return duties, no_duties


@pytest.fixture(scope="module")
def counties(units):
    return county_codes(units)


def by_key(duties, key):
    return next(d for d in duties if d.key == key)


# ------------------------------------------------------------------ the real file

def test_real_file_parses_and_references_validate(units, doc):
    duties, no_duties, problems = parse_duties(DUTIES.read_bytes(), F)
    assert [str(p) for p in problems] == []
    refs = validate_references(duties, no_duties, F, {u.code for u in units}, county_codes(units),
                               {c.id for c in doc.clauses})
    assert [str(p) for p in refs] == []
    assert len(duties) >= 40 and no_duties
    assert len({d.key for d in duties}) == len(duties)


def test_thirteen_counties(counties):
    assert len(counties) == 13
    assert counties[0] == "yanhu" and "wenxi" in counties and "xinjiang" in counties


def test_whole_document_is_covered(real, doc):
    duties, no_duties = real
    assert uncovered_clauses([(c.id, c.parent) for c in doc.clauses], duties, no_duties) == []


def test_every_department_sentence_in_four_two_has_a_duty_with_its_department(real, doc):
    duties, no_duties = real
    expected_lead = {
        "4.2.2": "city-mz", "4.2.3": "city-bb", "4.2.4": "city-fgw", "4.2.5": "city-jy",
        "4.2.6": "city-ga", "4.2.7": "city-cz", "4.2.8": "city-rs", "4.2.9": "city-zj",
        "4.2.10": "city-wj", "4.2.11": "city-jk", "4.2.12": "city-yj", "4.2.13": "city-xf",
        "4.2.14": "city-scjg", "4.2.15": "city-yb", "4.2.16": "city-cl", "4.2.17": "city-by",
    }
    for cid, lead in expected_lead.items():
        leads = {u for d in duties if cid in d.clauses for u in d.lead}
        assert lead in leads, cid
    assert any("4.2.1" in n.clauses and n.reason for n in no_duties)
    sentences = [c.id for c in doc.clauses if c.parent == "4.2"]
    assert sentences == [f"4.2.{n}" for n in range(1, 18)]


def test_every_task_clause_is_named_by_a_duty_not_only_by_no_duty(real):
    duties, _ = real
    named = {cid for d in duties for cid in d.clauses}
    tasks = ["2", "3.1.1.1", "3.1.1.2", "3.1.1.3", "3.1.1.4", *(f"3.1.{n}" for n in range(2, 8)),
             *(f"3.2.{n}" for n in range(8, 12)), "4.1", "4.3"]
    assert [t for t in tasks if t not in named] == []


def test_transfer_duty_expands_to_thirteen_counties_with_the_steps_in_order(real, counties):
    duties, _ = real
    transfer = by_key(duties, "transfer-children")
    assert "3.2.8" in transfer.clauses
    assert transfer.scope == "per-county"
    assert transfer.start == date(2022, 5, 1) and transfer.deadline == date(2022, 9, 30)
    instances = expand(transfer, counties)
    assert len(instances) == 13
    assert [i.county for i in instances] == counties
    for inst, county in zip(instances, counties, strict=True):
        assert inst.key == f"transfer-children@{county}-mz"
        assert inst.lead_unit == f"{county}-mz"
        assert inst.cooperating == ("inst-sfly", f"{county}-ga")
    assert transfer.checklist == TRANSFER_STEPS
    institutions = by_key(duties, "inst-transfer-children")
    assert institutions.checklist == TRANSFER_STEPS
    assert [i.lead_unit for i in expand(institutions, counties)] == ["inst-wenxi-fly", "inst-xinjiang-fly"]


def test_both_transfer_deadlines_are_kept(real):
    duties, _ = real
    dated = {d.deadline for d in duties if {"2", "3.2.8"} & set(d.clauses)}
    assert date(2022, 9, 1) in dated and date(2022, 9, 30) in dated
    by_0901 = by_key(duties, "handover-by-0901")
    assert by_0901.deadline == date(2022, 9, 1) and "9月1日" in by_0901.deadline_text
    assert "9月底" in by_0901.arrangement
    assert "9月底" in by_key(duties, "transfer-children").deadline_text
    assert "9月1日" in by_key(duties, "transfer-children").arrangement


def test_key_dates_and_kinds(real, counties, units):
    duties, _ = real
    opt = by_key(duties, "sfly-optimisation-2025")
    assert opt.deadline == date(2025, 12, 31) and "2025年年底" in opt.deadline_text
    integration = by_key(duties, "sfly-integration")
    assert integration.deadline == date(2025, 12, 31) and "十四五" in integration.deadline_text
    assert opt.lead == ("inst-sfly",) and opt.cooperating == ()  # the 方案 has no 验收 step by 市民政局
    drills = by_key(duties, "sfly-drills")
    assert drills.deadline_kind == "periodic" and drills.deadline is None and drills.period
    # the 方案 says only 定期组织演练: the frequency is the office's, and says so
    assert "工作安排" in drills.deadline_text and "季度" in drills.arrangement and "季度" not in drills.note
    # 三（二）9: the 县（市、区）民政局 integrates and transforms (闻喜/新绛 included), not the 福利院
    assert "inst-transform" not in {d.key for d in duties}
    agency = by_key(duties, "county-protection-agency")
    assert agency.lead == ("{county}-mz",) and {"2", "3.2.9"} <= set(agency.clauses)
    parents = {u.code: u.parent for u in units}
    assert [i.county for i in expand(by_key(duties, "inst-transfer-children"), counties, parents)] == [
        "wenxi", "xinjiang"]
    special = by_key(duties, "special-school")
    assert special.lead == ("city-jy",) and set(special.cooperating) == {"city-bb", "city-cz"}
    medical = by_key(duties, "medical-insurance")
    assert medical.lead == ("city-yb",) and set(medical.cooperating) == {"city-mz"}


def test_titles_are_short_chinese_and_fields_sane(real):
    duties, _ = real
    for d in duties:
        assert 0 < len(d.title) <= 20, d.key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in d.title), d.key
        assert d.theme in THEMES
        if d.deadline_kind != "none":
            assert d.deadline_text, d.key


def test_city_instance_key_is_the_duty_key(real, counties):
    duties, _ = real
    [inst] = expand(by_key(duties, "special-school"), counties)
    assert inst.key == "special-school" and inst.lead_unit == "city-jy" and inst.county is None


# ------------------------------------------------------------------ malformed snippets

GOOD = """\
[sample]
title: 样例任务
clauses: 3.2.8
lead: {county}-mz
cooperating: inst-sfly {county}-ga
scope: per-county
theme: 县级机构转型
start: 2022-05-01
deadline: 2022-09
deadline_text: 9月底结束
checklist: 甲 | 乙
"""

UNIT_CODES = {"city-mz", "city-jy", "inst-sfly", "aa-mz", "aa-ga", "bb-mz", "bb-ga"}
COUNTIES = ["aa", "bb"]
CLAUSES = {"2", "3", "3.2", "3.2.8", "4.2.1"}


def problems_of(text: str) -> list[str]:
    duties, no_duties, problems = parse_duties(text.encode(), F)
    problems += validate_references(duties, no_duties, F, UNIT_CODES, COUNTIES, CLAUSES)
    return [str(p) for p in problems]


def test_good_snippet_parses():
    duties, no_duties, problems = parse_duties(GOOD.encode(), F)
    assert problems == [] and no_duties == []
    [d] = duties
    assert d.deadline == date(2022, 9, 30) and d.deadline_kind == "date"
    assert d.checklist == ("甲", "乙") and d.lead == ("{county}-mz",)
    assert validate_references(duties, [], F, UNIT_CODES, COUNTIES, CLAUSES) == []
    assert [i.key for i in expand(d, COUNTIES)] == ["sample@aa-mz", "sample@bb-mz"]
    assert expand(d, COUNTIES)[1].cooperating == ("inst-sfly", "bb-ga")


def test_unknown_key():
    assert problems_of(GOOD + "owner: city-mz\n") == [
        f"{F}:12: unknown key 'owner' in a duty; allowed: title, clauses, lead, cooperating, scope, theme, "
        "start, deadline, period, deadline_text, checklist, note, arrangement, indicators"]


def test_missing_title():
    text = "# header comment\n\n" + GOOD.replace("title: 样例任务\n", "")
    assert problems_of(text) == [f"{F}:3: [sample] is missing required key: title"]


def test_bad_dates():
    assert problems_of(GOOD.replace("deadline: 2022-09\n", "deadline: 2022-13-01\n")) == [
        f"{F}:9: deadline '2022-13-01' must be a date YYYY-MM-DD, a month YYYY-MM, 'periodic' or 'none'"]
    assert problems_of(GOOD.replace("start: 2022-05-01", "start: 2022-5-1")) == [
        f"{F}:8: start '2022-5-1' is not a date YYYY-MM-DD"]
    assert problems_of(GOOD.replace("start: 2022-05-01", "start: 2022-10-01")) == [
        f"{F}:8: start 2022-10-01 is after the deadline 2022-09-30"]


def test_unknown_unit_after_expansion():
    assert problems_of(GOOD.replace("{county}-ga", "{county}-jk")) == [
        f"{F}:5: {{county}}-jk expands to unit codes not in units.csv: aa-jk, bb-jk"]
    assert problems_of(GOOD.replace("inst-sfly", "inst-nowhere")) == [
        f"{F}:5: unit inst-nowhere is not in units.csv"]


def test_unknown_clause():
    assert problems_of(GOOD.replace("clauses: 3.2.8", "clauses: 3.2.8 3.2.12")) == [
        f"{F}:3: clause 3.2.12 is not in the 方案"]
    assert problems_of(GOOD.replace("clauses: 3.2.8", "clauses: 三（二）8")) == [
        f"{F}:3: clause id '三（二）8' is not a clause id like 3.2.8 or 4.2.6"]


def test_duplicate_key_and_section():
    assert problems_of(GOOD.replace("theme: 县级机构转型\n", "theme: 县级机构转型\ntheme: 组织保障\n")) == [
        f"{F}:8: duplicate key 'theme' in [sample] (first at line 7)"]
    assert problems_of(GOOD + "\n" + GOOD) == [f"{F}:13: duplicate section [sample] (first at line 1)"]


def test_county_pattern_needs_per_county_scope():
    text = GOOD.replace("scope: per-county", "scope: per-unit")
    assert problems_of(text) == [
        f"{F}:4: {{county}}-mz uses {{county}} but scope is per-unit; {{county}} patterns need scope: per-county",
        f"{F}:5: {{county}}-ga uses {{county}} but scope is per-unit; {{county}} patterns need scope: per-county",
    ]
    city = GOOD.replace("scope: per-county", "scope: city").replace("cooperating: inst-sfly {county}-ga\n", "")
    assert problems_of(city) == [
        f"{F}:4: {{county}}-mz uses {{county}} but scope is city; {{county}} patterns need scope: per-county"]


def test_other_entry_checks():
    periodic = GOOD.replace("deadline: 2022-09\n", "deadline: periodic\n").replace("start: 2022-05-01\n", "")
    assert problems_of(periodic) == [
        f"{F}:8: deadline periodic needs a period: line (monthly, quarterly, halfyearly, yearly)"]
    assert problems_of(periodic + "period: weekly\n") == [
        f"{F}:11: period 'weekly' must be one of monthly, quarterly, halfyearly, yearly"]
    assert problems_of(GOOD.replace("deadline_text: 9月底结束\n", "")) == [
        f"{F}:9: deadline_text is required when the deadline is not none: say how the text states it"]
    assert problems_of(GOOD.replace("scope: per-county", "scope: county")) == [
        f"{F}:6: scope 'county' must be one of city, per-county, per-unit"]
    assert problems_of(GOOD.replace("title: 样例任务", "title: " + "很" * 21)) == [
        f"{F}:2: title is 21 characters; keep it to 20 or fewer (details go in note)"]
    assert problems_of("stray: x\n" + GOOD) == [f"{F}:1: text before the first [section] header"]
    assert problems_of(GOOD + "这一行没有键\n") == [
        f"{F}:12: expected 'key: value', a [section] header or a # comment"]
    assert problems_of(GOOD.replace("checklist: 甲 | 乙", "checklist: 甲 |  | 乙")) == [
        f"{F}:11: checklist has an empty item (items are separated by ' | ')"]


def test_per_unit_and_city_scopes_expand():
    text = GOOD.replace("lead: {county}-mz", "lead: aa-mz bb-mz").replace(
        "scope: per-county", "scope: per-unit").replace(" {county}-ga", "")
    duties, _, problems = parse_duties(text.encode(), F)
    assert problems == []
    assert [(i.key, i.county) for i in expand(duties[0], COUNTIES)] == [
        ("sample@aa-mz", "aa"), ("sample@bb-mz", "bb")]
    bad_city = text.replace("scope: per-unit", "scope: city")
    assert problems_of(bad_city) == [
        f"{F}:4: scope city has a single lead unit; found 2 (use per-unit for one instance each)"]


def test_no_duty_entries():
    text = GOOD + "\n[no-duty 4.2.1]\nclauses: 4.2.1\nreason: 总起句。\n"
    duties, no_duties, problems = parse_duties(text.encode(), F)
    assert problems == []
    assert no_duties == [NoDutySpec(13, "no-duty 4.2.1", ("4.2.1",), "总起句。")]
    assert problems_of(text.replace("reason: 总起句。\n", "")) == [
        f"{F}:13: [no-duty 4.2.1] is missing required key: reason"]
    assert problems_of(text.replace("clauses: 4.2.1", "clauses: 4.2.1 3.2.8")) == [
        f"{F}:14: clause 3.2.8 has a duty; drop it from [no-duty 4.2.1]"]
    assert problems_of(text.replace("reason:", "note:")) == [
        f"{F}:13: [no-duty 4.2.1] is missing required key: reason",
        f"{F}:15: unknown key 'note' in a no-duty entry; allowed: clauses, reason"]
    assert problems_of(text.replace("[no-duty 4.2.1]", "[no-duty]")) == [
        f"{F}:13: no-duty header must be [no-duty NAME], not [no-duty]"]


# ------------------------------------------------------------------ coverage rule

def _duty(key: str, *clauses: str) -> DutySpec:
    return DutySpec(1, key, "任务", clauses, ("city-mz",), (), "city", "部门职责", None, "none", None, None, "",
                    (), "")


def test_coverage_rule():
    tree = [("preamble", None), ("1", None), ("2", None), ("3", None), ("3.1", "3"), ("3.1.1", "3.1"),
            ("3.1.1.1", "3.1.1"), ("3.1.1.2", "3.1.1"), ("3.1.2", "3.1"), ("4", None), ("4.1", "4"),
            ("closing", None)]
    duties = [_duty("a", "2", "3.1.1.1", "3.1.2"), _duty("b", "4.1")]
    # 3.1.1.2 is missing: it and every heading above it are reported, in document order
    assert uncovered_clauses(tree, duties, []) == ["3", "3.1", "3.1.1", "3.1.1.2"]
    assert uncovered_clauses(tree, duties, [NoDutySpec(1, "no-duty x", ("3.1.1.2",), "理由")]) == []
    # naming a heading covers the heading, not the clauses and finer anchors below it
    assert uncovered_clauses(tree, [_duty("c", "2", "3", "4")], []) == [
        "3.1", "3.1.1", "3.1.1.1", "3.1.1.2", "3.1.2", "4.1"]
    # preamble, 1 and closing are outside the roots
    assert "1" not in uncovered_clauses(tree, [], [])
    assert uncovered_clauses(tree, [], [], roots=("4",)) == ["4", "4.1"]


def test_indicators_are_names_with_measure_words():
    [d], _, problems = parse_duties((GOOD + "indicators: 移交儿童人数（人） | 移交档案份数（份）\n").encode(), F)
    assert problems == []
    assert d.indicators == (("移交儿童人数", "人"), ("移交档案份数", "份"))


def test_malformed_indicator_names_its_line():
    assert problems_of(GOOD + "indicators: 移交儿童人数 | 移交儿童人数（人）\n") == [
        f"{F}:12: indicator '移交儿童人数' must read like 移交儿童人数（人）: a name and a measure word in full-width brackets"]
    assert problems_of(GOOD + "indicators: 人数（人） | 人数（名）\n") == [f"{F}:12: indicator 人数 is listed twice"]
