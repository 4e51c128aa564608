"""Clause search over a Whoosh index: build, update, keep fresh, search — on plain records.

Records (``Record`` or dicts with the same keys) come from whoever owns the content: the
policy library feeds them from the database, the tests and the benchmark build them directly.

Index directory layout (``index_dir``)::

    CURRENT                 name of the live index sub-directory (replaced atomically)
    ix-<stamp>/             a Whoosh index + ``portal_search.json`` (schema version, analyzer
                            signature, one content hash per document)
    .write.lock             held by the one process that writes

A full rebuild writes a new ``ix-*`` directory and then switches ``CURRENT``: searches keep
answering from the old index meanwhile. ``update_document`` rewrites one document's clauses in
the live index (a new Whoosh generation). Readers (``SearchEngine``) notice either change and
reopen or refresh their searcher, so several worker processes stay current without restart.

Performance (see bench/search_bench.py): the schema is lean — one posting per (clause, main
word); a document's title and 文号 are kept once in the metadata, not in every clause; parts of
compounds are found through the term dictionary at query time, not indexed. Segments are plain
files (a compound segment file would be read into every worker's memory). Ranking runs
term-at-a-time over cached per-term BM25F arrays (``_FastScorer``) instead of Whoosh's matcher
tree; quoted phrases are confirmed with the index positions on the best candidates only; snippets
are made for the returned page only. A query matching more than ``_FastScorer.BOUND_ABOVE``
clauses is bounded: the total comes from bitmaps, candidates from each term's impact-ordered
head, and only the best candidates are scored exactly (see ``_FastScorer._bounded``). A full
build writes its segments directly, one per process (``_write_segment``), not through Whoosh's
per-token writer.

Nothing here raises on a bad query: ``search`` always returns a dict.
"""
from __future__ import annotations

import contextlib
import errno
import heapq
from bisect import bisect_left
import fcntl
import gc
import hashlib
import html
import json
import logging
import os
import queue
import re
import shutil
import threading
import time
import warnings
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from whoosh import index as windex
from whoosh import query as Q
from whoosh import scoring
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from portal.search import tokenizer
from portal.search.departments import departments_in, normalise_dept
from portal.search.query import ParsedQuery, STOPWORDS, highlight_terms, parse, synonyms, wenhaos_in

log = logging.getLogger("portal.search")

SCHEMA_VERSION = 4
META_FILE = "portal_search.json"
CURRENT_FILE = "CURRENT"
LOCK_FILE = ".write.lock"
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_WINDOW = 1000          # deepest result reachable by paging
ESTIMATE_ABOVE = 5000     # clauses: above this, page 1 shows an estimated total
RERANK = 30                # candidates re-ranked by coordination
MAX_COMPOUNDS = 12         # indexed compounds a query word also looks for (督导 → 儿童督导员 …)
SNIPPET_CHARS = 120
# BM25F with milder length normalisation: a long paragraph that discusses a topic at length
# should not lose to a one-line mention of it.
WEIGHTING = scoring.BM25F(B=0.3, K1=1.2)
REFRESH_EVERY = 0.5        # seconds between checks for a new index generation


# ---------------------------------------------------------------- records


@dataclass
class Record:
    doc_id: str
    clause_id: str
    text: str
    doc_title: str = ""
    label: str = ""
    title: str | None = None
    url: str = ""
    validity: str = ""
    departments: list[str] | None = None   # None: derived from the text
    doc_number: str = ""                   # the document's 文号, if any

    @classmethod
    def of(cls, value) -> "Record":
        if isinstance(value, Record):
            return value
        names = {f.name for f in fields(cls)}
        value = dict(value)
        data = {k: v for k, v in value.items() if k in names}
        if "validity" not in data and value.get("status"):
            data["validity"] = value["status"]
        return cls(**data)

    def depts(self) -> list[str]:
        if self.departments is not None:
            return [d for d in (normalise_dept(x) for x in self.departments) if d]
        return departments_in(f"{self.title or ''}\n{self.text}")


def records_from_document(doc, url_for: Callable[[str, str], str] | None = None,
                          validity: str | None = None) -> list[Record]:
    """Records for a ``portal.content.policy_doc.ParsedDocument``.

    A section with finer anchors keeps only its own text (its heading); the anchors carry the
    paragraphs, so a hit lands on the finest clause and no text is indexed twice. An anchor's
    title is its section's title.
    """
    meta = doc.meta
    doc_id = meta.get("id", "")
    url_for = url_for or (lambda d, c: f"/policy/{d}#{c}")
    by_id = {c.id: c for c in doc.clauses}
    anchors: dict[str, list] = {}
    for c in doc.clauses:
        if c.kind == "anchor" and c.parent:
            anchors.setdefault(c.parent, []).append(c)
    out = []
    for c in doc.clauses:
        text = c.text
        for a in anchors.get(c.id, []):
            text = text.replace(a.text, "", 1)
        text = re.sub(r"\n{2,}", "\n", text).strip()
        title = c.title
        if c.kind == "anchor" and c.parent in by_id:
            title = by_id[c.parent].title
        if not text and not title:
            continue
        out.append(Record(
            doc_id=doc_id, clause_id=c.id, text=text, doc_title=meta.get("title", ""),
            label=c.label, title=title, url=url_for(doc_id, c.id),
            validity=validity or meta.get("status", ""), doc_number=meta.get("number", "")))
    return out


# ---------------------------------------------------------------- schema and fingerprints


def make_schema() -> Schema:
    """A lean schema: one posting per (clause, main word). Document-level facts (title, 文号)
    live once per document in the index metadata, not in every clause's postings; the parts of
    compounds are found through the term dictionary at query time (``SearchEngine._compounds``)."""
    ana = tokenizer.ChineseAnalyzer(subwords=False)
    return Schema(
        uid=STORED(),  # doc#clause (updates go by document: no per-clause term needed)
        doc=ID(stored=True),
        clause_id=ID(stored=True),
        label=STORED(),
        title=TEXT(analyzer=ana, stored=True, phrase=True, field_boost=1.5),
        body=TEXT(analyzer=ana, stored=True, phrase=True),
        doctitle=STORED(),
        wenhao=KEYWORD(),
        depts=KEYWORD(stored=True, commas=True),
        validity=ID(stored=True),
        url=STORED(),
    )


def document_facts(records: Iterable) -> dict[str, dict]:
    """doc_id → {"title", "numbers": 文号 keys}: kept once per document in the metadata."""
    out: dict[str, dict] = {}
    for r in records:
        r = Record.of(r)
        if r.doc_id not in out:
            out[r.doc_id] = {"title": r.doc_title or "",
                             "numbers": list(dict.fromkeys(wenhaos_in(r.doc_number or "")))}
    return out


def analyzer_signature() -> str:
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA_VERSION};seg={tokenizer.backend_name()};".encode())
    for path in (tokenizer.USERDICT,):
        h.update(path.read_bytes() if path.exists() else b"")
    from portal.search import departments
    h.update(repr(sorted(departments.DEPARTMENTS.items())).encode())
    return h.hexdigest()[:16]


def document_hashes(records: Iterable) -> dict[str, str]:
    """doc_id → hash of that document's records (order included)."""
    hashes: dict[str, hashlib._Hash] = {}
    for r in records:
        r = Record.of(r)
        h = hashes.setdefault(r.doc_id, hashlib.sha256())
        h.update(_record_json(r))
    return {d: h.hexdigest()[:20] for d, h in hashes.items()}


def _record_json(r: Record) -> bytes:
    """A record's canonical JSON (what document hashes are made of)."""
    return json.dumps(r.__dict__, ensure_ascii=False, sort_keys=True).encode()


def _fields(r: Record) -> dict:
    text = r.text or ""
    hay = f"{r.title or ''} {text}"
    return {
        "uid": f"{r.doc_id}#{r.clause_id}",
        "doc": r.doc_id,
        "clause_id": r.clause_id,
        "label": r.label or r.clause_id,
        "title": r.title or "",
        "body": text,
        "doctitle": r.doc_title or "",
        "wenhao": " ".join(dict.fromkeys(wenhaos_in(hay))) if "号" in hay else "",
        "depts": ",".join(r.depts()),
        "validity": r.validity or "",
        "url": r.url or "",
    }


# ---------------------------------------------------------------- directory handling


class IndexUnavailable(Exception):
    """No usable index: missing, corrupt or built with another schema/analyzer."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}{': ' + detail if detail else ''}")
        self.reason = reason


@contextlib.contextmanager
def _write_lock(index_dir: Path, timeout: float):
    """The one-writer lock (across processes), waiting up to ``timeout`` seconds."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(0.0, timeout)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise windex.LockError(f"search index {index_dir} is being written by another process") from e
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _current_dir(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    return index_dir / name


def _read_meta(ix_dir: Path) -> dict:
    return json.loads((ix_dir / META_FILE).read_text(encoding="utf-8"))


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def open_index(index_dir: str | os.PathLike):
    """(whoosh index, meta) of the live index; raises IndexUnavailable saying why not."""
    index_dir = Path(index_dir)
    ix_dir = _current_dir(index_dir)
    if ix_dir is None or not ix_dir.is_dir():
        raise IndexUnavailable("missing")
    try:
        meta = _read_meta(ix_dir)
    except (OSError, ValueError) as e:
        raise IndexUnavailable("corrupt", f"metadata unreadable ({e})") from e
    if meta.get("signature") != analyzer_signature():
        raise IndexUnavailable("stale", "built with another schema, segmenter or user dictionary")
    failure = None
    # Whoosh leaves a file open when it fails to read a damaged index: collect it quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = windex.open_dir(str(ix_dir))
            with ix.searcher() as s:  # touch every segment once
                if s.doc_count_all() != meta.get("clauses", s.doc_count_all()):
                    failure = "clause count differs from metadata"
        except Exception as e:  # any failure to open is a corrupt index
            failure = f"{type(e).__name__}: {e}"
        if failure is not None:
            gc.collect()
    if failure is not None:
        raise IndexUnavailable("corrupt", failure)
    return ix, meta


# ---------------------------------------------------------------- writing


def build_index(index_dir: str | os.PathLike, records: Iterable, *, procs: int = 1,
                timeout: float = 60.0, limitmb: int = 256) -> dict:
    """Full rebuild into a fresh directory, then switch CURRENT to it. Returns stats.

    ``procs`` > 1 writes one segment per process in forked workers (``_write_segments``). Raises
    ``whoosh.index.LockError`` if another process holds the write lock for ``timeout`` s.
    """
    index_dir = Path(index_dir)
    started = time.perf_counter()
    tokenizer.segmenter()  # load before forking writer processes
    with _write_lock(index_dir, timeout):
        name = f"ix-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{int(time.time() * 1e6) % 1_000_000:06d}"
        ix_dir = index_dir / name
        ix_dir.mkdir(parents=True)
        try:
            ix = windex.create_in(str(ix_dir), make_schema())
            # one segment per writer process, written directly (see _write_segment); plain
            # segment files: Whoosh reads a sub-file of a compound segment into memory
            # (BytesIO over the mmap), ~1 MB of RSS per 1,000 clauses in every worker
            parts = _write_segments(ix_dir, list(records), procs)
            from whoosh.index import TOC, clean_files
            generation = ix.latest_generation() + 1
            segments = [p["segment"] for p in parts if p["count"]]
            TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
            clean_files(ix.storage, ix.indexname, generation, segments)
            count = sum(p["count"] for p in parts)
            nbytes = sum(p["bytes"] for p in parts)
            facts: dict[str, dict] = {}
            hashes: dict[str, str] = {}
            for p in parts:
                for d, f in p["facts"].items():
                    facts.setdefault(d, f)
                hashes.update(p["hashes"])
            meta = {"schema": SCHEMA_VERSION, "signature": analyzer_signature(),
                    "segmenter": tokenizer.backend_name(), "built": time.time(), "clauses": count,
                    "docs": hashes, "facts": facts}
            _write_json(ix_dir / META_FILE, meta)
            tmp = index_dir / f".{CURRENT_FILE}.{os.getpid()}.tmp"
            tmp.write_text(name, encoding="utf-8")
            os.replace(tmp, index_dir / CURRENT_FILE)
        except BaseException:
            shutil.rmtree(ix_dir, ignore_errors=True)
            raise
        _remove_old(index_dir, keep=name)
    seconds = time.perf_counter() - started
    return {"dir": str(ix_dir), "clauses": count, "bytes": nbytes, "seconds": seconds,
            "mb_per_s": nbytes / 1e6 / seconds if seconds else 0.0, "procs": procs}


# ---------------------------------------------------------------- fast segment writing
#
# Whoosh's add_document spends most of its time per token and per posting in Python: Token
# objects through the analyzer chain, a sorting pool of posting tuples, and, when the segment
# is flushed, a length lookup per posting. The build writes each segment directly instead:
# the text fields are segmented once (the same main words and ordinal positions the analyzer
# yields — ``tokenizer.words``), postings are grouped per term in memory, and written in term
# order through the codec's field writer with the lengths already known. Worker processes
# (fork) each write one segment over a contiguous run of whole documents; the parent writes
# the first itself and then commits the segment list (the multisegment layout Whoosh's
# MpWriter produces). ``update_document`` still goes through Whoosh's writer and analyzer:
# both paths give the same postings.

_TEXT_FIELDS = ("body", "title")
_BUILD_CHUNKS: list | None = None   # set by build_index just before forking its workers


def _encode_positions(cache: dict, poslist: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode`` with a cache (most posting lists are one position)."""
    key = tuple(poslist)
    v = cache.get(key)
    if v is None:
        from pickle import dumps
        from whoosh.system import pack_uint
        deltas, base = [], 0
        for p in poslist:
            deltas.append(p - base)
            base = p
        v = cache[key] = pack_uint(len(deltas)) + dumps(deltas, 2)
    return v


def _write_segment(ix_dir: str, records: list) -> dict:
    """Write ``records`` as one new segment of the index in ``ix_dir`` (not yet in its TOC)."""
    from whoosh.util.numeric import byte_to_length, length_to_byte
    from whoosh.writing import SegmentWriter

    ix = windex.open_dir(ix_dir)
    w = SegmentWriter(ix, _lk=False, compound=False)
    schema = w.schema
    pdw = w.perdocwriter
    seg_words = tokenizer.segmenter().tokenize
    normalise, word_char = tokenizer.normalise, tokenizer.WORD_CHAR.search
    postings: dict[str, dict[bytes, list]] = {name: {} for name in schema.names()}
    lengths: dict[str, list[int]] = {name: [0] * len(records) for name in schema.names()}
    boosts = {name: getattr(schema[name].format, "field_boost", 1.0) for name in _TEXT_FIELDS}
    poscache: dict = {}
    quant: dict[int, int] = {}
    hashes: dict[str, hashlib._Hash] = {}
    facts: dict[str, dict] = {}
    nbytes = 0
    docnum = 0
    for value in records:
        r = Record.of(value)
        if r.doc_id not in facts:
            facts.update(document_facts([r]))
        hashes.setdefault(r.doc_id, hashlib.sha256()).update(_record_json(r))
        nbytes += len(r.text.encode("utf-8"))
        fields_ = _fields(r)
        pdw.start_doc(docnum)
        for name in sorted(fields_):
            value = fields_[name]
            field = schema[name]
            length = 0
            if field.indexed:
                terms = postings[name]
                if name in _TEXT_FIELDS:
                    poses: dict[str, list[int]] = {}
                    pos = 0
                    for word, _s, _e in seg_words(normalise(value)):
                        if word_char(word):
                            poses.setdefault(word.lower(), []).append(pos)
                            pos += 1
                    fb = boosts[name]
                    for word, pl in poses.items():
                        terms.setdefault(word.encode("utf-8"), []).append(
                            (docnum, len(pl) * fb, _encode_positions(poscache, pl)))
                    length = pos
                else:
                    for tb, freq, wt, vb in field.index(value):
                        if field.scorable:
                            length += freq
                        terms.setdefault(tb, []).append((docnum, wt, vb))
                if length:
                    q = quant.get(length)
                    if q is None:
                        q = quant[length] = byte_to_length(length_to_byte(length))
                    lengths[name][docnum] = q
            pdw.add_field(name, field, value if field.stored else None, length)
        pdw.finish_doc()
        docnum += 1
    w.docnum = docnum
    pdw.close()
    fw = w.fieldwriter
    for name in sorted(postings):
        terms = postings[name]
        if not terms:
            continue
        fw.start_field(name, schema[name])
        lens = lengths[name]
        for tb in sorted(terms):
            fw.start_term(tb)
            _add_postings(fw._postwriter, terms[tb], lens)
            fw.finish_term()
        fw.finish_field()
    fw.close()
    w._close_segment()
    w._added = True
    segment = w.get_segment()  # (the shared temp storage is removed by _write_segments)
    return {"segment": segment, "count": docnum, "bytes": nbytes, "facts": facts,
            "hashes": {d: h.hexdigest()[:20] for d, h in hashes.items()}}


def _add_postings(pw, items: list, lens: list[int]) -> None:
    """``W3PostingsWriter.add_posting`` for a whole posting list, a block at a time (the same
    block contents and statistics, without the per-posting call and type checks)."""
    limit = pw._blocklimit
    i, n = 0, len(items)
    while i < n:
        if len(pw._ids) >= limit:
            pw._write_block()
        part = items[i:i + limit - len(pw._ids)]
        i += len(part)
        ids = [d for d, _, _ in part]
        weights = [w for _, w, _ in part]
        pw._ids.extend(ids)
        pw._weights.extend(weights)
        top = max(weights)
        if top > pw._maxweight:
            pw._maxweight = top
        pw._values.extend(v for _, _, v in part if v)
        ls = [x for x in (lens[d] for d in ids) if x]
        if ls:
            lo, hi = min(ls), max(ls)
            if pw._minlength is None or lo < pw._minlength:
                pw._minlength = lo
            if hi > pw._maxlength:
                pw._maxlength = hi


def _segment_worker(ix_dir: str, i: int, results) -> None:
    try:
        results.put((i, _write_segment(ix_dir, _BUILD_CHUNKS[i]), None))
    except BaseException as e:  # report, never hang the parent
        results.put((i, None, f"{type(e).__name__}: {e}"))


def _chunks(records: list, n: int) -> list[list]:
    """``n`` contiguous runs of whole documents with about the same amount of text."""
    if n <= 1 or len(records) < 2:
        return [records]
    sizes = [len(Record.of(r).text) for r in records]
    target = sum(sizes) / n
    out, start, acc = [], 0, 0
    for i, r in enumerate(records):
        acc += sizes[i]
        if len(out) < n - 1 and acc >= target * (len(out) + 1) and i + 1 < len(records):
            if Record.of(records[i + 1]).doc_id != Record.of(r).doc_id:
                out.append(records[start:i + 1])
                start = i + 1
    out.append(records[start:])
    return [c for c in out if c]


def _write_segments(ix_dir: Path, records: list, procs: int) -> list[dict]:
    """One segment per chunk: chunk 0 in this process, the others in forked workers."""

    chunks = _chunks(records, max(1, procs))
    try:
        return _write_chunks(ix_dir, chunks)
    finally:
        with contextlib.suppress(Exception):
            windex.open_dir(str(ix_dir)).storage.temp_storage(f"{windex._DEF_INDEX_NAME}.tmp").destroy()


def _write_chunks(ix_dir: Path, chunks: list[list]) -> list[dict]:
    global _BUILD_CHUNKS
    import multiprocessing as mp

    if len(chunks) == 1:
        return [_write_segment(str(ix_dir), chunks[0])]
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    _BUILD_CHUNKS = chunks
    workers = []
    try:
        for i in range(1, len(chunks)):
            p = ctx.Process(target=_segment_worker, args=(str(ix_dir), i, results), daemon=True)
            p.start()
            workers.append(p)
        out: list = [None] * len(chunks)
        out[0] = _write_segment(str(ix_dir), chunks[0])
        pending = len(workers)
        while pending:
            try:
                i, res, err = results.get(timeout=1.0)
            except queue.Empty:  # a worker that died without reporting (killed, out of memory)
                if any(p.exitcode not in (None, 0) for p in workers):
                    raise RuntimeError("search index worker died") from None
                continue
            if err:
                raise RuntimeError(f"search index worker failed: {err}")
            out[i] = res
            pending -= 1
        for p in workers:
            p.join()
        return out
    finally:
        _BUILD_CHUNKS = None
        for p in workers:
            if p.is_alive():
                p.terminate()
                p.join()


def _remove_old(index_dir: Path, keep: str) -> None:
    """Old index directories: readers that still have them open keep their open files."""
    for p in index_dir.iterdir():
        if p.is_dir() and p.name.startswith("ix-") and p.name != keep:
            shutil.rmtree(p, ignore_errors=True)


def update_document(index_dir: str | os.PathLike, doc_id: str, records: Iterable, *,
                    timeout: float = 60.0) -> dict:
    """Reindex one document: delete its clauses, add ``records`` (all of that document;
    an empty list removes the document). Builds the whole index if there is none."""
    index_dir = Path(index_dir)
    recs = [Record.of(r) for r in records]
    wrong = {r.doc_id for r in recs} - {doc_id}
    if wrong:
        raise ValueError(f"records of other documents given to update_document({doc_id!r}): {sorted(wrong)}")
    started = time.perf_counter()
    with _write_lock(index_dir, timeout):
        ix, meta = open_index(index_dir)
        ix_dir = _current_dir(index_dir)
        writer = ix.writer(timeout=timeout, compound=False)
        try:
            writer.delete_by_term("doc", doc_id)
            for r in recs:
                writer.add_document(**_fields(r))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        docs = dict(meta.get("docs", {}))
        facts = dict(meta.get("facts", {}))
        if recs:
            docs.update(document_hashes(recs))
            facts.update(document_facts(recs))
        else:
            docs.pop(doc_id, None)
            facts.pop(doc_id, None)
        with ix.searcher() as s:
            meta.update(docs=docs, facts=facts, clauses=s.doc_count_all(), updated=time.time())
        _write_json(ix_dir / META_FILE, meta)
    return {"doc": doc_id, "clauses": len(recs), "seconds": time.perf_counter() - started}


def index_status(index_dir: str | os.PathLike, records: Iterable | None = None) -> tuple[str, list[str]]:
    """("ok" | "missing" | "corrupt" | "stale", documents to update) without changing anything."""
    try:
        _, meta = open_index(index_dir)
    except IndexUnavailable as e:
        return e.reason, []
    if records is None:
        return "ok", []
    want = document_hashes(records)
    have = meta.get("docs", {})
    changed = sorted(d for d in set(want) | set(have) if want.get(d) != have.get(d))
    return ("stale" if changed else "ok"), changed


def ensure_index(index_dir: str | os.PathLike, records: Iterable, *, procs: int = 1,
                 timeout: float = 60.0) -> str:
    """Make the index match ``records``: build it if missing, corrupt or built with another
    schema; reindex only the changed documents if stale. Logs what it did; returns a summary."""
    records = [Record.of(r) for r in records]
    status, changed = index_status(index_dir, records)
    if status == "ok":
        return "ok"
    if status in ("missing", "corrupt") or (status == "stale" and not changed):
        log.warning("search index %s is %s: rebuilding", index_dir, status)
        stats = build_index(index_dir, records, procs=procs, timeout=timeout)
        log.warning("search index rebuilt: %d clauses in %.1f s", stats["clauses"], stats["seconds"])
        return f"rebuilt ({status})"
    by_doc: dict[str, list[Record]] = {d: [] for d in changed}
    for r in records:
        if r.doc_id in by_doc:
            by_doc[r.doc_id].append(r)
    for doc_id, recs in by_doc.items():
        update_document(index_dir, doc_id, recs, timeout=timeout)
    log.warning("search index was stale: reindexed %d document(s): %s", len(changed), ", ".join(changed))
    return f"updated ({', '.join(changed)})"


# ---------------------------------------------------------------- reading


def _clamp_int(value, default: int, lo: int, hi: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(lo, min(hi, n))


class _Unsupported(Exception):
    """A query shape the fast scorer does not evaluate: Whoosh's collector answers instead."""


class _FastScorer:
    """Ranks a plan's query term-at-a-time over cached per-term score arrays.

    Whoosh scores every matching clause in Python through a tree of matchers (~20–30 µs a
    match); a common word at 50,000 clauses matches tens of thousands. Here each term's postings
    are read and BM25F-scored once per index generation (with Whoosh's own scorer, so scores are
    the same) and kept as compact arrays (an LRU bounded by postings); a query then only adds
    arrays into a dict and takes the top N. Quoted phrases are checked on the stored text of the
    best candidates only, until enough are confirmed (the total is then an estimate).
    """

    MAX_POSTINGS = 2_000_000   # cached (clause, score) pairs across all terms

    def __init__(self):
        self._reader = None
        self._terms: OrderedDict = OrderedDict()
        self._size = 0
        self._lengths: dict[str, array] = {}
        self._filters: OrderedDict = OrderedDict()
        self._impacts: OrderedDict = OrderedDict()
        self._bitmaps: OrderedDict = OrderedDict()
        self._deleted: frozenset = frozenset()

    def _reset(self, reader) -> None:
        self._reader = reader
        self._terms.clear()
        self._size = 0
        self._lengths.clear()
        self._filters.clear()
        self._impacts.clear()
        self._bitmaps.clear()
        self._deleted = frozenset(d for d in range(reader.doc_count_all()) if reader.is_deleted(d)) \
            if reader.has_deletions() else frozenset()

    def _length(self, reader, fieldname: str) -> array:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            dfl = reader.doc_field_length
            lengths = self._lengths[fieldname] = array("I", (dfl(d, fieldname) or 0 for d in range(reader.doc_count_all())))
        return lengths

    def term(self, searcher, fieldname: str, text: str) -> tuple[array, array]:
        key = (fieldname, text)
        hit = self._terms.get(key)
        if hit is not None:
            self._terms.move_to_end(key)
            return hit
        reader = searcher.reader()
        ids, scores = array("i"), array("f")
        if (fieldname, text) in reader:
            sc = WEIGHTING.scorer(searcher, fieldname, text)
            m = reader.postings(fieldname, text)
            if isinstance(sc, scoring.WeightLengthScorer):
                lengths, score = self._length(reader, fieldname), sc._score
                while m.is_active():
                    d = m.id()
                    ids.append(d)
                    scores.append(score(m.weight(), lengths[d]))
                    m.next()
            else:
                while m.is_active():
                    ids.append(m.id())
                    scores.append(sc.score(m))
                    m.next()
        self._terms[key] = (ids, scores)
        self._size += len(ids)
        while self._size > self.MAX_POSTINGS and len(self._terms) > 1:
            _, (old, _) = self._terms.popitem(last=False)
            self._size -= len(old)
        return ids, scores

    def _allowed(self, searcher, flt) -> frozenset | None:
        if flt is None:
            return None
        key = repr(flt)
        got = self._filters.get(key)
        if got is None:
            got = self._filters[key] = frozenset(searcher.docs_for_query(flt))
            while len(self._filters) > 64:
                self._filters.popitem(last=False)
        return got

    # -- evaluation: each returns {docnum: score}

    def _eval(self, searcher, q, phrases: list) -> dict:
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, Q.Term):
            ids, scores = self.term(searcher, q.fieldname, q.text)
            if boost == 1.0:
                return dict(zip(ids, scores))
            return {d: s * boost for d, s in zip(ids, scores)}
        if isinstance(q, Q.Phrase):
            words = list(q.words)
            parts = [self._eval(searcher, Q.Term(q.fieldname, w), phrases) for w in words]
            parts.sort(key=len)
            acc = {}
            first, rest = parts[0], parts[1:]
            for d, sc in first.items():
                total = sc
                for p in rest:
                    v = p.get(d)
                    if v is None:
                        break
                    total += v
                else:
                    acc[d] = total * boost
            phrases.append(q)
            return acc
        if isinstance(q, Q.AndMaybe):
            req = self._eval(searcher, q.a, phrases)
            opt = self._eval(searcher, q.b, phrases)
            get = opt.get
            return {d: (s + get(d, 0.0)) * boost for d, s in req.items()}
        if isinstance(q, Q.And):
            parts = sorted((self._eval(searcher, sub, phrases) for sub in q.subqueries), key=len)
            acc = {}
            for d, sc in parts[0].items():
                total = sc
                for p in parts[1:]:
                    v = p.get(d)
                    if v is None:
                        break
                    total += v
                else:
                    acc[d] = total * boost
            return acc
        if isinstance(q, Q.Or) and not q.minmatch and not q.scale:
            acc: dict = {}
            for sub in q.subqueries:
                part = self._eval(searcher, sub, phrases)
                if not acc:
                    acc = dict(part)
                    continue
                get = acc.get
                for d, sc in part.items():
                    acc[d] = get(d, 0.0) + sc
            if boost != 1.0:
                acc = {d: sc * boost for d, sc in acc.items()}
            return acc
        raise _Unsupported(type(q).__name__)

    def run(self, searcher, plan: "_Plan", flt, depth: int) -> tuple[int, list[tuple[int, float]]]:
        """(total, [(docnum, score)] best first, at most ``depth``)."""
        reader = searcher.reader()
        if reader is not self._reader:
            self._reset(reader)
        allowed = self._allowed(searcher, flt)
        deleted = self._deleted
        memo: dict = {}
        matched = self._docs(searcher, plan.query, memo)
        if allowed is not None:
            matched &= self._bitmap(("filter", repr(flt)), allowed)
        if deleted:
            matched &= ~self._bitmap(("deleted",), deleted)
        total = matched.bit_count()
        if total > self.BOUND_ABOVE:
            got = self._bounded(searcher, plan.query, matched, total, depth, memo)
            if got is not None:
                return got
        phrases: list[tuple[str, str]] = []
        acc = self._eval(searcher, plan.query, phrases)
        if allowed is not None or deleted:
            acc = {d: s for d, s in acc.items() if (allowed is None or d in allowed) and d not in deleted}
        if not phrases:
            return len(acc), _top(acc, depth)
        # Quoted phrases: the words are all there; confirm word order with the positions in
        # the index, for the best candidates only, batch by batch, until enough are confirmed.
        groups: dict[tuple, list] = {}
        for q in phrases:  # one group per phrase: it may match in the body or the title
            groups.setdefault(tuple(q.words), []).append(q)
        ranked = sorted(acc.items(), key=_rank_key)
        confirmed, checked, batch = [], 0, depth + 10
        while checked < len(ranked) and len(confirmed) < depth:
            part = ranked[checked:checked + batch]
            checked += len(part)
            ok = self._in_order(searcher, groups.values(), sorted(d for d, _ in part))
            confirmed.extend((d, sc) for d, sc in part if d in ok)
            batch *= 2
        if checked >= len(ranked):  # every candidate checked: exact
            return len(confirmed), confirmed[:depth]
        # an estimate: the share confirmed so far, applied to all candidates
        return max(len(confirmed), round(len(ranked) * len(confirmed) / checked)), confirmed[:depth]

    # -- bounded evaluation for queries that match many clauses
    #
    # A common word at 50,000 clauses has tens of thousands of postings; adding them all up in
    # Python costs ~0.5 µs a posting. When a query matches more than BOUND_ABOVE clauses, the
    # matching set (for the total) is computed with C-level set operations, candidates come from
    # each term's IMPACT_K highest-scoring postings only (impact order, cached per term), and the
    # best CANDIDATES of them are scored exactly (binary search in every term's full postings)
    # before ranking; phrases are confirmed on those. A clause that is in no term's top
    # IMPACT_K postings can be missed — the price of bounded work — and when too few candidates
    # survive (a filter, a rare phrase) the exact evaluation above answers instead.

    BOUND_ABOVE = 4000
    IMPACT_K = 1500
    CANDIDATES = 300

    def _bitmap(self, key, ids) -> int:
        """A set of clauses as an int whose bit ``d`` is set for clause ``d`` (cached by key)."""
        got = self._bitmaps.get(key)
        if got is None:
            ba = bytearray((self._reader.doc_count_all() >> 3) + 1)
            for d in ids:
                ba[d >> 3] |= 1 << (d & 7)
            got = self._bitmaps[key] = int.from_bytes(ba, "little")
            while len(self._bitmaps) > 2048:
                self._bitmaps.popitem(last=False)
        else:
            self._bitmaps.move_to_end(key)
        return got

    def _docs(self, searcher, q, memo: dict) -> int:
        """The clauses matching ``q`` (phrases: all their words), as a bitmap."""
        got = memo.get(id(q))
        if got is not None:
            return got
        if isinstance(q, Q.Term):
            key = (q.fieldname, q.text)
            got = self._bitmaps.get(key)
            if got is None:
                got = self._bitmap(key, self.term(searcher, q.fieldname, q.text)[0])
        elif isinstance(q, Q.Phrase):
            got = -1
            for w in q.words:
                got &= self._docs(searcher, Q.Term(q.fieldname, w), memo)
        elif isinstance(q, Q.AndMaybe):
            got = self._docs(searcher, q.a, memo)
        elif isinstance(q, Q.And):
            got = -1
            for sub in q.subqueries:
                got &= self._docs(searcher, sub, memo)
        elif isinstance(q, Q.Or) and not q.minmatch and not q.scale:
            got = 0
            for sub in q.subqueries:
                got |= self._docs(searcher, sub, memo)
        else:
            raise _Unsupported(type(q).__name__)
        memo[id(q)] = got
        return got

    def _member(self, bits: int):
        """A fast membership test for a bitmap: ``test(d)`` is truthy when bit d is set."""
        b = bits.to_bytes((self._reader.doc_count_all() >> 3) + 1, "little")
        return lambda d: b[d >> 3] >> (d & 7) & 1

    def _impact(self, searcher, fieldname: str, text: str) -> tuple:
        """A term's IMPACT_K best postings (ids, scores), best first."""
        key = (fieldname, text)
        hit = self._impacts.get(key)
        if hit is None:
            ids, scores = self.term(searcher, fieldname, text)
            if len(ids) <= self.IMPACT_K:
                hit = (ids, scores)
            else:
                order = sorted(range(len(ids)), key=scores.__getitem__, reverse=True)[:self.IMPACT_K]
                hit = (array("i", (ids[i] for i in order)), array("f", (scores[i] for i in order)))
            self._impacts[key] = hit
            while len(self._impacts) > 512:
                self._impacts.popitem(last=False)
        return hit

    def _approx(self, searcher, q, phrases: list, memo: dict) -> dict:
        """Like ``_eval`` over each term's impact-ordered head only (candidates, not scores)."""
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, Q.Term):
            ids, scores = self._impact(searcher, q.fieldname, q.text)
            return {d: sc * boost for d, sc in zip(ids, scores)}
        if isinstance(q, Q.Phrase):
            phrases.append(q)
            subs = [Q.Term(q.fieldname, w) for w in q.words]
        elif isinstance(q, (Q.And, Q.AndMaybe, Q.Or)):
            subs = [q.a, q.b] if isinstance(q, Q.AndMaybe) else list(q.subqueries)
        else:
            raise _Unsupported(type(q).__name__)
        if isinstance(q, (Q.Phrase, Q.And)) and len(subs) > 1:
            # every part must match: candidates from the rarest part's head are enough
            for sub in subs:
                if isinstance(sub, Q.Phrase):  # (collect nested phrases for confirmation)
                    phrases.append(sub)
            subs = [min(subs, key=lambda sub: self._docs(searcher, sub, memo).bit_count())]
        if isinstance(q, Q.Or):
            # the weaker expansions (compounds, parts of a compound) that are common (low IDF,
            # long postings) only add candidates when the word itself has few postings; rare
            # ones (high IDF, cheap) always do; all are scored exactly either way
            core = [sub for sub in subs if not getattr(sub, "expansion", False)
                    or len(self.term(searcher, sub.fieldname, sub.text)[0]) <= self.CANDIDATES]
            if len(core) < len(subs) and sum(
                    len(self.term(searcher, sub.fieldname, sub.text)[0])
                    for sub in core if isinstance(sub, Q.Term)) >= self.IMPACT_K:
                subs = core
        acc: dict = {}
        for sub in subs:
            part = self._approx(searcher, sub, phrases, memo)
            get = acc.get
            for d, sc in part.items():
                acc[d] = get(d, 0.0) + sc
        if not isinstance(q, Q.Or):  # every clause here must match the required part
            must = self._member(self._docs(searcher, q, memo))
            acc = {d: sc for d, sc in acc.items() if must(d)}
        if boost != 1.0:
            acc = {d: sc * boost for d, sc in acc.items()}
        return acc

    def _exact(self, searcher, q, docs: list[int]) -> dict:
        """Exact scores (as ``_eval`` gives them) of the ``docs`` that match ``q``."""
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, Q.Term):
            ids, scores = self.term(searcher, q.fieldname, q.text)
            out, n = {}, len(ids)
            for d in docs:
                i = bisect_left(ids, d)
                if i < n and ids[i] == d:
                    out[d] = scores[i] * boost
            return out
        if isinstance(q, (Q.Phrase, Q.And)):
            subs = [Q.Term(q.fieldname, w) for w in q.words] if isinstance(q, Q.Phrase) else q.subqueries
            parts = [self._exact(searcher, sub, docs) for sub in subs]
            out = {}
            for d in docs:
                vals = [p.get(d) for p in parts]
                if None not in vals:
                    out[d] = sum(vals) * boost
            return out
        if isinstance(q, Q.AndMaybe):
            req = self._exact(searcher, q.a, docs)
            opt = self._exact(searcher, q.b, list(req))
            return {d: (sc + opt.get(d, 0.0)) * boost for d, sc in req.items()}
        if isinstance(q, Q.Or):
            acc: dict = {}
            for sub in q.subqueries:
                for d, sc in self._exact(searcher, sub, docs).items():
                    acc[d] = acc.get(d, 0.0) + sc
            return {d: sc * boost for d, sc in acc.items()} if boost != 1.0 else acc
        raise _Unsupported(type(q).__name__)

    def _bounded(self, searcher, q, matched: int, total: int, depth: int, memo: dict):
        """(total, ranked) from impact-ordered candidates, or None when they are too few."""
        phrases: list = []
        approx = self._approx(searcher, q, phrases, memo)
        member = self._member(matched)
        cands = {d: sc for d, sc in approx.items() if member(d)}
        top = _top(cands, max(self.CANDIDATES, depth * 4))
        docs = sorted(d for d, _ in top)
        ranked = sorted(self._exact(searcher, q, docs).items(), key=_rank_key)
        if not phrases:
            if len(ranked) < depth:
                return None
            return total, ranked[:depth]
        groups: dict[tuple, list] = {}
        for p in phrases:
            groups.setdefault(tuple(p.words), []).append(p)
        confirmed, checked, batch = [], 0, depth + 10
        while checked < len(ranked) and len(confirmed) < depth:
            part = ranked[checked:checked + batch]
            checked += len(part)
            ok = self._in_order_text(searcher, groups.values(), [d for d, _ in part])
            confirmed.extend((d, sc) for d, sc in part if d in ok)
            batch *= 2
        if len(confirmed) < depth:
            return None
        # the total is an estimate: the share confirmed of an even sample of the matching
        # clauses (those holding the rarest phrase word), applied to all of them
        share = len(confirmed) / checked
        rare = min(((p.fieldname, w) for p in phrases for w in p.words),
                   key=lambda t: len(self.term(searcher, *t)[0]))
        ids = self.term(searcher, *rare)[0]
        sample = [d for d in ids[::max(1, len(ids) // 64)] if member(d)]
        if sample:
            share = len(self._in_order_text(searcher, groups.values(), sample)) / len(sample)
        return max(len(confirmed), round(total * share)), confirmed[:depth]

    @staticmethod
    def _in_order_text(searcher, groups, docnums: list[int]) -> set[int]:
        """``_in_order`` on the stored text: the words of a field, segmented as they were
        indexed (ordinal positions), hold each phrase's words in a row. Cheaper than Whoosh's
        positional matcher on common words (it decodes whole posting blocks per skip)."""
        groups = list(groups)
        ok: set[int] = set()
        for d in docnums:
            stored = searcher.stored_fields(d)
            seqs: dict[str, list[str]] = {}
            good = True
            for group in groups:
                found = False
                for q in group:
                    seq = seqs.get(q.fieldname)
                    if seq is None:
                        seq = seqs[q.fieldname] = [w for w, _, _ in tokenizer.words(stored.get(q.fieldname) or "")]
                    ws, n = list(q.words), len(q.words)
                    if any(seq[i:i + n] == ws for i in range(len(seq) - n + 1) if seq[i] == ws[0]):
                        found = True
                        break
                if not found:
                    good = False
                    break
            if good:
                ok.add(d)
        return ok

    @staticmethod
    def _in_order(searcher, groups, docnums: list[int]) -> set[int]:
        """The docnums (ascending) where every phrase group matches (Whoosh's positional matcher)."""
        ok: set[int] | None = None
        for group in groups:
            good: set[int] = set()
            for q in group:
                try:
                    m = q.matcher(searcher)
                except Exception:  # a field without positions: no phrase there
                    continue
                for d in docnums:
                    if not m.is_active():
                        break
                    if m.id() < d:
                        m.skip_to(d)
                        if not m.is_active():
                            break
                    if m.id() == d:
                        good.add(d)
            ok = good if ok is None else ok & good
        return ok or set()


def _top(acc: dict, depth: int) -> list[tuple[int, float]]:
    """The ``depth`` best (docnum, score), best first, ties by docnum."""
    if len(acc) <= depth:
        return sorted(acc.items(), key=_rank_key)
    cut = heapq.nlargest(depth, acc.values())[-1]
    return sorted(((d, sc) for d, sc in acc.items() if sc >= cut), key=_rank_key)[:depth]


def _rank_key(item):
    return (-item[1], item[0])


def _expansion(term: Q.Term) -> Q.Term:
    """Mark a term as a weak expansion of a query word (a compound holding it, or a part)."""
    term.expansion = True
    return term


class _Or(Q.Or):
    """Or as a tree of union matchers: Whoosh can then skip blocks that cannot reach the top N
    (its default, for segments under 5,000 clauses, pre-loads and scores every match)."""

    matcher_type = Q.Or.DEFAULT_MATCHER


@dataclass
class _Plan:
    query: Q.Query | None
    concepts: list[tuple[str, ...]] = field(default_factory=list)  # each: a word and its equivalents
    highlight: set[str] = field(default_factory=set)
    phrase_texts: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)


class SearchEngine:
    """Reads one index directory; one per process (``engine_for``). Thread-safe."""

    def __init__(self, index_dir: str | os.PathLike):
        self.index_dir = Path(index_dir)
        self._lock = threading.RLock()
        self._searcher = None
        self._ix_dir: Path | None = None
        self._checked = 0.0
        self._facts: dict[str, dict] = {}
        self._compound_map: tuple[object, dict[str, list[str]]] | None = None
        self._fast = _FastScorer()

    # -- lifecycle

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                with contextlib.suppress(Exception):
                    self._searcher.close()
            self._searcher, self._ix_dir = None, None

    def __del__(self):
        # the index's files are plain files (not a compound file): close them with the engine
        with contextlib.suppress(Exception):
            self.close()

    def invalidate(self) -> None:
        """Look for a new index generation on the next search (after this process wrote one)."""
        self._checked = 0.0

    def searcher(self):
        """The current searcher, reopened when CURRENT changes and refreshed when the index
        generation changes (checked at most every REFRESH_EVERY seconds)."""
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < REFRESH_EVERY:
            return self._searcher
        self._checked = now
        ix_dir = _current_dir(self.index_dir)
        # A new generation (update_document) reopens too: Whoosh's refresh() leaves some of the
        # replaced segment readers' files open (it keys reusable readers by generation).
        if self._searcher is None or ix_dir != self._ix_dir or not self._searcher.up_to_date():
            try:
                ix, meta = open_index(self.index_dir)
            except IndexUnavailable:
                if self._searcher is not None:
                    return self._searcher  # keep answering from what we have
                raise
            old = self._searcher
            self._searcher, self._ix_dir = ix.searcher(weighting=WEIGHTING), ix_dir
            self._facts, self._compound_map = meta.get("facts", {}), None
            if old is not None:
                with contextlib.suppress(Exception):
                    old.close()
        return self._searcher

    def _compounds(self, reader) -> dict[str, list[str]]:
        """Indexed word → indexed compounds containing it as a dictionary word (督导 → 儿童督导员),
        most frequent first; built once per index generation from the term dictionary."""
        if self._compound_map is not None and self._compound_map[0] is reader:
            return self._compound_map[1]
        tokenizer.segmenter()
        found: dict[str, list[tuple[int, str]]] = {}
        for term, info in reader.iter_field("body"):
            if isinstance(term, bytes):
                term = term.decode("utf-8")
            if len(term) < 3:
                continue
            parts = {sub for sub, _, _ in tokenizer._subwords(term)}
            for sub in parts:
                found.setdefault(sub, []).append((info.doc_frequency(), term))
        mapping = {sub: [t for _, t in sorted(v, reverse=True)[:MAX_COMPOUNDS]] for sub, v in found.items()}
        self._compound_map = (reader, mapping)
        return mapping

    def _docs_titled(self, words) -> list[str]:
        """Documents whose title contains any of the words."""
        words = [w for w in words if w and w not in STOPWORDS]
        if not words:
            return []
        return [d for d, f in self._facts.items() if any(w in (f.get("title") or "").lower() for w in words)]

    def _docs_numbered(self, key: str) -> list[str]:
        return [d for d, f in self._facts.items() if key in (f.get("numbers") or ())]

    # -- query building

    def _expand_char(self, reader, ch: str) -> tuple[str, ...]:
        """A single-character word (迁) → the most frequent indexed words starting with it."""
        try:
            cands = []
            for i, term in enumerate(reader.expand_prefix("body", ch)):
                if i >= 400:
                    break
                if isinstance(term, bytes):
                    term = term.decode("utf-8")
                if 1 < len(term) <= 4:
                    cands.append((reader.doc_frequency("body", term), term))
            cands.sort(reverse=True)
            return tuple(t for _, t in cands[:6])
        except Exception:
            return ()

    def _plan(self, pq: ParsedQuery, reader) -> _Plan:
        plan = _Plan(query=None, phrase_texts=list(pq.phrase_texts), citations=list(pq.citations))
        required: list[Q.Query] = []
        optional: list[Q.Query] = []
        for ws in pq.phrases:
            parts = []
            for fname in ("body", "title"):
                parts.append(Q.Term(fname, ws[0]) if len(ws) == 1 else Q.Phrase(fname, ws))
            required.append(_Or(parts))
            plan.highlight.update(ws)
        for w in pq.words:
            equivalents = list(dict.fromkeys((w,) + synonyms(w)))
            if len(w) == 1 and w not in STOPWORDS:
                equivalents += [t for t in self._expand_char(reader, w) if t not in equivalents]
            plan.concepts.append(tuple(equivalents))
            plan.highlight.update(equivalents)
            alts = []
            for i, term in enumerate(equivalents):
                boost = 1.0 if i == 0 else 0.6
                alts.append(Q.Term("body", term, boost=boost))
                alts.append(Q.Term("title", term, boost=boost))
            # the compounds that contain the word (the index holds main words only)
            for term in self._compounds(reader).get(w, ()):
                if term not in equivalents:
                    alts.append(_expansion(Q.Term("body", term, boost=0.8)))
            # a compound the index never saw whole: look for its parts (common parts such as
            # 儿童 are left out when the word itself is indexed — they would match everything)
            parts = tokenizer.subwords(w) if not reader.doc_frequency("body", w) else ()
            for sub, _, _ in parts:
                if sub not in equivalents and sub not in STOPWORDS:
                    alts.append(_expansion(Q.Term("body", sub, boost=0.5)))
                    plan.highlight.add(sub)
            optional.append(_Or(alts))
        for key in pq.wenhao:
            optional.append(Q.Term("wenhao", key, boost=8.0))
            for d in self._docs_numbered(key):
                optional.append(Q.Term("doc", d, boost=1.0))
        title_words = [w for t in pq.doc_titles for w, _, _ in tokenizer.words(t)]
        for t in pq.doc_titles:
            plan.highlight.update(w for w, _, _ in tokenizer.words(t))
        titled = self._docs_titled(title_words or list(pq.words)) if (pq.citations or title_words) else []
        for cid in pq.citations:
            optional.append(Q.Term("clause_id", cid, boost=20.0))
            if titled:
                optional.append(Q.And([Q.Term("clause_id", cid),
                                       _Or([Q.Term("doc", d) for d in titled])], boost=40.0))
        if title_words and not pq.citations and titled:
            optional.append(_Or([Q.Term("doc", d) for d in titled], boost=0.5))
        if required:
            req = Q.And(required)
            plan.query = Q.AndMaybe(req, _Or(optional)) if optional else req
        elif optional:
            plan.query = _Or(optional)
        return plan

    def _filter(self, doc, dept, validity) -> Q.Query | None:
        terms = []
        if doc not in (None, ""):
            terms.append(Q.Term("doc", str(doc).strip()))
        key = normalise_dept(dept)
        if key:
            terms.append(Q.Term("depts", key))
        if validity not in (None, ""):
            terms.append(Q.Term("validity", str(validity).strip()))
        return Q.And(terms) if terms else None

    # -- search

    def search(self, q, doc=None, dept=None, validity=None, page=1, limit=DEFAULT_LIMIT) -> dict:
        started = time.perf_counter()
        limit = _clamp_int(limit, DEFAULT_LIMIT, 1, MAX_LIMIT)
        page = _clamp_int(page, 1, 1, max(1, MAX_WINDOW // limit))
        out = {"query": "", "total": 0, "took_ms": 0.0, "page": page, "limit": limit,
               "results": [], "suggestion": None, "notice": None, "error": None}
        try:
            pq = parse(q)
            out["query"], out["notice"] = pq.text, pq.notice
            if pq.empty:
                if pq.text:
                    out["notice"] = "没有可查找的词语：请换个说法，或输入政策中的词语、文号、条款号"
                return out
            with self._lock:
                searcher = self.searcher()
                total, hits, plan = self._run(searcher, pq, doc, dept, validity, page, limit)
                out["total"] = total
                out["results"] = [self._result(h, plan) for h in hits]
                if total == 0:
                    out["suggestion"] = self._suggest(searcher, pq, doc, dept, validity)
        except IndexUnavailable as e:
            out["error"] = "搜索索引尚未建立或正在重建，请稍后再试" if e.reason != "stale" else "搜索索引正在更新，请稍后再试"
        except Exception:  # a search never takes the page down
            log.exception("search failed for %r", q)
            out["error"] = "搜索出错，请换个说法再试"
            out["results"], out["total"] = [], 0
        out["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return out

    def _run(self, searcher, pq: ParsedQuery, doc, dept, validity, page, limit):
        plan = self._plan(pq, searcher.reader())
        if plan.query is None:
            return 0, [], plan
        flt = self._filter(doc, dept, validity)
        window = page * limit
        depth = max(RERANK, window)
        try:
            total, scored = self._fast.run(searcher, plan, flt, depth)
        except _Unsupported:
            pass
        else:
            hits = self._rerank([(score, d, searcher.stored_fields(d)) for d, score in scored], plan)
            return total, [f for _, _, f in hits[window - limit:window]], plan
        results = searcher.search(plan.query, limit=depth, filter=flt)
        if results.scored_length() < depth:
            total = results.scored_length()  # every match was scored: exact
        elif results.has_exact_length():
            total = len(results)
        elif flt is None and page == 1 and searcher.doc_count() > ESTIMATE_ABOVE:
            # An exact count would walk every posting again (Whoosh skipped blocks while
            # ranking): on the first page an estimate is enough.
            total = max(results.estimated_length(), results.scored_length())
        else:  # (Whoosh's own exact count ignores the filter once it skipped blocks)
            allowed = set(searcher.docs_for_query(flt)) if flt is not None else None
            total = sum(1 for d in searcher.docs_for_query(plan.query) if allowed is None or d in allowed)
        hits = [(h.score, h.docnum, h.fields()) for h in results]
        hits = self._rerank(hits, plan)
        return total, [f for _, _, f in hits[window - limit:window]], plan

    @staticmethod
    def _rerank(hits, plan: _Plan):
        """Coordination: a clause matching more of the query's words ranks higher; a cited
        clause ranks first."""
        n = len(plan.concepts)
        cited = set(plan.citations)
        ranked = []
        for score, docnum, f in hits:
            if n > 1:
                hay = f"{f.get('title', '')}\n{f.get('body', '')}".lower()
                matched = sum(1 for eq in plan.concepts if any(t in hay for t in eq))
                score *= (matched / n) ** 2 if matched else 0.1 / n
            first = 0 if f.get("clause_id") in cited else 1
            ranked.append((first, -score, docnum, f))
        ranked.sort(key=lambda x: (x[0], x[1], x[2]))
        return [(-s, d, f) for _, s, d, f in ranked]

    def _result(self, f: dict, plan: _Plan) -> dict:
        return {
            "doc": f.get("doc", ""), "doc_title": f.get("doctitle", ""),
            "clause_id": f.get("clause_id", ""), "label": f.get("label", ""),
            "title": f.get("title", "") or "", "url": f.get("url", ""),
            "validity": f.get("validity", ""),
            "departments": [d for d in (f.get("depts") or "").split(",") if d],
            "snippet": snippet(f.get("body", ""), plan.highlight, plan.phrase_texts),
        }

    def _suggest(self, searcher, pq: ParsedQuery, doc, dept, validity) -> str | None:
        """For a query with no hits: a relaxed query that has hits, or near indexed words."""
        try:
            reader = searcher.reader()
            words = [w for ws in pq.phrases for w in ws] + list(pq.words)
            flt = self._filter(doc, dept, validity)
            for p in pq.phrase_texts:  # a mistyped phrase: the nearest indexed word
                p = tokenizer.normalise(p).lower().replace(" ", "")
                if len(p) >= 2 and not reader.doc_frequency("body", p):
                    best = _near_term(reader, p)
                    if best:
                        return best
            if pq.phrases or pq.citations or pq.wenhao:
                relaxed = parse(" ".join(words))
                if not relaxed.empty:
                    plan = self._plan(relaxed, reader)
                    if plan.query is not None and searcher.search(plan.query, limit=1, filter=flt).scored_length():
                        return relaxed.text
            near, changed = [], False
            for w in words:
                if reader.doc_frequency("body", w) or len(w) < 2:
                    near.append(w)
                    continue
                best = _near_term(reader, w)
                if best:
                    near.append(best)
                    changed = True
            if changed:
                return " ".join(near)
            if flt is not None:
                return pq.text  # the words exist, the filters exclude them: suggest without filters
        except Exception:
            log.exception("suggestion failed")
        return None


def _near_term(reader, word: str) -> str | None:
    """An indexed word one edit away (same first character), the most frequent one."""
    best = None
    try:
        for i, term in enumerate(reader.expand_prefix("body", word[0])):
            if i > 3000:
                break
            if isinstance(term, bytes):
                term = term.decode("utf-8")
            if abs(len(term) - len(word)) <= 1 and term != word and _edit1(term, word):
                df = reader.doc_frequency("body", term)
                if best is None or df > best[0]:
                    best = (df, term)
    except Exception:
        return None
    return best[1] if best else None


def _edit1(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


# ---------------------------------------------------------------- snippets


def snippet(text: str, terms: set[str], phrases: Iterable[str] = (), size: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped window of ``text`` with whole matched words in <mark>…</mark>.

    A word matches when it, or a dictionary word inside it, is a query term; the whole word
    is marked (儿童督导员, not 督导). Quoted phrases are marked where they occur.
    """
    text = text or ""
    if not text:
        return ""
    terms = {t.lower() for t in terms if t}
    # choose the window on plain substring hits (cheap), then segment only inside it
    wanted = terms | {_p for _p in (tokenizer.normalise(p.strip()).lower() for p in phrases) if _p}
    # full-width forms only matter for Latin letters and digits (translate is slow on long text)
    ascii_terms = any(c.isascii() for t in wanted for c in t)
    low = (tokenizer.normalise(text[:5000]) if ascii_terms else text[:5000]).lower()
    raw = sorted((i, i + len(t)) for t in wanted for i in _find_all(low, t))
    start, end = _window(text, raw, size)
    spans = _match_spans(text, terms, phrases, lo=start, hi=end, low=low)
    out, pos = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    body = "".join(out).replace("\n", " ")
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _match_spans(text: str, terms: set[str], phrases: Iterable[str], lo: int = 0,
                 hi: int | None = None, low: str | None = None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    probe = text[:5000]
    if low is None:
        low = tokenizer.normalise(probe).lower()
    hi = len(probe) if hi is None else hi
    # Segment only around places where a term occurs as a substring (cheap), then keep the
    # words that really are (or contain, as a dictionary word) a query term.
    hits = sorted(i for t in terms for i in _find_all(low, t) if lo - len(t) < i < hi)
    regions: list[list[int]] = []
    for i in hits:
        a, b = max(0, i - 12), min(len(probe), i + 24)
        if regions and a <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], b)
        else:
            regions.append([a, b])
    for a, b in regions:
        # start and end the piece at punctuation or the region edge; edge words are dropped
        main: tuple[int, int] | None = None
        for w, s, e, _pos, is_sub in tokenizer.tokens(probe[a:b]):
            if not is_sub:
                main = (a + s, a + e)
            if w in terms and main is not None:
                edge = (main[0] == a and a > 0) or (main[1] == b and b < len(probe))
                if not edge:
                    spans.append(main)
                else:  # cut at a region edge: mark the term itself
                    j = low.find(w, main[0], main[1] + len(w))
                    if j >= 0:
                        spans.append((j, j + len(w)))
    for p in phrases:
        p = tokenizer.normalise(p.strip()).lower()
        if not p:
            continue
        i = low.find(p)
        while i >= 0:
            spans.append((i, i + len(p)))
            i = low.find(p, i + len(p))
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _find_all(hay: str, needle: str, cap: int = 50):
    if not needle:
        return
    i = hay.find(needle)
    n = 0
    while i >= 0 and n < cap:
        yield i
        n += 1
        i = hay.find(needle, i + 1)


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    if len(text) <= size:
        return 0, len(text)
    if not spans:
        return 0, size
    # the window (starting at a match) holding the most matches
    best, best_n = spans[0][0], 0
    for s, _ in spans:
        n = sum(1 for a, b in spans if a >= s and b <= s + size)
        if n > best_n:
            best, best_n = s, n
    start = max(0, best - 20)
    # begin at a sentence start when one is near
    cut = max(text.rfind(ch, start, best) for ch in "。；;！？\n")
    if cut >= 0 and best - cut <= 40:
        start = cut + 1
    end = min(len(text), start + size)
    return start, end


# ---------------------------------------------------------------- process-wide access

_engines: dict[tuple[int, str], SearchEngine] = {}
_engines_lock = threading.Lock()


def engine_for(index_dir: str | os.PathLike) -> SearchEngine:
    """The process's engine for a directory (a new one after fork)."""
    key = (os.getpid(), str(Path(index_dir).resolve()))
    with _engines_lock:
        eng = _engines.get(key)
        if eng is None:
            eng = _engines[key] = SearchEngine(index_dir)
        return eng


def search(index_dir: str | os.PathLike, q, doc=None, dept=None, validity=None,
           page=1, limit=DEFAULT_LIMIT) -> dict:
    return engine_for(index_dir).search(q, doc=doc, dept=dept, validity=validity, page=page, limit=limit)
