"""Writing the index: a full build into a fresh folder, one document's update, and keeping the
index in line with the records (``ensure_index``). One writer at a time (``store.write_lock``).

Two SQLite files, written in parallel when ``procs`` > 1 (the character index in a forked
process — SQLite's FTS5 does the work in C; Python only segments):

* ``main.sqlite``: ``clause`` (a view: each ``clause_row`` — title, body, ``own`` a section's own
  part of its text, ``twin`` its text's fingerprint: ``copies`` — joined to its ``document`` row,
  which holds the title, validity and url stem its clauses share), ``words`` (FTS5 over the text
  segmented in jieba's search mode — BM25 ranking, two-character words, parts of compounds),
  ``terms`` (each word's document count, for query planning and suggestions), ``pinyin`` (each
  word's pinyin and initials: queries typed in pinyin, same-sound typos);
* ``chars.sqlite``: ``chars`` (FTS5 ``trigram``: every 3-character substring of the text padded
  with two spaces; a pasted fragment's candidates, confirmed against the text — and, through
  the trigrams a 1–2 character string starts, every clause holding it).

Size (issue 22: at most 3× the text it indexes): the text exact strings are matched against
(``store.hay``: a section's whole text, normalised) is made from the stored body when a row is read,
not stored; the body is stored as UTF-16 (``store.body_blob``); both FTS5 tables are merged into
one segment (``_compact``) and the character index keeps no per-row sizes. What is left is about
the text itself (body), the word index (positions: phrases and BM25) and the trigram index.
"""
from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import resource
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from portal.faults import pause_point
from portal.search import copies, pinyin, store, tokenizer
from portal.search.records import Record, document_facts, document_hashes

log = logging.getLogger("portal.search")

MAIN_SCHEMA = """
CREATE TABLE document(id INTEGER PRIMARY KEY, doc TEXT NOT NULL, title TEXT, url TEXT, validity TEXT);
CREATE INDEX document_doc ON document(doc);
CREATE TABLE clause_row(id INTEGER PRIMARY KEY, d INTEGER NOT NULL, clause_id TEXT NOT NULL, label TEXT,
                        title TEXT, body BLOB, url TEXT, depts TEXT, wenhao TEXT, own TEXT, twin INTEGER);
CREATE VIEW clause AS
    SELECT r.id AS id, d.doc AS doc, r.clause_id AS clause_id, r.label AS label, r.title AS title, r.body AS body,
           d.title AS doc_title, coalesce(r.url, d.url || r.clause_id) AS url, d.validity AS validity,
           r.depts AS depts, r.wenhao AS wenhao, r.own AS own, r.twin AS twin
    FROM clause_row r JOIN document d ON d.id = r.d;
CREATE VIRTUAL TABLE words USING fts5(title, body, keys, content='',
                                      tokenize='unicode61 remove_diacritics 0', detail='full');
CREATE TABLE terms(term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE pinyin(key TEXT NOT NULL, term TEXT NOT NULL, PRIMARY KEY(key, term)) WITHOUT ROWID;
"""
# Made once the rows are in (a full build): one pass over the rows, pages filled in key order.
CLAUSE_INDEXES = """
CREATE INDEX clause_doc ON clause_row(d, clause_id);
CREATE INDEX clause_cid ON clause_row(clause_id);
CREATE INDEX clause_twin ON clause_row(twin);
"""
# columnsize=0: the character index is only ever asked which rows match (never ranked), so the
# per-row token counts BM25 would need are not kept.
CHARS_SCHEMA = """
CREATE VIRTUAL TABLE chars USING fts5(hay, content='', tokenize='trigram', detail='none', columnsize=0);
"""
# A clause row as built: (id, doc, clause_id, label, title, body, doc_title, url, validity, depts,
# wenhao, hay, own, twin). ``hay`` is not stored (``store.hay`` makes it again from title and body);
# doc_title, validity and the url's part before the clause id are stored once per document.
HAY = 11


def _clause_row(i: int, r: Record) -> tuple:
    """A section with paragraphs is stored, indexed and matched with its whole text (what a reader
    sees on its page); ``own`` keeps its own part, so a paragraph ranks before its section."""
    title, text = r.title or "", r.context or r.text or ""
    return (i, r.doc_id, r.clause_id, r.label or r.clause_id, title, text, r.doc_title or "",
            r.url or "", r.validity or "", ",".join(r.depts()), " ".join(r.wenhao()),
            store.hay(title, text), store.hay(title, r.text or "") if r.context else "", copies.fingerprint(text))


def _url_base(url: str) -> str:
    return url[:url.index("#") + 1] if "#" in url else ""


def _insert_clauses(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Write ``rows`` (clause rows as built) to ``clause_row``, each document's facts to ``document``
    once: a clause's url is stored only when it is not its document's url followed by its id."""
    docs = {tuple(k): i for i, *k in conn.execute("SELECT id, doc, title, url, validity FROM document")}
    next_id = max(docs.values(), default=0) + 1
    new_docs, stored = [], []
    for (i, doc, cid, label, title, body, doc_title, url, validity, depts, wenhao, _hay, own, twin) in rows:
        base = _url_base(url)
        key = (doc, doc_title, base, validity)
        if key not in docs:
            docs[key], next_id = next_id, next_id + 1
            new_docs.append((docs[key], *key))
        stored.append((i, docs[key], cid, label, title, store.body_blob(body),
                       None if url == base + cid else url, depts, wenhao, own, twin))
    conn.executemany("INSERT INTO document VALUES (?, ?, ?, ?, ?)", new_docs)
    conn.executemany("INSERT INTO clause_row VALUES (?,?,?,?,?,?,?,?,?,?,?)", stored)


def _stored_rows(conn: sqlite3.Connection, doc_id: str) -> list[tuple]:
    """A document's clause rows as built (``hay`` made again: what its index entries were made of)."""
    rows = conn.execute("SELECT id, doc, clause_id, label, title, body, doc_title, url, validity, depts, wenhao, "
                        "own, twin FROM clause WHERE doc = ? ORDER BY id", (doc_id,)).fetchall()
    rows = [(*r[:5], store.body_text(r[5]), *r[6:]) for r in rows]
    return [(*r[:HAY], store.hay(r[4] or "", r[5]), *r[HAY:]) for r in rows]


@functools.lru_cache(maxsize=4096)
def _title_words(title: str) -> str:
    return tokenizer.index_text(title)  # chapter titles repeat over a law's articles


def _word_row(row: tuple) -> tuple:
    """(rowid, title words, body words, keys) of a clause row."""
    return row[0], _title_words(row[4]), tokenizer.index_text(row[5]), row[10]


CHARS_PAD = "  "  # every character of the text starts a trigram, so 1–2 character strings are found too


def _char_row(row: tuple) -> tuple:
    return row[0], row[HAY] + CHARS_PAD


def _compact(conn: sqlite3.Connection, fts: str) -> None:
    """Merge the FTS5 table's segments into one and drop the freed pages. A bulk insert leaves
    dozens of segments, each repeating the terms it holds: the trigram index, whose terms are in
    most segments, loses about a third of its size (the word index ~2%)."""
    conn.execute("PRAGMA journal_mode=MEMORY")  # 'optimize' needs a journal (``_fast``)
    with conn:
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
    conn.execute("VACUUM")


def _fast(conn: sqlite3.Connection) -> None:
    """A fresh file nobody reads yet: no journal while the rows go in (``_compact`` turns one on
    for FTS5's 'optimize': with journal_mode=OFF it leaves a malformed trigram index on SQLite 3.40)."""
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")


def _write_chars(path: Path, rows: list[tuple]) -> None:
    conn = sqlite3.connect(path)
    try:
        _fast(conn)
        conn.executescript(CHARS_SCHEMA)
        with conn:
            conn.executemany("INSERT INTO chars(rowid, hay) VALUES (?, ?)", map(_char_row, rows))
        _compact(conn, "chars")
    finally:
        conn.close()


def _chars_child(path: str, rows: list[tuple]) -> None:  # runs in a forked process
    try:
        _write_chars(Path(path), rows)
    except BaseException:
        os._exit(1)
    os._exit(0)


def _write_main(path: Path, rows: list[tuple]) -> None:
    conn = sqlite3.connect(path)
    try:
        _fast(conn)
        conn.executescript(MAIN_SCHEMA)
        with conn:
            _insert_clauses(conn, rows)
            conn.executescript(CLAUSE_INDEXES)
            conn.executemany("INSERT INTO words(rowid, title, body, keys) VALUES (?, ?, ?, ?)", map(_word_row, rows))
        conn.execute("INSERT INTO words(words, rank) VALUES ('rank', 'bm25(1.5, 1.0, 4.0)')")
        with conn:
            conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, words, 'row')")
            conn.execute("INSERT INTO terms SELECT term, doc FROM temp.vocab")
            conn.execute("DROP TABLE temp.vocab")
            _add_pinyin(conn)
        _compact(conn, "words")
    finally:
        conn.close()


def _add_pinyin(conn: sqlite3.Connection) -> None:
    """Pinyin keys for the words that have none yet; keys of words gone from the index dropped.
    A word one clause holds gets none (``pinyin.MIN_DF``)."""
    conn.execute("DELETE FROM pinyin WHERE term NOT IN (SELECT term FROM terms WHERE df >= ?)", (pinyin.MIN_DF,))
    new = [t for (t,) in conn.execute("SELECT term FROM terms WHERE length(term) BETWEEN ? AND ? AND df >= ? "
                                      "AND term NOT IN (SELECT term FROM pinyin)",
                                      (pinyin.SHORTEST, pinyin.LONGEST, pinyin.MIN_DF))]
    conn.executemany("INSERT OR IGNORE INTO pinyin VALUES (?, ?)", pinyin.rows(new))


def build_index(index_dir: str | os.PathLike, records: Iterable, *, procs: int = 1,
                timeout: float = 60.0, hashes: dict[str, str] | None = None) -> dict:
    """Full rebuild into a fresh directory, then switch CURRENT to it. Returns stats.

    Raises ``store.LockError`` if another process holds the write lock for ``timeout`` s.
    """
    index_dir = Path(index_dir)
    started, cpu = time.perf_counter(), _cpu()
    recs = [Record.of(r) for r in records]
    tokenizer.segmenter()  # loaded before forking
    with store.write_lock(index_dir, timeout):
        ix_dir = store.new_dir(index_dir)
        try:
            rows = [_clause_row(i, r) for i, r in enumerate(recs, 1)]
            child = None
            if procs > 1:
                child = multiprocessing.get_context("fork").Process(
                    target=_chars_child, args=(str(ix_dir / store.CHARS_FILE), rows), daemon=True)
                child.start()
            else:
                _write_chars(ix_dir / store.CHARS_FILE, rows)
            _write_main(ix_dir / store.MAIN_FILE, rows)
            if child is not None:
                child.join()
                if child.exitcode != 0:
                    raise RuntimeError(f"the character index writer failed (exit code {child.exitcode})")
            meta = {"schema": store.SCHEMA_VERSION, "signature": store.signature(),
                    "segmenter": tokenizer.backend_name(), "built": time.time(), "generation": 1,
                    "clauses": len(rows), "avg_chars": sum(len(r[HAY]) for r in rows) / max(1, len(rows)), "docs": hashes or document_hashes(recs), "facts": document_facts(recs)}
            store.write_meta(ix_dir, meta)
            pause_point("reindex-before-switch")  # the new index written, the old one still live
            store.switch_current(index_dir, ix_dir)
        except BaseException:
            shutil.rmtree(ix_dir, ignore_errors=True)
            raise
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    nbytes = sum(len((r.text or "").encode()) for r in recs)
    size = sum(p.stat().st_size for p in ix_dir.iterdir())
    return {"dir": str(ix_dir), "clauses": len(recs), "bytes": nbytes, "index_bytes": size, "seconds": seconds,
            "mb_per_s": nbytes / 1e6 / seconds if seconds else 0.0, "procs": procs, "cpu_seconds": cpu}


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the forked writer)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _counts(word_rows: Iterable[tuple]) -> Counter:
    c: Counter = Counter()
    for _, title, body, keys in word_rows:
        c.update(set(f"{title} {body}".lower().split()) | set(keys.lower().split()))
    return c


def update_document(index_dir: str | os.PathLike, doc_id: str, records: Iterable, *,
                    timeout: float = 60.0) -> dict:
    """Reindex one document in the live index: remove its clauses, add ``records`` (all of that
    document; an empty list removes it). Readers see the change on their next refresh."""
    index_dir = Path(index_dir)
    recs = [Record.of(r) for r in records]
    wrong = {r.doc_id for r in recs} - {doc_id}
    if wrong:
        raise ValueError(f"records of other documents given to update_document({doc_id!r}): {sorted(wrong)}")
    started = time.perf_counter()
    with store.write_lock(index_dir, timeout):
        conn, meta, st = store.open_index(index_dir)
        conn.close()
        conn = store.connect(st.ix_dir, write=True)
        try:
            conn.execute("BEGIN IMMEDIATE")
            old = _stored_rows(conn, doc_id)
            old_words = [_word_row(r) for r in old]
            for w, c in zip(old_words, map(_char_row, old), strict=False):
                conn.execute("INSERT INTO words(words, rowid, title, body, keys) VALUES ('delete', ?, ?, ?, ?)", w)
                conn.execute("INSERT INTO chars(chars, rowid, hay) VALUES ('delete', ?, ?)", c)
            conn.execute("DELETE FROM clause_row WHERE d IN (SELECT id FROM document WHERE doc = ?)", (doc_id,))
            conn.execute("DELETE FROM document WHERE doc = ?", (doc_id,))
            start = (conn.execute("SELECT max(id) FROM clause_row").fetchone()[0] or 0) + 1
            rows = [_clause_row(i, r) for i, r in enumerate(recs, start)]
            new_words = [_word_row(r) for r in rows]
            _insert_clauses(conn, rows)
            conn.executemany("INSERT INTO words(rowid, title, body, keys) VALUES (?, ?, ?, ?)", new_words)
            conn.executemany("INSERT INTO chars(rowid, hay) VALUES (?, ?)", map(_char_row, rows))
            delta = _counts(new_words)
            delta.subtract(_counts(old_words))
            for term, d in delta.items():
                if d:
                    conn.execute("INSERT INTO terms VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + ?",
                                 (term, d, d))
            conn.execute("DELETE FROM terms WHERE df <= 0")
            _add_pinyin(conn)
            clauses = conn.execute("SELECT count(*) FROM clause").fetchone()[0]
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        docs, facts = dict(meta.get("docs", {})), dict(meta.get("facts", {}))
        docs.pop(doc_id, None)
        facts.pop(doc_id, None)
        docs.update(document_hashes(recs))
        facts.update(document_facts(recs))
        meta.update(docs=docs, facts=facts, clauses=clauses, updated=time.time(),
                    generation=meta.get("generation", 1) + 1)
        store.write_meta(st.ix_dir, meta)
    return {"doc": doc_id, "clauses": len(recs), "seconds": time.perf_counter() - started}


def index_status(index_dir: str | os.PathLike, records: Iterable | None = None,
                 hashes: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """("ok" | "missing" | "corrupt" | "stale", documents to update) without changing anything."""
    try:
        conn, meta, _ = store.open_index(Path(index_dir))
        conn.close()
    except store.IndexUnavailable as e:
        return e.reason, []
    if records is None:
        return "ok", []
    want = hashes if hashes is not None else document_hashes(Record.of(r) for r in records)
    have = meta.get("docs", {})
    changed = sorted(d for d in set(want) | set(have) if want.get(d) != have.get(d))
    return ("stale" if changed else "ok"), changed


# A full build instead of per-document updates when many documents changed (a bulk import). Measured
# (400 imported statutes, 35,000 clauses): a build indexes ~0.3 ms a clause; an update costs ~130 ms a
# document whatever its size (its pinyin check reads the whole vocabulary, the metadata is rewritten),
# i.e. about 400 clauses of a build. Below REBUILD_FROM documents an update is always kept (one upload).
REBUILD_FROM = 8
UPDATE_COST_CLAUSES = 400


def ensure_index(index_dir: str | os.PathLike, records: Iterable, *, procs: int = 1,
                 timeout: float = 60.0) -> str:
    """Make the index match ``records``: build it if missing, corrupt or built with another
    schema; reindex only the changed documents if stale. Logs what it did; returns a summary."""
    records = [Record.of(r) for r in records]
    hashes = document_hashes(records)  # once: the status check and a build's metadata both need them
    status, changed = index_status(index_dir, records, hashes)
    if status == "ok":
        return "ok"
    if status in ("missing", "corrupt") or (status == "stale" and not changed):
        log.warning("search index %s is %s: rebuilding", index_dir, status)
        stats = build_index(index_dir, records, procs=procs, timeout=timeout, hashes=hashes)
        log.warning("search index rebuilt: %d clauses in %.1f s", stats["clauses"], stats["seconds"])
        return f"rebuilt ({status})"
    if len(changed) >= REBUILD_FROM and len(changed) * UPDATE_COST_CLAUSES >= len(records):
        # many documents at once: their updates would cost more than building every clause afresh
        # (in a new folder, switched in whole: readers keep the old index meanwhile)
        stats = build_index(index_dir, records, procs=procs, timeout=timeout, hashes=hashes)
        log.warning("search index was stale in %d document(s): rebuilt, %d clauses in %.1f s",
                    len(changed), stats["clauses"], stats["seconds"])
        return f"rebuilt ({len(changed)} documents changed)"
    by_doc: dict[str, list[Record]] = {d: [] for d in changed}
    for r in records:
        if r.doc_id in by_doc:
            by_doc[r.doc_id].append(r)
    for doc_id, recs in by_doc.items():
        update_document(index_dir, doc_id, recs, timeout=timeout)
    log.warning("search index was stale: reindexed %d document(s): %s", len(changed), ", ".join(changed))
    return f"updated ({', '.join(changed)})"
