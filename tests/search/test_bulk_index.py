"""A bulk change of the library (an import of many documents) rebuilds the index instead of
updating it document by document (``build.ensure_index``): both ways must find the same.

Not byte for byte the same index: a rebuild numbers the clauses in the records' order (as
``flask portal reindex`` does) where updates append the changed documents, so hits of equal score
may come in another order; and updates count punctuation among ``terms`` (which the word index
never holds). What is found, and how it is shown, is the same."""
from __future__ import annotations

import re
import sqlite3

from portal.search import build, engine, store
from portal.search.build import build_index, ensure_index
from tests.search.conftest import fangan_records, shipped_records, statute_records

WORD = re.compile(r"\w")
QUERIES = ["寄养", "户口迁移", "监护", "未成年人", "第八条", "家庭寄养管理办法", "临时监护", "jianhu",
           '"寄养家庭应当同时具备下列条件"', "儿童福利机构", "收养登记"]


def _tables(directory) -> dict:
    conn = sqlite3.connect(store.current_dir(directory) / store.MAIN_FILE)
    try:
        return {"terms": sorted(r for r in conn.execute("SELECT term, df FROM terms") if WORD.search(r[0])),
                "pinyin": sorted(conn.execute("SELECT key, term FROM pinyin")),
                "clauses": sorted(conn.execute("SELECT doc, clause_id, label, title, body, doc_title, url, validity, "
                                               "depts, wenhao, own, twin FROM clause"))}
    finally:
        conn.close()


def _answers(directory) -> list:
    """Per query: how many clauses are found, and every one shown (with its snippet) when all fit."""
    out = []
    for q in QUERIES:
        res = engine.search(directory, q, limit=engine.MAX_LIMIT)
        shown = {(h.doc, h.clause_id): h.snippet for h in res.results} if res.total <= engine.MAX_LIMIT else None
        out.append((q, res.total, shown))
    return out


def test_a_bulk_change_rebuilds_and_finds_what_per_document_updates_find(tmp_path, monkeypatch):
    before = fangan_records()
    after = shipped_records() + [r for i in range(3) for r in statute_records(f"家庭寄养管理办法{i}", f"jtjy-{i}")]
    changed = {r.doc_id for r in after} - {"yunmin-2021-74"}
    assert len(changed) >= build.REBUILD_FROM
    rebuilt, updated = tmp_path / "rebuilt", tmp_path / "updated"
    build_index(rebuilt, before)
    build_index(updated, before)
    assert ensure_index(rebuilt, after).startswith("rebuilt (")
    monkeypatch.setattr(build, "REBUILD_FROM", 10**9)  # the same change, one document at a time
    assert ensure_index(updated, after).startswith("updated (")
    assert _tables(rebuilt) == _tables(updated)
    meta_r, meta_u = (store.read_meta(store.current_dir(d)) for d in (rebuilt, updated))
    assert (meta_r["docs"], meta_r["facts"], meta_r["clauses"]) == (meta_u["docs"], meta_u["facts"], meta_u["clauses"])
    assert _answers(rebuilt) == _answers(updated)


def test_one_changed_document_is_updated_in_place(tmp_path):
    before = fangan_records() + statute_records()
    build_index(tmp_path, before)
    after = fangan_records() + statute_records("家庭寄养管理办法（修订）")
    assert ensure_index(tmp_path, after) == "updated (jtjy-2014)"
