"""Words the ranking must not count where they are only letters of something else: 成年人 inside
未成年人 (its opposite), and an article's own number (第五十九条　…) for a query that pastes a
sentence citing 本法第五十九条 (portal/search/query_plan.py NEGATIONS, portal/search/rank.py OWN_LABEL)."""
from __future__ import annotations

import re

from portal.search import engine
from portal.search.build import build_index
from portal.search.records import Record


def _law(doc: str, title: str, articles: list[tuple[int, str, str]]) -> list[Record]:
    return [Record(doc_id=doc, clause_id=f"a{n}", label=label, text=f"{label}　{text}", doc_title=title,
                   url=f"/policy/{doc}#a{n}", validity="现行有效") for n, label, text in articles]


def _top(ix, q: str, n: int = 3) -> list[tuple[str, str]]:
    return [(h.doc, h.clause_id) for h in engine.SearchEngine(ix).search(q, limit=n).results]


def test_a_word_inside_its_negation_is_not_counted(tmp_path):
    minors = [(n, f"第{n}条", "未成年人的父母应当保护未成年人，学校应当关心未成年人，成年人应当尊重未成年人。")
              for n in range(1, 9)]
    recs = _law("wbf", "未成年人保护法", minors) + _law("mfd", "民法典", [
        (17, "第十七条", "十八周岁以上的自然人为成年人。不满十八周岁的自然人为未成年人。")])
    build_index(tmp_path, recs)
    assert _top(tmp_path, "成年人", 1) == [("mfd", "a17")]


def test_an_articles_own_number_is_not_what_it_says(tmp_path):
    """A clause citing 第五十九条 ranks above the clause numbered so, for words that are no citation."""
    filler = [(n, f"第{n}条", f"国家鼓励发展种子产业，第{n}项工作由有关部门负责。") for n in range(50, 59)]
    recs = _law("zzf", "种子法", filler + [
        (59, "第五十九条", "种子进出口应当依照有关规定检疫。"),
        (60, "第六十条", "依照本法第五十九条规定检疫不合格的种子，不得进出口，由海关依法处理并予以公告。")])
    build_index(tmp_path, recs)
    assert _top(tmp_path, "第五十九 检疫", 1) == [("zzf", "a60")]
    # typed as a citation it is one: the article numbered so
    assert _top(tmp_path, "种子法第五十九条", 1) == [("zzf", "a59")]


def test_an_everyday_word_alone_finds_the_statutes_definition_of_its_word(tmp_path):
    """义工 is the statutes' 志愿者 / 志愿服务 (content/search/colloquial.txt): typed alone it asks what that
    is, and the article defining it comes first, before the articles using the word most."""
    uses = [(n, f"第{n}条", "志愿服务组织安排志愿者参与志愿服务活动，应当与志愿者的年龄、知识、技能和身体状况相适应，"
                           "志愿者参与志愿服务应当遵守志愿服务组织的规定。") for n in range(10, 18)]
    recs = _law("zyfw", "志愿服务条例", uses + [
        (2, "第二条", "本条例所称志愿服务，是指志愿者、志愿服务组织和其他组织自愿、无偿向社会或者他人提供的公益服务。")])
    build_index(tmp_path, recs)
    assert _top(tmp_path, "义工", 1) == [("zyfw", "a2")]


def test_an_age_is_not_a_piece_of_another_number_and_is_read_as_the_statutes_write_it(tmp_path):
    """十五岁 inside 三十五岁 is another age; typed 十五岁, the statutes' 十五周岁 answers."""
    officers = [(n, f"第{n}条", "军官任职的最高年龄：担任排级职务的，三十岁；担任连级职务的，三十五岁；担任营级职务的，四十岁；"
                                "担任团级职务的，四十五岁；担任师级职务的，五十五岁。") for n in range(10, 16)]
    recs = _law("jgf", "军官法", officers) + _law("wbf", "未成年人保护法", [
        (61, "第六十一条", "任何组织或者个人不得招用未满十六周岁未成年人，国家另有规定的除外。已满十五周岁的应当依法保护。")])
    build_index(tmp_path, recs)
    assert _top(tmp_path, "十五岁的孩子能不能招用", 1) == [("wbf", "a61")]
    # typed alone it is a string, found where a substring scan finds it (三十五岁 too), before the rest
    assert ("wbf", "a61") in _top(tmp_path, "十五岁", 10)


def test_a_question_asking_for_a_list_is_answered_by_the_list(tmp_path):
    """收养孩子要什么条件: the article listing the conditions (民法典第一千零九十八条「收养人应当同时具备下列
    条件：」) is scored on its items too, above an article that only mentions 收养 and 儿童 more often."""
    from tests.search.conftest import shipped_records

    build_index(tmp_path, shipped_records())
    top = _top(tmp_path, "收养孩子要什么条件", 10)
    assert top.index(("minfadian", "a1098")) < top.index(("weichengnianren-baohu-fa", "a95")) < 3


def test_a_rare_compound_is_searched_by_its_parts_too(tmp_path):
    """立遗嘱 (held whole by few clauses) reaches 民法典第二十九条「…可以通过遗嘱指定监护人」, which never
    writes 立遗嘱 — in a small library (held by 2) and in a larger one (held by 4, its part 遗嘱 by 40+)."""
    answer = (29, "第二十九条", "被监护人的父母担任监护人的，可以通过遗嘱指定监护人。")
    rivals = [(n, f"第{n}条", "有关当事人可以向人民法院申请指定监护人。") for n in range(30, 36)]
    for n_wills in (2, 4):
        d = tmp_path / str(n_wills)
        other = [(200 + i, f"第{200 + i}条", f"继承人可以立遗嘱处分个人财产，第{i}项。") for i in range(n_wills)]
        more = [(300 + i, f"第{300 + i}条", f"遗嘱继承和遗赠，按照遗嘱办理，第{i}项。") for i in range(10 * n_wills + 2)]
        build_index(d, _law("mfd", "民法典", [answer] + rivals + other + more))
        hits = engine.SearchEngine(d).search("立遗嘱指定监护人", limit=1).results
        assert [(h.doc, h.clause_id) for h in hits] == [("mfd", "a29")], n_wills
        assert re.search("<mark>[^<]*遗嘱[^<]*</mark>", hits[0].snippet), n_wills   # found through its part 遗嘱
