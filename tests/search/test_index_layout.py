"""The index's storage layout (portal/search/build.py): what is not stored is made again exactly,
and an updated index holds what a fresh build of the same records holds."""
from __future__ import annotations

from portal.search import store, tokenizer
from portal.search.build import build_index, update_document
from portal.search.records import Record
from tests.search.conftest import fangan_records, statute_records

CLAUSE = ("SELECT doc, clause_id, label, title, body, doc_title, url, validity, depts, wenhao, own, twin "
          "FROM clause ORDER BY doc, clause_id")


def _contents(index_dir) -> dict:
    """Everything an index holds, rowids aside (an update appends its rows after the others)."""
    ix = store.current_dir(index_dir)
    conn = store.connect(ix)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.wv USING fts5vocab(main, words, 'instance')")
        conn.execute("CREATE VIRTUAL TABLE temp.cv USING fts5vocab(chars, chars, 'row')")
        return {
            "clause": conn.execute(CLAUSE).fetchall(),
            # each word instance with its clause's key instead of its rowid: positions and columns too
            "words": sorted(conn.execute("SELECT c.doc, c.clause_id, v.term, v.col, v.offset FROM temp.wv v "
                                         "JOIN clause c ON c.id = v.doc").fetchall()),
            "chars": conn.execute("SELECT term, doc FROM temp.cv ORDER BY term").fetchall(),
            "terms": conn.execute("SELECT * FROM terms ORDER BY term").fetchall(),
            "pinyin": conn.execute("SELECT * FROM pinyin ORDER BY key, term").fetchall(),
        }
    finally:
        conn.close()


def test_an_updated_index_holds_what_a_fresh_build_holds(tmp_path):
    """Contentless FTS5 tables forget a row only when told the very text it was indexed with: the
    hay made again from the stored body must be the one indexed, or stale trigrams stay behind."""
    recs = fangan_records() + statute_records()
    build_index(tmp_path / "updated", recs)
    changed = statute_records()
    changed[2].text = "寄养家庭主要照料人应当年满三十周岁，具有独角兽饲养经验。"
    changed[3].url = "/elsewhere/page"   # a url not of the document's pattern is kept as given
    update_document(tmp_path / "updated", "jtjy-2014", changed)
    build_index(tmp_path / "fresh", fangan_records() + changed)
    for name in ("updated", "fresh"):   # the merged (``_compact``) and the updated FTS5 tables are whole
        conn = store.connect(store.current_dir(tmp_path / name), write=True)
        conn.execute("INSERT INTO words(words) VALUES ('integrity-check')")
        conn.execute("INSERT INTO chars.chars(chars) VALUES ('integrity-check')")
        conn.close()
    updated, fresh = _contents(tmp_path / "updated"), _contents(tmp_path / "fresh")
    assert updated == fresh
    assert ("jtjy-2014", changed[3].clause_id) in {(d, c) for d, c, *_ in updated["clause"]}
    assert "/elsewhere/page" in {row[6] for row in updated["clause"]}


def test_stored_rows_give_back_the_records(tmp_path):
    recs = [Record(doc_id="d1", clause_id="a1", label="第一条", text="第一条　ＡＢＣ１２３ 儿童\n福利", doc_title="法",
                   url="/policy/d1#a1", validity="现行有效"),
            Record(doc_id="d1", clause_id="a1.1", text="（一）第二款", doc_title="法", url="/policy/d1#a1",
                   validity="现行有效")]
    build_index(tmp_path, recs)
    conn = store.connect(store.current_dir(tmp_path))
    try:
        rows = conn.execute("SELECT clause_id, body, url, doc_title, validity FROM clause ORDER BY id").fetchall()
        stored_urls = [u for (u,) in conn.execute("SELECT url FROM clause_row ORDER BY id")]
    finally:
        conn.close()
    assert [(c, store.body_text(b), u, t, v) for c, b, u, t, v in rows] == [
        ("a1", recs[0].text, "/policy/d1#a1", "法", "现行有效"), ("a1.1", recs[1].text, "/policy/d1#a1", "法", "现行有效")]
    assert stored_urls == [None, "/policy/d1#a1"]   # only the url its id does not give is stored


def test_hay_is_the_normalised_lower_cased_text():
    """``store.hay`` skips ``tokenizer.normalise`` when no full-width letter or digit is there: the
    same text as normalising always."""
    for title, text in (("", ""), ("第一条", "第一条　ＡＢＣ１２３ abc\n\n儿童\t福利 "), ("Ｔｉｔｌｅ", "\u3000\u3000ＸＹ"),
                        (None, "İstanbul ẞ Σ"), ("标题", "全角　空格\u00a0与\u2028分行")):
        title = title or ""
        assert store.hay(title, text) == " ".join(tokenizer.normalise(f"{title}\n{text}").lower().split())
