"""Clause search: ``search(index_dir, q, …)`` → a ``SearchResponse``; never raises on bad input.

The engine reads an index folder (``store``) written by ``build``; the query language is in
``query``, planning in ``plan``, candidates and ranking in ``rank``, snippets in ``snippets``.
Records come from whoever owns the content: the policy library feeds them from the database
(``services``), the tests and the benchmark build them directly.

Readers: one ``SearchEngine`` per process and index folder (``engine_for``), one SQLite
connection per thread (no lock around a query). At most every ``REFRESH_EVERY`` seconds a search
compares the folder's ``CURRENT`` and file identities with what it opened (a few ``stat`` calls):
a new build is reopened, an update refreshes the metadata, a deleted folder or replaced file
answers ``unavailable="missing"``; SQLite's own checks turn an overwritten file into
``unavailable="corrupt"`` on the query that reads it. ``services`` answers those with the
rebuilding notice and rebuilds once.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from portal.errorlog import log_failure
from portal.search import query_plan as planning
from portal.search import store, tokenizer

# re-exported: what the CLI, services, tests and the benchmark use
from portal.search.lookups import Lookups as _Lookups
from portal.search.lookups import library_names
from portal.search.memo import Memo
from portal.search.query import ParsedQuery, parse
from portal.search.rank import Filters, Ranked, Ranker, Row
from portal.search.snippets import snippet
from portal.search.store import IndexUnavailable
from portal.search.suggest import suggest
from portal.search.understand import understand
from portal.web.pagination import page_number

log = logging.getLogger("portal.search")

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_WINDOW = 1000          # deepest result reachable by paging
REFRESH_EVERY = 0.5        # seconds between checks of the index folder
ORDERS_KEPT = 16           # queries whose whole order a reader keeps for their next pages (per generation)
# A library this large gets its most common words' costly lookups answered ahead (``_warm``): each
# word in at least WARM_SHARE of the clauses, the WARM_WORDS most common at most.
WARM_CLAUSES, WARM_SHARE, WARM_WORDS = 20_000, 0.01, 400
UNAVAILABLE = {"missing": "搜索索引尚未建立或正在重建，请稍后再试", "corrupt": "搜索索引损坏，正在重建，请稍后再试",
               "stale": "搜索索引正在更新，请稍后再试"}


@dataclass
class Hit:
    doc: str
    doc_title: str
    clause_id: str
    label: str
    title: str
    url: str
    validity: str
    departments: list[str]
    snippet: str
    copies: list[dict] = field(default_factory=list)   # other documents' clauses of the same text (``copies``)

    API_FIELDS = ("doc", "doc_title", "clause_id", "label", "url", "snippet", "copies")

    def api(self) -> dict:
        return {k: getattr(self, k) for k in self.API_FIELDS}


@dataclass
class SearchResponse:
    query: str = ""
    total: int = 0
    estimated: bool = False               # the total is an estimate (very common words)
    took_ms: float = 0.0
    page: int = 1
    limit: int = DEFAULT_LIMIT
    results: list[Hit] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # query words found nowhere (未找到)
    suggestion: str | None = None
    notice: str | None = None
    error: str | None = None
    unavailable: str | None = None        # missing | corrupt | stale: the index needs a rebuild
    building: bool = False                # set by services while a rebuild runs
    searched_as: str | None = None        # what was searched instead of the query as typed (简体, 拼音, 纠错)
    changes: list[str] = field(default_factory=list)   # … what was done to it
    within: str | None = None             # the law the query named, whose clauses alone were searched
    within_title: str = ""
    merged: bool = False                  # hits of the same text in several documents shown once (相同条文已合并)


def _clamp_int(value, default: int, lo: int, hi: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(lo, min(hi, n))


class _Generation:
    """What one opened index holds in memory: its metadata and term counts."""

    def __init__(self, meta: dict, st: store.Stamp):
        self.meta, self.stamp = meta, st
        self.facts: dict[str, dict] = meta.get("facts", {})
        self.vocab = planning.Vocabulary(meta.get("clauses", 0))
        self.avg_chars = float(meta.get("avg_chars", 100.0))
        self._orders: OrderedDict[tuple, Ranked] = OrderedDict()   # query + filters → its whole order
        self._orders_lock = threading.Lock()
        self._law_names: dict[str, tuple[str, str]] | None = None
        self.memo = Memo()   # costly lookups' answers on this generation (``memo``)
        self.warming: threading.Thread | None = None

    def law_names(self) -> dict[str, tuple[str, str]]:
        """Each law's names (title, title without 中华人民共和国, short title, abbreviations) → (doc, title)."""
        if self._law_names is None:
            self._law_names = library_names(self.facts)
        return self._law_names

    def order(self, key: tuple) -> Ranked | None:
        """A query's order ranked for an earlier page of this generation (paging ranks it once)."""
        with self._orders_lock:
            ranked = self._orders.get(key)
            if ranked is not None:
                self._orders.move_to_end(key)
            return ranked

    def keep(self, key: tuple, ranked: Ranked) -> None:
        for r in ranked.rows:  # the text was for ranking; the page reads what it shows
            r.hay = r.own = ""
            for c in r.copies:
                c.hay = c.own = ""
        with self._orders_lock:
            self._orders[key] = ranked
            while len(self._orders) > ORDERS_KEPT:
                self._orders.popitem(last=False)


class SearchEngine:
    """Reads one index folder; thread-safe (a connection per thread)."""

    def __init__(self, index_dir: str | os.PathLike):
        self.index_dir = Path(index_dir)
        self._gen: _Generation | None = None
        self._checked = 0.0
        self._local = threading.local()
        self._open_lock = threading.Lock()

    def wait_warm(self, timeout: float | None = None) -> bool:
        """Wait for the current generation's warm-up (``_warm``); whether none is running."""
        gen = self._gen
        thread = gen.warming if gen is not None else None
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _start_warm(self, gen: _Generation) -> None:
        if gen.meta.get("clauses", 0) >= WARM_CLAUSES:
            gen.warming = threading.Thread(target=self._warm, args=(gen,), name="search-words-warm", daemon=True)
            gen.warming.start()

    def _warm(self, gen: _Generation) -> None:
        """Ask each of the library's most common words once, in the background, keeping nothing but
        the lookups' answers (``gen.memo``): a common word's best matches cost the word index a BM25
        pass over thousands of clauses (tens of milliseconds at 80,000 articles); asked ahead, the
        first person to type it does not pay it. Works for any word common in this library (read
        from its term counts), and stops when the generation is replaced."""
        conn = None
        try:
            conn = store.connect(gen.stamp.ix_dir)
            least = max(2, int(WARM_SHARE * gen.vocab.clauses))
            words = [t for (t,) in conn.execute("SELECT term FROM terms WHERE df >= ? ORDER BY df DESC LIMIT ?",
                                                (least, WARM_WORDS))]
            for word in words:
                if self._gen is not gen:
                    return
                pq = parse(word)
                if not pq.empty:
                    plan = self._plan(gen, conn, pq)
                    if not plan.empty:
                        Ranker(conn, plan, Filters(), gen.avg_chars, gen.memo).run(DEFAULT_LIMIT)
        except Exception as e:  # best effort: a word not warmed is looked up when asked
            log.info("search warm-up of common words stopped: %s", e)
        finally:
            if conn is not None:
                conn.close()

    def close(self) -> None:
        self._gen = None
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn[1].close()
            self._local.conn = None

    def forget_orders(self, lookups: bool = False) -> None:
        """Drop the orders kept for paging (ranked before a change of the ranking rules), and with
        ``lookups`` the lookups' answers too (``memo``: the benchmark's first asking of a word)."""
        gen = self._gen
        if gen is not None:
            with gen._orders_lock:
                gen._orders.clear()
            if lookups:
                gen.memo.clear()

    def invalidate(self) -> None:
        """Look at the folder again on the next search (after this process wrote to it)."""
        self._checked = 0.0

    def _generation(self) -> _Generation:
        now = time.monotonic()
        gen = self._gen
        if gen is not None and now - self._checked < REFRESH_EVERY:
            return gen
        st = store.stamp(self.index_dir)            # raises IndexUnavailable("missing")
        with self._open_lock:
            gen = self._gen
            if gen is None or st.ix_dir != gen.stamp.ix_dir or st.files[:2] != gen.stamp.files[:2]:
                conn, meta, st = store.open_index(self.index_dir)
                conn.close()
                gen = self._gen = _Generation(meta, st)
                self._start_warm(gen)
            elif st.files != gen.stamp.files:        # an update: new metadata, same files
                try:
                    gen = self._gen = _Generation(store.read_meta(st.ix_dir), st)
                except (OSError, ValueError) as e:
                    raise IndexUnavailable("corrupt", f"metadata unreadable ({e})") from e
                self._start_warm(gen)
            self._checked = now
        return gen

    def _connection(self, gen: _Generation) -> sqlite3.Connection:
        held = getattr(self._local, "conn", None)
        key = (gen.stamp.ix_dir, gen.stamp.files[:2])
        if held is not None and held[0] == key:
            return held[1]
        if held is not None:
            held[1].close()
        conn = store.connect(gen.stamp.ix_dir)
        self._local.conn = (key, conn)
        return conn

    def _broken(self) -> None:
        self._gen, self._checked = None, 0.0
        held = getattr(self._local, "conn", None)
        if held is not None:
            held[1].close()
            self._local.conn = None

    # -- searching

    def search(self, q, doc=None, dept=None, validity=None, page=1, limit=DEFAULT_LIMIT,
               literal: bool = False) -> SearchResponse:
        """``literal``: search the query exactly as typed (no 简体/拼音/纠错, no law's name read)."""
        started = time.perf_counter()
        limit = _clamp_int(limit, DEFAULT_LIMIT, 1, MAX_LIMIT)
        page = page_number(page, MAX_WINDOW // limit)
        out = SearchResponse(page=page, limit=limit)
        try:
            pq = parse(q)
            out.query, out.notice = pq.text, pq.notice
            if pq.empty:
                if pq.text:
                    out.notice = "没有可查找的词语：请换个说法，或输入政策中的词语、文号、条款号"
                return out
            gen = self._generation()
            conn = self._connection(gen)
            flt = Filters(doc, dept, validity)
            if literal:
                self._run(gen, conn, pq, flt, out)
            else:
                self._understood(gen, conn, pq, flt, out)
        except IndexUnavailable as e:
            out.unavailable, out.error = e.reason, UNAVAILABLE.get(e.reason, UNAVAILABLE["missing"])
        except sqlite3.DatabaseError as e:  # an index file overwritten or cut short under us
            log.warning("search index %s unreadable (%s): it will be rebuilt", self.index_dir, e)
            self._broken()
            out.unavailable, out.error = "corrupt", UNAVAILABLE["corrupt"]
            out.results, out.total = [], 0
        except Exception:  # a search never takes the page down
            log_failure(log, f"search failed (a query of {len(str(q or ''))} characters)", sys.exc_info()[1])
            out.error = "搜索出错，请换个说法再试"
            out.results, out.total = [], 0
        out.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return out

    def _understood(self, gen: _Generation, conn: sqlite3.Connection, pq: ParsedQuery, flt: Filters,
                    out: SearchResponse) -> None:
        """Search what the query means (``understand``): its simplified, pinyin-spelled or corrected
        form, within the law it names when it names one (all laws when that finds nothing)."""
        u = understand(pq.text, _Lookups(conn, gen))
        if u.changed:
            out.searched_as, out.changes = u.text, list(u.changes)
            pq = parse(u.text)
            if pq.empty:
                return
        if u.doc and not flt.doc and not pq.citations:
            within = parse(u.rest)
            if not within.empty:
                self._run(gen, conn, within, Filters(u.doc, flt.dept, flt.validity), out)
                if out.total:
                    out.within, out.within_title = u.doc, u.doc_title
                    return
                out.total, out.results, out.missing, out.suggestion, out.merged = 0, [], [], None, False
        self._run(gen, conn, pq, flt, out)

    def _plan(self, gen: _Generation, conn: sqlite3.Connection, pq: ParsedQuery) -> planning.QueryPlan:
        return planning.make_query_plan(pq, conn, gen.vocab, gen.facts, pq.rest)

    def _run(self, gen: _Generation, conn: sqlite3.Connection, pq: ParsedQuery, flt: Filters,
             out: SearchResponse) -> None:
        plan = self._plan(gen, conn, pq)
        out.missing = plan.missing
        window = out.page * out.limit
        if not plan.empty:
            ranker = Ranker(conn, plan, flt, gen.avg_chars, gen.memo)
            key = (pq.text, flt.doc, flt.dept, flt.validity, tokenizer.generation())
            ranked = gen.order(key)
            if ranked is None:
                ranked = ranker.run(window)
                if ranked.whole:
                    gen.keep(key, ranked)
            out.total, out.estimated = ranked.total, ranked.estimated
            out.missing = [w for w in plan.missing if not ranker.holds(w)]  # 童: in no word, yet in clauses
            out.results = [self._hit(r, plan) for r in ranker.show(ranked.rows[window - out.limit:window])]
            out.merged = any(r.copies for r in ranked.rows)
        if out.total == 0:
            out.suggestion = suggest(conn, pq, lambda q2, filtered: self._has_hits(gen, conn, q2, flt, filtered),
                                     lambda w: gen.vocab.df(conn, w))

    def _has_hits(self, gen, conn, pq: ParsedQuery, flt: Filters, filtered: bool) -> bool:
        if not filtered and not flt.active:
            return False
        plan = self._plan(gen, conn, pq)
        if plan.empty:
            return False
        ranker = Ranker(conn, plan, flt if filtered else Filters(), gen.avg_chars, gen.memo)
        return ranker.any_word() or bool(ranker.run(1).rows)

    @staticmethod
    def _hit(r: Row, plan: planning.QueryPlan) -> Hit:
        return Hit(doc=r.doc, doc_title=r.doc_title, clause_id=r.clause_id, label=r.label, title=r.title or "",
                   url=r.url, validity=r.validity, departments=r.departments,
                   snippet=snippet(r.body, plan.highlight, plan.phrases + [plan.whole] + plan.verbatim + plan.cited_texts),
                   copies=[{"doc": c.doc, "doc_title": c.doc_title, "clause_id": c.clause_id, "label": c.label,
                            "url": c.url, "validity": c.validity} for c in r.copies])


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
           page=1, limit=DEFAULT_LIMIT, literal: bool = False) -> SearchResponse:
    return engine_for(index_dir).search(q, doc=doc, dept=dept, validity=validity, page=page, limit=limit,
                                        literal=literal)
