"""Search for the portal: feed the engine from the database, keep the index in step, answer.

The engine (``portal.search.engine``) works on plain records; this module is the only place that
knows where they come from (live ``PolicyDocument`` rows and their non-retired ``PolicyClause``
rows) and where the index lives (``app.config["SEARCH_INDEX_DIR"]``).

Index lifecycle
---------------
* ``flask portal sync`` → ``sync_index()``: reindex the documents whose clauses changed (a full
  build when the index is missing, corrupt or built with another segmenter or schema, or when so many
  documents changed — a bulk import — that a build costs less: ``build.ensure_index``). Waits for the write
  lock.
* ``flask portal reindex`` → ``rebuild_index()``: a fresh index, switched in atomically.
* Any search → ``ensure_fresh()``: once per change of the library (a cheap fingerprint of the
  documents table), compare the index with the database; when it is missing, stale or corrupt,
  rebuild it in a background thread (one per process) with a log line. The thread does not wait
  for the write lock: when another process (a sync, another worker) is writing, this one just
  reads, and sees the new index generation when the writer is done. Searches keep answering
  meanwhile — from the old index, or with the notice "索引正在建立" when there is none yet.
* A search that finds the index deleted or unreadable under it (``SearchResponse.unavailable``)
  → ``ensure_fresh(force=...)``: the same background rebuild, at once; the answer is the notice.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from flask import current_app, g

from portal.content.policy_doc import Clause, ParsedDocument
from portal.extensions import db
from portal.models import PolicyClause, PolicyDocument, RegulationEntry
from portal.search import build, engine, titles, tokenizer
from portal.search.departments import DEPARTMENTS
from portal.search.editions import edition_records
from portal.search.engine import Hit, SearchResponse
from portal.search.records import Record, records_from_document
from portal.search.store import LockError
from portal.web.pagination import PageLinks

log = logging.getLogger("portal.search")

BUILDING_NOTICE = "索引正在建立，请稍后再试"
RETRY_AFTER = 60.0      # seconds before a failed background build is tried again
RETRY_LOCKED = 5.0      # … or one that found another process writing
MAX_LIMIT = engine.MAX_LIMIT


def index_dir() -> Path:
    return Path(current_app.config["SEARCH_INDEX_DIR"])


def use_app_content() -> None:
    """Point the segmenter and synonyms at the app's content folder (``CONTENT_DIR``/search):
    every search and build below starts with it, so the dictionary follows PORTAL_CONTENT_DIR
    like every other content file."""
    tokenizer.use_content_dir(current_app.config["CONTENT_DIR"])


# ---------------------------------------------------------------- records from the database


def clause_url(doc_id: str, clause_id: str, section_id: str | None = None) -> str:
    """The clause page; a finer anchor opens its section's page at the anchor."""
    base = f"/policy/{quote(doc_id, safe='')}/{quote(section_id or clause_id, safe='')}"
    return base + (f"#{quote(clause_id, safe='')}" if section_id and section_id != clause_id else "")


def _section_of(clause: PolicyClause, by_id: dict[str, PolicyClause]) -> str:
    seen = set()
    c = clause
    while c.kind != "section" and c.parent and c.parent in by_id and c.clause_id not in seen:
        seen.add(c.clause_id)
        c = by_id[c.parent]
    return c.clause_id if c.kind == "section" else clause.clause_id


def parsed_document(doc: PolicyDocument, clauses=None) -> ParsedDocument:
    """A live document as the content parsers describe one (retired clauses left out). ``clauses``:
    its clause rows when read without the ORM (``all_records``), else ``doc.clauses``."""
    clauses = doc.clauses if clauses is None else clauses
    return ParsedDocument(
        filename=doc.doc_id,
        meta={"id": doc.doc_id, "title": doc.title, "number": doc.number or "", "status": doc.status or "",
              "short_title": doc.short_title or "", "issuers": list(doc.issuers or []), "kind": doc.kind or "",
              "date": doc.issued.isoformat() if doc.issued else ""},
        clauses=[Clause(id=c.clause_id, label=c.label or c.clause_id, title=c.title, parent=c.parent, level=0,
                        markdown="", text=c.text or "", line=0, kind=c.kind)
                 for c in clauses if not c.retired])


def records_for(doc: PolicyDocument, clauses=None) -> list[Record]:
    """Index records of one live document (``clauses`` as for ``parsed_document``)."""
    clauses = doc.clauses if clauses is None else clauses
    by_id = {c.clause_id: c for c in clauses if not c.retired}
    sections = {cid: _section_of(c, by_id) for cid, c in by_id.items()}
    return records_from_document(parsed_document(doc, clauses),
                                 url_for=lambda d, cid: clause_url(d, cid, sections.get(cid)), validity=doc.status or "")


def live_documents(with_clauses: bool = True) -> list[PolicyDocument]:
    stmt = (sa.select(PolicyDocument).where(PolicyDocument.active).order_by(PolicyDocument.doc_id)
            .options(sa.orm.selectinload(PolicyDocument.editions)))
    if with_clauses:
        stmt = stmt.options(sa.orm.selectinload(PolicyDocument.clauses))
    return list(db.session.scalars(stmt))


def _live_clauses() -> dict[int, list]:
    """Document id → its live clauses as plain rows, in ``PolicyDocument.clauses`` order: a bulk import
    leaves tens of thousands, and building an ORM object for each was most of ``all_records``."""
    out: dict[int, list] = {}
    stmt = (sa.select(PolicyClause.document_id, PolicyClause.clause_id, PolicyClause.label, PolicyClause.title,
                      PolicyClause.parent, PolicyClause.text, PolicyClause.kind, PolicyClause.retired)
            .join(PolicyDocument, PolicyDocument.id == PolicyClause.document_id)
            .where(PolicyDocument.active, PolicyClause.retired.is_(False))
            .order_by(PolicyClause.document_id, PolicyClause.position, PolicyClause.id))
    for row in db.session.execute(stmt):
        out.setdefault(row.document_id, []).append(row)
    return out


def all_records() -> list[Record]:
    out: list[Record] = []
    docs = live_documents(with_clauses=False)
    clauses = _live_clauses()
    for doc in docs:
        out.extend(records_for(doc, clauses.get(doc.id, [])))
    for doc in docs:  # earlier editions' changed articles, after every text in force
        out.extend(edition_records(doc))
    return out


def library_fingerprint() -> tuple:
    """Changes whenever a sync changes, adds, retires or restores a document (one small query)."""
    rows = db.session.execute(sa.select(PolicyDocument.doc_id, PolicyDocument.version, PolicyDocument.active,
                                        PolicyDocument.content_hash).order_by(PolicyDocument.doc_id)).all()
    return tuple(tuple(r) for r in rows)


# ---------------------------------------------------------------- writing (CLI, background)


def _forget_checks(directory: Path) -> None:
    st = _state(directory)
    st.fingerprint = None
    engine.engine_for(directory).invalidate()


def sync_index(timeout: float = 120.0, procs: int = 1) -> str:
    """Bring the index in line with the database (what ``flask portal sync`` runs). ``procs``: writer
    processes of a full build (2 from a command-line bulk import; a web worker does not fork)."""
    use_app_content()
    directory = index_dir()
    summary = build.ensure_index(directory, all_records(), timeout=timeout, procs=procs)
    _forget_checks(directory)
    return summary


def rebuild_index(procs: int = 1, timeout: float = 120.0) -> dict:
    """A fresh index from the database (what ``flask portal reindex`` runs)."""
    use_app_content()
    directory = index_dir()
    stats = build.build_index(directory, all_records(), procs=procs, timeout=timeout)
    _forget_checks(directory)
    return stats


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    fingerprint: tuple | None = None
    thread: threading.Thread | None = None
    retry_at: float = 0.0   # monotonic time before which no new check starts (after a failure)
    other_writer: bool = False  # another process held the write lock at the last attempt

    @property
    def running_here(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def building(self) -> bool:
        """A build is under way here, or (as far as we know) in another process."""
        return self.running_here or self.other_writer


_states: dict[tuple[int, str], _State] = {}
_states_lock = threading.Lock()


def _state(directory: Path) -> _State:
    key = (os.getpid(), str(Path(directory).resolve()))
    with _states_lock:
        return _states.setdefault(key, _State())


def ensure_fresh(wait: float = 0.0, force: str | None = None) -> bool:
    """Check the index against the library once per library change; rebuild or update it in a
    background thread when needed. Returns True while a background build is running.

    ``wait``: seconds to wait for a build just started (a small library is indexed in well under
    a second; the first search after a start can then answer from the new index).
    ``force``: the engine found the index "missing" or "corrupt" while searching: check now, and
    rebuild a corrupt one even if its files still open.
    """
    use_app_content()
    if not current_app.config.get("SEARCH_AUTO_INDEX", True):
        return False
    directory = index_dir()
    st = _state(directory)
    if st.running_here:
        return True
    if time.monotonic() < st.retry_at:
        return st.building
    fingerprint = library_fingerprint()
    if fingerprint == st.fingerprint and not force:
        return False
    with st.lock:
        if st.running_here or (fingerprint == st.fingerprint and not force):
            return st.building
        records = all_records()  # read here, in the request's app context: the thread touches files only
        status, changed = build.index_status(directory, records)
        if force == "corrupt" and status in ("ok", "stale"):
            status, changed = "corrupt", []  # its files open, but a query could not read them
        st.fingerprint = fingerprint
        if status == "ok":
            return False
        log.warning("search index %s is %s%s: rebuilding in the background", directory, status,
                    f" ({', '.join(changed)})" if changed else "")
        st.thread = threading.Thread(target=_background_build, args=(directory, records, st, status == "corrupt"),
                                     name="search-index", daemon=True)
        st.thread.start()
    if wait > 0:
        st.thread.join(wait)
    return st.building


def _background_build(directory: Path, records: list[Record], st: _State, rebuild: bool = False) -> None:
    try:
        if rebuild:
            stats = build.build_index(directory, records, timeout=0)
            summary = f"rebuilt (corrupt): {stats['clauses']} clauses in {stats['seconds']:.1f} s"
        else:
            summary = build.ensure_index(directory, records, timeout=0)
        st.other_writer = False
        log.warning("search index %s: %s", directory, summary)
    except LockError:
        # another process is writing it: read what it writes, check again a little later
        log.info("search index %s is being written by another process; this one only reads", directory)
        st.fingerprint, st.retry_at, st.other_writer = None, time.monotonic() + RETRY_LOCKED, True
    except Exception:  # never take a worker down; try again later
        log.exception("search index %s: background build failed", directory)
        st.fingerprint, st.retry_at = None, time.monotonic() + RETRY_AFTER
    finally:
        engine.engine_for(directory).invalidate()


# ---------------------------------------------------------------- answering


def parse_limit(value, default: int = engine.DEFAULT_LIMIT) -> tuple[int, str | None]:
    """The API's ``limit``: 1..MAX_LIMIT; anything else is clamped with a message."""
    if value in (None, ""):
        return default, None
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return default, f"limit 应为 1 到 {MAX_LIMIT} 之间的整数，已按 {default} 条返回"
    if n < 1:
        return default, f"limit 应为 1 到 {MAX_LIMIT} 之间的整数，已按 {default} 条返回"
    if n > MAX_LIMIT:
        return MAX_LIMIT, f"limit 最大为 {MAX_LIMIT}，已按 {MAX_LIMIT} 条返回"
    return n, None


def _text_arg(value, size: int = 80) -> str:
    return str(value or "").strip()[:size]


def run_search(q, doc=None, dept=None, validity=None, page=1, limit=engine.DEFAULT_LIMIT,
               literal: bool = False) -> SearchResponse:
    """The engine's answer (never raises), after making sure the index is being kept fresh.

    When the engine finds the index missing or unreadable under it (a deleted folder, an
    overwritten file), the answer is the building notice and one rebuild starts (one writer
    across processes); the next searches are served from the new index without a restart.
    """
    use_app_content()
    building = False
    try:
        building = ensure_fresh()
    except Exception:  # a failing freshness check must not stop searching
        log.exception("search index freshness check failed")
        db.session.rollback()
    res = engine.search(index_dir(), q, doc=_text_arg(doc) or None, dept=_text_arg(dept, 40) or None,
                        validity=_text_arg(validity, 40) or None, page=page, limit=limit, literal=literal)
    if res.unavailable:
        try:
            building = ensure_fresh(force=res.unavailable) or building
        except Exception:
            log.exception("search index rebuild after a fault could not start")
            db.session.rollback()
    res.building = building
    if (res.error or res.unavailable) and building:
        res.error, res.notice = None, BUILDING_NOTICE
    elif building and not res.notice:
        res.notice = "索引正在更新，结果可能不全"
    return res


CHANGE_LABELS = {"简体": "繁体字已按简体", "拼音": "拼音已转为汉字", "纠错": "已更正同音错字"}


def understood_notice(res: SearchResponse) -> str | None:
    """What the engine searched instead of the query as typed, in words: 已按“家庭寄养”搜索（已更正同音错字）."""
    if not res.searched_as:
        return None
    why = "、".join(CHANGE_LABELS[c] for c in res.changes if c in CHANGE_LABELS)
    return f"已按“{res.searched_as}”搜索" + (f"（{why}）" if why else "")


def not_found_notice(res: SearchResponse) -> str | None:
    """未找到‘X’ for the query words found nowhere in the library."""
    if not res.missing:
        return None
    return "未找到" + "、".join(f"‘{w}’" for w in res.missing)


def api_payload(res: SearchResponse, limit_notice: str | None = None) -> dict:
    out = {"query": res.query, "total": res.total, "took_ms": res.took_ms,
           "results": [h.api() for h in res.results]}
    if res.estimated:
        out["estimated"] = True
    if res.merged:  # hits of one text in several documents: one result, the others in its "copies"
        out["merged"] = True
    if res.missing:
        out["not_found"] = list(res.missing)
    notices = [n for n in (limit_notice, res.notice, not_found_notice(res)) if n]
    if notices:
        out["notice"] = "；".join(notices)
    if res.suggestion:
        out["suggestion"] = res.suggestion
    if res.searched_as:
        out["searched_as"] = res.searched_as
    if res.within:
        out["within"] = res.within_title
    if res.error:
        out["error"] = res.error
    return out


# ---------------------------------------------------------------- the search page


@dataclass
class Page(PageLinks):
    """Paging over the engine's window (page numbers, like ``db.paginate``)."""

    page: int
    per_page: int
    total: int

    @property
    def window(self) -> int:
        return engine.MAX_WINDOW

    @property
    def capped(self) -> bool:
        """More results than paging reaches (the page says so and how to narrow)."""
        return self.total > self.window

    @property
    def pages(self) -> int:
        reachable = min(self.total, self.window)
        return max(1, -(-reachable // self.per_page))


def _active_documents() -> list[PolicyDocument]:
    """Live documents, the plan first, read once per request: the filters and the title cards
    of one search page both need them."""
    if "search_documents" not in g:
        docs = db.session.scalars(sa.select(PolicyDocument).where(PolicyDocument.active)).all()
        g.search_documents = sorted(docs, key=lambda d: (d.layout != "scheme", d.doc_id))
    return g.search_documents


def filter_options() -> dict:
    """Choices for the filters: live documents, departments, validity values."""
    docs = _active_documents()
    return {
        "documents": [(d.doc_id, d.short_title or d.title) for d in docs],
        "departments": list(DEPARTMENTS),
        "validity": sorted({d.status for d in docs if d.status}),
    }


def named_documents() -> list[titles.Named]:
    """Every live document and every register entry, as ``titles.match`` reads them (a register
    entry whose full text the library holds is that document's card)."""
    docs = {d.doc_id: d for d in _active_documents()}
    out: dict[str, titles.Named] = {}
    for d in docs.values():
        out[d.doc_id] = titles.Named(title=d.title, url=f"/policy/{quote(d.doc_id, safe='')}", number=d.number or "",
                                     issuer=d.issuer_text, dated=d.issuer_date, date_label="发布", status=d.status or "",
                                     names=[d.short_title] if d.short_title else [])
    entries = db.session.scalars(sa.select(RegulationEntry).where(RegulationEntry.active)
                                 .order_by(RegulationEntry.sort_order)).all()
    for e in entries:
        register_url = f"/policy/register/{quote(e.key, safe='')}"
        held = out.get(e.document) if e.document in docs else None
        if held is not None:
            held.register_url = register_url
            held.number = held.number or e.number
            if e.effective:
                held.dated, held.date_label = e.effective, "施行"
            held.names += e.alias_list
            continue
        out["register:" + e.key] = titles.Named(
            title=e.title, url=register_url, number=e.number or "", issuer=e.issuer or "", dated=e.effective,
            status=e.status or "", full_text=False, names=e.alias_list)
    return list(out.values())


def title_cards(res: SearchResponse) -> list[titles.Named]:
    """The documents the query names (first page only)."""
    if res.page != 1 or not res.query:
        return []
    return titles.match(res.query, named_documents())


def group_by_document(results: list[Hit]) -> list[tuple[dict, list[Hit]]]:
    """Results in rank order, consecutive hits of one document under one heading."""
    groups: list[tuple[dict, list[Hit]]] = []
    for r in results:
        if groups and groups[-1][0]["doc"] == r.doc:
            groups[-1][1].append(r)
        else:
            groups.append(({"doc": r.doc, "doc_title": r.doc_title, "validity": r.validity}, [r]))
    return groups
