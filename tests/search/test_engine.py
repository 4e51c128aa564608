"""Engine API: records in, ranked clauses with highlighted snippets out; index lifecycle."""
from __future__ import annotations

import logging
import multiprocessing
import re
import shutil

import pytest

from portal.search import engine, store
from portal.search.build import build_index, ensure_index, index_status, update_document
from portal.search.engine import Hit, SearchResponse
from portal.search.records import Record
from tests.search.conftest import fangan_records, statute_records

RESULT_KEYS = {"doc", "doc_title", "clause_id", "label", "url", "snippet", "copies"}


def ids(res):
    return [r.clause_id for r in res.results]


def test_result_shape(fangan_index):
    res = engine.search(fangan_index, "户口迁移")
    assert isinstance(res, SearchResponse) and res.total >= 3 and isinstance(res.took_ms, float)
    top = res.results[0]
    assert isinstance(top, Hit) and set(top.api()) == RESULT_KEYS
    assert top.doc == "yunmin-2021-74" and top.doc_title.startswith("关于加快推进")
    assert top.clause_id == "3.1.1.1" and top.label.startswith("三（一）1")
    assert top.url == "/policy/yunmin-2021-74#3.1.1.1"
    assert re.search(r"<mark>(户口|户籍)(迁移)?</mark>", top.snippet) and "迁移" in top.snippet


def test_quoted_phrase_matches_exactly_and_is_marked_whole(fangan_index):
    res = engine.search(fangan_index, '"家庭寄养"')
    assert ids(res)[0] == "3.1.1.3"
    assert all("家庭寄养" in r.snippet.replace("<mark>", "").replace("</mark>", "") for r in res.results)
    marks = re.findall(r"<mark>(.*?)</mark>", res.results[0].snippet)
    assert marks and all("家庭寄养" in m for m in marks)
    # a phrase across two words matches in order only
    # (the paragraph first, then its section 3.1.1, whose page holds the paragraph's text too)
    assert ids(engine.search(fangan_index, '"提高养育水平"')) == ["3.1.1.3", "3.1.1"]
    assert engine.search(fangan_index, '"水平养育提高"').total == 0


def test_highlight_marks_whole_words_and_escapes(tmp_path):
    recs = [Record(doc_id="d", clause_id="1", text="指导开展儿童督导员业务培训<script>alert(1)</script>&")]
    build_index(tmp_path, recs)
    snip = engine.search(tmp_path, "儿童督导员").results[0].snippet
    assert "<mark>儿童督导员</mark>" in snip
    assert "<script>" not in snip and "&lt;script&gt;" in snip and snip.endswith("&amp;")
    # a part of a compound finds the compound and marks the whole word
    snip = engine.search(tmp_path, "督导员").results[0].snippet
    assert "<mark>儿童督导员</mark>" in snip


def test_words_rank_with_coordination_not_all_required(fangan_index):
    res = engine.search(fangan_index, "食品安全 远程教育")
    got = ids(res)
    assert "4.2.14" in got and "3.1.7" in got  # neither clause has both words
    res = engine.search(fangan_index, "公安 户口")
    assert ids(res)[0] in ("4.2.6", "3.1.1.1")


def test_question_words_are_ignored(fangan_index):
    assert ids(engine.search(fangan_index, "儿童主任要做什么呢"))[:1] == ids(engine.search(fangan_index, "儿童主任"))[:1]


def test_wenhao_any_brackets(fangan_index):
    for q in ("晋民发〔2021〕42号", "晋民发[2021]42号", "晋民发【2021】42号", "晋民发（2021）42号",
              "晋民发(2021)42号", "晋民发2021 42号", "晋民发2021年第42号"):
        assert ids(engine.search(fangan_index, q))[0] == "preamble", q


def test_citations_jump_first(library_index):
    assert ids(engine.search(library_index, "三（一）2"))[0] == "3.1.2"
    assert ids(engine.search(library_index, "三（二）8"))[0] == "3.2.8"
    assert ids(engine.search(library_index, "四（二）"))[0] == "4.2"
    res = engine.search(library_index, "《家庭寄养管理办法》第八条")
    assert (res.results[0].doc, ids(res)[0]) == ("jtjy-2014", "a8")
    res = engine.search(library_index, "家庭寄养管理办法 第八条")
    assert (res.results[0].doc, ids(res)[0]) == ("jtjy-2014", "a8")


def test_filters(library_index):
    res = engine.search(library_index, "户口", dept="公安")
    assert res.total >= 1 and all("公安" in r.departments for r in res.results)
    assert "4.2.6" in ids(res)
    assert set(ids(engine.search(library_index, "部门", dept="市教育局"))) >= {"4.2.5"}
    res = engine.search(library_index, "寄养", doc="jtjy-2014")
    assert res.total >= 2 and {r.doc for r in res.results} == {"jtjy-2014"}
    assert engine.search(library_index, "寄养", validity="已废止").total == 0
    assert engine.search(library_index, "寄养", validity="现行有效").total >= 2


def test_paging_and_limits(fangan_index):
    all_ids = ids(engine.search(fangan_index, "儿童", limit=100))
    total = engine.search(fangan_index, "儿童").total
    assert len(all_ids) == total > 10
    assert ids(engine.search(fangan_index, "儿童", page=2, limit=5)) == all_ids[5:10]
    for limit in (-1, 0, 10 ** 9, "x", None):
        res = engine.search(fangan_index, "儿童", limit=limit)
        assert 1 <= len(res.results) <= engine.MAX_LIMIT
    assert engine.search(fangan_index, "儿童", page=10 ** 9).results == []


def test_no_hits_suggests(fangan_index):
    res = engine.search(fangan_index, '"家庭寄样"')
    assert res.total == 0 and res.suggestion == "家庭寄养"
    res = engine.search(fangan_index, '"食品安全 绿色通道"')
    assert res.total == 0 and res.suggestion
    assert engine.search(fangan_index, res.suggestion).total > 0


def test_update_document_reindexes_one_document(tmp_path):
    recs = fangan_records() + statute_records()
    build_index(tmp_path, recs)
    eng = engine.SearchEngine(tmp_path)
    assert eng.search("寄养家庭").total >= 3
    changed = statute_records()
    changed[2].text = "寄养家庭主要照料人应当年满三十周岁，具有独角兽饲养经验。"
    update_document(tmp_path, "jtjy-2014", changed)
    engine.REFRESH_EVERY, old = 0.0, engine.REFRESH_EVERY
    try:
        assert ids(eng.search("独角兽")) == ["a8"]
        assert eng.search("户随人走").total >= 1  # the other document is untouched
        assert index_status(tmp_path, fangan_records() + changed) == ("ok", [])
        update_document(tmp_path, "jtjy-2014", [])
        assert eng.search("独角兽").total == 0
    finally:
        engine.REFRESH_EVERY = old
        eng.close()
    with pytest.raises(ValueError):
        update_document(tmp_path, "other", statute_records())


def test_lifecycle_missing_stale_corrupt(tmp_path, caplog):
    recs = fangan_records()
    caplog.set_level(logging.WARNING, logger="portal.search")
    assert engine.search(tmp_path, "户口").error  # no index yet: a message, not an exception
    assert ensure_index(tmp_path, recs) == "rebuilt (missing)"
    assert "missing" in caplog.text
    assert ensure_index(tmp_path, recs) == "ok"
    changed = [Record.of({**r.__dict__}) for r in recs]
    changed[5].text += "新增内容"
    assert ensure_index(tmp_path, changed) == "updated (yunmin-2021-74)"
    assert index_status(tmp_path, changed) == ("ok", [])
    # corrupt: the index files overwritten
    ix_dir = store.current_dir(tmp_path)
    for name in (store.MAIN_FILE, store.CHARS_FILE):
        (ix_dir / name).write_bytes(b"garbage" * 100)
    assert index_status(tmp_path)[0] == "corrupt"
    caplog.clear()
    assert ensure_index(tmp_path, changed) == "rebuilt (corrupt)"
    assert "corrupt" in caplog.text
    assert engine.search(tmp_path, "新增内容").total >= 1
    # another schema/analyzer signature counts as stale and is rebuilt
    meta = store.current_dir(tmp_path) / store.META_FILE
    meta.write_text(meta.read_text().replace('"signature": "', '"signature": "x'))
    assert ensure_index(tmp_path, changed) == "rebuilt (stale)"
    shutil.rmtree(store.current_dir(tmp_path))
    assert ensure_index(tmp_path, changed) == "rebuilt (missing)"


def test_readers_keep_answering_during_and_after_full_rebuild(tmp_path):
    build_index(tmp_path, statute_records())
    eng = engine.SearchEngine(tmp_path)
    assert eng.search("寄养").total >= 2
    build_index(tmp_path, fangan_records())  # a new directory replaces the old one
    eng._checked = 0.0
    assert eng.search("户随人走").total >= 1
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("ix-")]) == 1
    eng.close()


def _hold_lock(path, ready, release):
    with store.write_lock(path, timeout=5):
        ready.set()
        release.wait(10)


def test_one_writer_at_a_time(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold_lock, args=(tmp_path, ready, release))
    p.start()
    try:
        assert ready.wait(10)
        with pytest.raises(store.LockError):
            build_index(tmp_path, statute_records(), timeout=0.2)
    finally:
        release.set()
        p.join(10)
    build_index(tmp_path, statute_records(), timeout=5)


def test_two_process_writer_builds_the_same_index(tmp_path):
    recs = fangan_records() + statute_records()
    stats = build_index(tmp_path, recs, procs=2)
    assert stats["clauses"] == len(recs)
    one = build_index(tmp_path / "one", recs, procs=1)
    assert one["index_bytes"] > 0
    assert ids(engine.search(tmp_path, '"家庭寄养"'))[0] == "3.1.1.3"


def test_abbreviations_find_the_terms_spelled_out(tmp_path):
    recs = [Record(doc_id="d", clause_id="a1", text="依照《中华人民共和国反家庭暴力法》的规定，对实施家庭暴力的监护人予以训诫。"),
            Record(doc_id="d", clause_id="a2", text="将符合条件的困难家庭纳入最低生活保障范围。"),
            Record(doc_id="d", clause_id="a3", text="其他条款。")]
    build_index(tmp_path, recs)
    assert ids(engine.search(tmp_path, "反家暴法")) == ["a1"]
    assert ids(engine.search(tmp_path, "家暴")) == ["a1"]
    res = engine.search(tmp_path, "低保")
    assert ids(res) == ["a2"] and "<mark>最低生活保障</mark>" in res.results[0].snippet


def test_words_found_nowhere_are_listed_and_all_words_rank_first(fangan_index):
    res = engine.search(fangan_index, "户口迁移 独角兽")
    assert res.missing == ["独角兽"] and res.total > 0
    res = engine.search(fangan_index, "食品安全 消防")
    both = [r for r in res.results if "食品安全" in r.snippet and "消防" in r.snippet]
    assert not both or res.results[0] in both


def test_a_pasted_fragment_that_cuts_words_lands_on_its_clause(fangan_index):
    text = next(r.text for r in fangan_records() if r.clause_id == "3.1.1.3")
    for start in (3, 11, 20):
        fragment = text[start:start + 11]
        assert ids(engine.search(fangan_index, fragment))[0] == "3.1.1.3", fragment
