"""The fast build path and the bounded query path give what Whoosh's own writer and the exact
evaluation give (the index and the ranking do not depend on which path ran)."""
from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as windex

from bench.corpus import documents
from portal.search import engine
from portal.search.query import parse
from tests.search.conftest import fangan_records, statute_records


def _postings(reader) -> dict:
    out = {}
    for fieldname, text in reader.all_terms():
        m = reader.postings(fieldname, text)
        items = []
        while m.is_active():
            items.append((m.id(), m.weight(), m.value()))
            m.next()
        out[(fieldname, text)] = items
    return out


@pytest.mark.parametrize("procs", [1, 2])
def test_direct_segment_writer_matches_whoosh_writer(tmp_path, procs):
    recs = [engine.Record.of(r) for r in fangan_records() + statute_records() + list(documents(300))]
    engine.build_index(tmp_path / "fast", recs, procs=procs)
    fast, meta = engine.open_index(tmp_path / "fast")
    (tmp_path / "slow").mkdir()
    slow = windex.create_in(str(tmp_path / "slow"), engine.make_schema())
    with slow.writer() as w:  # Whoosh's writer, the analyzer in the schema
        for r in recs:
            w.add_document(**engine._fields(r))
    with fast.reader() as a, slow.reader() as b:
        assert a.doc_count_all() == b.doc_count_all() == len(recs) == meta["clauses"]
        assert _postings(a) == _postings(b)
        for f in ("body", "title"):
            assert a.field_length(f) == b.field_length(f)
        for d in range(len(recs)):
            assert a.stored_fields(d) == b.stored_fields(d)
            assert a.doc_field_length(d, "body") == b.doc_field_length(d, "body")
    assert meta["docs"] == engine.document_hashes(recs)
    assert not list((tmp_path / "fast").glob("ix-*/*.tmp"))


@pytest.fixture(scope="module")
def big_index(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("search_bounded")
    engine.build_index(d, fangan_records() + list(documents(3000)), procs=2)
    return d


QUERIES = ["户口迁移", "家庭寄养", "孤儿怎么申请基本生活费", "资金 预算", "儿童主任要做什么",
           '"家庭寄养服务"', '"户口迁移"', "公安 落户", "残疾儿童 康复"]


@pytest.mark.parametrize("q", QUERIES)
def test_bounded_evaluation_agrees_with_exact(big_index, q):
    bounded = engine.SearchEngine(big_index)
    bounded._fast.BOUND_ABOVE, bounded._fast.IMPACT_K, bounded._fast.CANDIDATES = 200, 400, 100
    exact = engine.SearchEngine(big_index)
    exact._fast.BOUND_ABOVE = 10 ** 9
    s = bounded.searcher()
    plan = bounded._plan(parse(q), s.reader())
    total_b, top_b = bounded._fast.run(s, plan, None, 30)
    total_e, top_e = exact._fast.run(exact.searcher(), exact._plan(parse(q), s.reader()), None, 30)
    assert total_b > 200  # the bounded path ran
    if '"' in q:  # totals of phrases are estimates on both paths
        assert abs(total_b - total_e) <= 0.2 * total_e
    else:
        assert total_b == total_e
    assert top_b[0] == top_e[0]
    exact_scores = dict(exact._fast._eval(exact.searcher(), plan.query, []))
    for d, sc in top_b:  # every returned score is the exact one
        assert sc == pytest.approx(exact_scores[d])
    assert [r["clause_id"] for r in bounded.search(q)["results"][:1]] == \
           [r["clause_id"] for r in exact.search(q)["results"][:1]]
    bounded.close()
    exact.close()


def test_bounded_phrase_results_hold_the_phrase(big_index):
    eng = engine.SearchEngine(big_index)
    eng._fast.BOUND_ABOVE = 200
    out = eng.search('"家庭寄养服务"', limit=20)
    assert out["results"]
    for r in out["results"]:
        assert "家庭寄养服务" in r["snippet"].replace("<mark>", "").replace("</mark>", "")
