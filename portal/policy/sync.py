"""Load content/policy into the database: all or nothing per file, last good version keeps serving.

Per document file: a file with any problem changes nothing (its previous version, if any, stays);
an unchanged file (same bytes) is skipped; a changed file updates its clauses in place keyed by
clause id — ids are stable, so permalinks, citations and duties keep pointing at the same clause —
and what changed (clauses added, changed, retired; metadata) is kept in PolicyChange and the audit
log. A document whose file disappeared is retired, never deleted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from portal.audit.services import changed_fields, record
from portal.content.citations import Citation, LibraryEntry, RegisterEntry, Resolver
from portal.content.library import Library, LibraryDoc, scan_library
from portal.content.problems import Problem
from portal.content.register_file import RegisterRow
from portal.content.statute_doc import article_key
from portal.core.time import utcnow
from portal.extensions import db
from portal.faults import pause_point
from portal.models import (
    LibraryImport,
    PolicyChange,
    PolicyCitation,
    PolicyClause,
    PolicyDocument,
    PolicyEdition,
    RegulationEntry,
)
from portal.policy.affected import tell_owners

POLICY_DIR = "policy"
SPECIAL_IDS = {"header", "preamble", "closing", "history"}


@dataclass
class PolicySyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # files not loaded because of problems
    register: str = ""  # "loaded", "unchanged", "refused" or "missing"
    changes: dict[str, dict] = field(default_factory=dict)  # doc_id -> summary
    new_editions: dict[str, str] = field(default_factory=dict)  # doc_id -> a new version now in force
    told: int = 0  # messages to the owners of what the new versions' changed articles affect
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"policy: {len(self.created)} created, {len(self.updated)} updated, "
               f"{len(self.unchanged)} unchanged, {len(self.retired)} retired; register {self.register}"]
        for doc_id, s in self.changes.items():
            out.append(f"  {doc_id} v{s['version']}: {len(s['added'])} added, {len(s['changed'])} changed, "
                       f"{len(s['retired'])} retired" + (f", metadata: {', '.join(s['metadata'])}" if s["metadata"] else ""))
        for doc_id, edition in self.new_editions.items():
            out.append(f"  {doc_id}: new edition {edition} in force")
        if self.new_editions:
            out.append(f"  owners told of what the new editions affect: {self.told} message(s)")
        return out


def _doc_fields(doc: PolicyDocument) -> dict:
    return {"title": doc.title, "short_title": doc.short_title, "number": doc.number, "issuers": doc.issuers,
            "addressees": doc.addressees, "issued": doc.issued.isoformat() if doc.issued else "",
            "promulgated": doc.promulgated.isoformat() if doc.promulgated else "",
            "promulgated_by": doc.promulgated_by, "promulgated_as": doc.promulgated_as, "revised_by": doc.revised_by,
            "kind": doc.kind, "status": doc.status, "notes": doc.notes, "layout": doc.layout}


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def counted(clause_id: str, layout: str, kind: str = "section") -> bool:
    """Clauses the library counts: numbered clauses of a 方案 (not finer anchors), articles of a statute."""
    if kind != "section":
        return False
    if layout == "statute":
        return clause_id.startswith("a") and "." not in clause_id
    return clause_id not in SPECIAL_IDS


class _DocumentFailed(Exception):
    """A document file passed the checks but could not be loaded (a case no check foresaw)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def sync_policy(content_dir: Path, display_root: Path | None = None, actor_name: str = "sync",
                only: set[str] | None = None) -> PolicySyncReport:
    """Sync every document file and the register. `only`: limit document changes to these doc ids.

    A file that passed the checks and still fails to load is reported like any refused file and
    the sync runs again without it: one bad file never stops the others or every later sync."""
    failed: dict[str, Problem] = {}
    while True:
        try:
            return _sync_policy(content_dir, display_root, actor_name, only, failed)
        except _DocumentFailed as exc:
            db.session.rollback()
            if exc.problem.file in failed:
                raise
            failed[exc.problem.file] = exc.problem


def _sync_policy(content_dir: Path, display_root: Path | None, actor_name: str, only: set[str] | None,
                 failed: dict[str, Problem]) -> PolicySyncReport:
    report = PolicySyncReport()
    # clauses and editions of every document in two queries, not one lazy load (and autoflush) per document
    existing = {d.doc_id: d for d in db.session.scalars(sa.select(PolicyDocument).options(
        sa.orm.selectinload(PolicyDocument.clauses), sa.orm.selectinload(PolicyDocument.editions)))}
    previous = {d.doc_id: {c.clause_id for c in d.clauses if not c.retired} for d in existing.values() if d.active}
    lib = scan_library(Path(content_dir) / POLICY_DIR, display_root, previous, imported_documents())
    for ldoc in lib.docs:
        if ldoc.file in failed:
            ldoc.problems.append(failed[ldoc.file])
    report.problems = list(lib.problems) + list(failed.values())
    seen: set[str] = set()
    new_clauses: list[tuple[PolicyDocument, list[dict]]] = []
    for ldoc in lib.docs:
        if ldoc.doc_id:
            seen.add(ldoc.doc_id)
        if ldoc.problems:
            report.refused.append(ldoc.file)
            # a file that cannot even be read still protects the document it held
            seen.update(d for d, row in existing.items() if row.source_file == ldoc.path.name)
            continue
        if (only is not None and ldoc.doc_id not in only) or not ldoc.current:
            continue  # an earlier version is recorded as an edition, not as the document's text
        try:
            _apply_document(ldoc, existing, report, actor_name, new_clauses)
        except (ValueError, TypeError, LookupError, ArithmeticError) as exc:
            raise _DocumentFailed(Problem(ldoc.file, 1, f"cannot be loaded ({type(exc).__name__}: {exc}); "
                                                        "the last good version keeps serving")) from exc
    _insert_new_clauses(new_clauses)
    if only is None:
        for doc_id, doc in existing.items():
            if doc.active and doc_id not in seen:
                _retire_document(doc, report, actor_name)
    _apply_editions(lib, existing, only, report)
    _apply_register(lib, report, actor_name)
    db.session.flush()
    _store_citations(lib, report)
    if report.new_editions:  # the owners of what cites a changed article, in this transaction
        db.session.flush()
        report.told = tell_owners(report.new_editions)
    pause_point("policy-sync-before-commit")  # every document written, nothing committed yet
    db.session.commit()
    return report


def imported_documents() -> list[tuple[str, str, str]]:
    """The statutes imported on the library page and not retired: (file name, name shown, Markdown)."""
    rows = db.session.scalars(sa.select(LibraryImport).where(LibraryImport.active).order_by(LibraryImport.id))
    return [(r.file_name, r.files, r.markdown) for r in rows]


def _apply_document(ldoc: LibraryDoc, existing: dict[str, PolicyDocument], report: PolicySyncReport,
                    actor_name: str, new_clauses: list[tuple[PolicyDocument, list[dict]]]) -> None:
    doc = existing.get(ldoc.doc_id)
    if doc is not None and doc.active and doc.content_hash == ldoc.content_hash:
        report.unchanged.append(ldoc.doc_id)
        return
    creating = doc is None
    before = _doc_fields(doc) if doc is not None else {}
    if creating:
        doc = PolicyDocument(doc_id=ldoc.doc_id, version=0, editions=[])  # known empty: no lazy load once flushed
        db.session.add(doc)
        existing[ldoc.doc_id] = doc
    _copy_metadata(ldoc, doc)
    restored = not creating and not doc.active
    doc.active = True
    doc.version = (doc.version or 0) + 1
    doc.updated_at = utcnow()
    if creating:  # every clause is new: inserted in bulk once the new documents have ids
        new_clauses.append((doc, _clause_rows(ldoc)))
        added, changed, retired = [c.id for c in ldoc.parsed.clauses], [], []
    else:
        added, changed, retired = _apply_clauses(ldoc, doc)
    doc.clause_count = sum(1 for c in ldoc.parsed.clauses if counted(c.id, ldoc.layout, c.kind))
    after = _doc_fields(doc)
    meta_before, meta_after = changed_fields(before, after) if before else ({}, after)
    summary = {"version": doc.version, "added": added if not creating else [], "changed": changed,
               "retired": retired, "metadata": sorted(meta_after) if not creating else [],
               "clauses": len(ldoc.parsed.clauses), "file": ldoc.file}
    action = "create" if creating else ("restore" if restored else "update")
    doc.changes.append(PolicyChange(version=doc.version, actor_name=actor_name, action=action, summary=summary))
    (report.created if creating else report.updated).append(doc.doc_id)
    if not creating:
        report.changes[doc.doc_id] = summary
    record("create" if creating else "update", "policy_document", doc.doc_id, label=doc.title,
           before=meta_before or None if not creating else None,
           after={**(meta_after if not creating else {"title": doc.title, "number": doc.number}),
                  "version": doc.version, "clauses_added": len(added) if not creating else len(ldoc.parsed.clauses),
                  "clauses_changed": changed, "clauses_retired": retired},
           actor_name=actor_name)


def _copy_metadata(ldoc: LibraryDoc, doc: PolicyDocument) -> None:
    meta = ldoc.meta
    doc.title, doc.short_title, doc.number = meta.get("title", ""), meta.get("short_title", ""), meta.get("number", "")
    doc.issuers = list(meta.get("issuers") or [])
    doc.addressees, doc.issued = meta.get("addressees", ""), _date(meta.get("date", ""))
    doc.promulgated, doc.promulgated_by = _date(meta.get("promulgated", "")), meta.get("promulgated_by", "")
    doc.promulgated_as, doc.revised_by = meta.get("promulgated_as", ""), meta.get("revised_by", "")
    doc.kind, doc.status, doc.notes = meta.get("kind", ""), meta.get("status", ""), meta.get("notes", "")
    doc.layout = ldoc.layout
    doc.source_file = ldoc.path.name
    doc.provenance, doc.errata_file = meta.get("source", ""), meta.get("errata", "")
    doc.content_hash = ldoc.content_hash


def _clause_rows(ldoc: LibraryDoc) -> list[dict]:
    """The rows of a new document's clauses: what _apply_clauses would set on new PolicyClause objects."""
    sources = ldoc.section_sources()
    return [{"clause_id": c.id, "position": position, "kind": c.kind, "label": c.label, "title": c.title,
             "parent": c.parent, "level": c.level, "line": c.line, "retired": False, "text": c.text,
             "markdown": sources.get(c.id, c.markdown) if c.kind == "section" else c.markdown}
            for position, c in enumerate(ldoc.parsed.clauses)]


def _insert_new_clauses(new_clauses: list[tuple[PolicyDocument, list[dict]]]) -> None:
    """The clauses of the documents created in this sync, in one executemany (a bulk import adds tens
    of thousands: as ORM objects each costs events, cascades and a unit-of-work step), in the order
    the ORM would have inserted them."""
    if not new_clauses:
        return
    db.session.flush()  # the new documents' ids
    # the table, not the entity: every column is given, so the ORM's bulk-insert bookkeeping is pure cost
    db.session.execute(PolicyClause.__table__.insert(), [{"document_id": doc.id, **row}
                                                         for doc, rows in new_clauses for row in rows])
    for doc, _ in new_clauses:
        db.session.expire(doc, ["clauses"])  # read from the database when next used


def _apply_clauses(ldoc: LibraryDoc, doc: PolicyDocument) -> tuple[list[str], list[str], list[str]]:
    """The file's clauses into the document's rows: (added, changed, retired) clause ids. A clause
    gone from the file is marked retired and placed after the file's clauses."""
    old = {c.clause_id: c for c in doc.clauses}
    sources = ldoc.section_sources()
    added, changed = [], []
    for position, clause in enumerate(ldoc.parsed.clauses):
        row = old.get(clause.id)
        markdown = sources.get(clause.id, clause.markdown) if clause.kind == "section" else clause.markdown
        if row is None:
            row = PolicyClause(clause_id=clause.id)
            doc.clauses.append(row)
            added.append(clause.id)
        elif (row.text, row.markdown, row.title, row.retired) != (clause.text, markdown, clause.title, False):
            changed.append(clause.id)
        row.position, row.kind, row.label, row.title = position, clause.kind, clause.label, clause.title
        row.parent, row.level, row.markdown, row.text = clause.parent, clause.level, markdown, clause.text
        row.line, row.retired = clause.line, False
    in_file = {c.id for c in ldoc.parsed.clauses}
    retired = sorted((cid for cid, row in old.items() if cid not in in_file and not row.retired),
                     key=lambda cid: old[cid].position)
    for position, cid in enumerate(retired, start=len(ldoc.parsed.clauses)):
        old[cid].retired = True
        old[cid].position = position
    return added, changed, retired


def _apply_editions(lib: Library, existing: dict[str, PolicyDocument], only: set[str] | None,
                    report: PolicySyncReport) -> None:
    """Record each version of each document: the current one (whose clauses the document holds)
    and earlier ones (kept as Markdown). A version whose file is gone is marked inactive."""
    versions: dict[str, list[LibraryDoc]] = {}
    for ldoc in lib.good_docs + lib.earlier_editions:
        if ldoc.edition and (only is None or ldoc.doc_id in only):
            versions.setdefault(ldoc.doc_id, []).append(ldoc)
    for doc_id, ldocs in versions.items():
        doc = existing.get(doc_id)
        if doc is None:
            continue
        rows = {e.edition: e for e in doc.editions}
        was_current = {e.edition for e in rows.values() if e.current and e.active}
        created = {ldoc.edition for ldoc in ldocs if ldoc.edition not in rows}
        for ldoc in ldocs:
            _apply_edition(doc, rows, ldoc)
        in_files = {ldoc.edition for ldoc in ldocs}
        for edition, row in rows.items():
            if edition not in in_files and row.active:
                row.active = row.current = False
        now_current = next((row.edition for row in doc.editions if row.current), None)
        if was_current and now_current in created:  # a version never seen before replaces the one in force
            report.new_editions[doc_id] = now_current
    for doc in existing.values():  # a retired document's versions retire with it
        if not doc.active:
            for row in doc.editions:
                row.active = row.current = False


def _apply_edition(doc: PolicyDocument, rows: dict[str, PolicyEdition], ldoc: LibraryDoc) -> None:
    """One version's row made what its file says (created if new; touched only when it differs)."""
    row = rows.get(ldoc.edition)
    if row is None:
        row = PolicyEdition(edition=ldoc.edition)
        doc.editions.append(row)
    current = ldoc.current and doc.content_hash == ldoc.content_hash
    fields = (ldoc.meta.get("title", ""), _date(ldoc.effective), ldoc.meta.get("status", ""), current,
              True, ldoc.path.name, ldoc.content_hash)
    if (row.title, row.effective, row.status, row.current, row.active, row.source_file,
            row.content_hash) != fields:
        (row.title, row.effective, row.status, row.current, row.active, row.source_file,
         row.content_hash) = fields
        row.markdown = ldoc.text
        row.updated_at = utcnow()


def _retire_document(doc: PolicyDocument, report: PolicySyncReport, actor_name: str) -> None:
    doc.active = False
    doc.content_hash = ""
    doc.version += 1
    doc.changes.append(PolicyChange(version=doc.version, actor_name=actor_name, action="retire",
                                    summary={"version": doc.version, "added": [], "changed": [], "retired": [],
                                             "metadata": [], "file": doc.source_file}))
    report.retired.append(doc.doc_id)
    record("retire", "policy_document", doc.doc_id, label=doc.title, before={"active": True},
           after={"active": False}, actor_name=actor_name)


def _reg_fields(e: RegulationEntry) -> dict:
    return {"title": e.title, "number": e.number, "issuer": e.issuer,
            "issued": e.issued.isoformat() if e.issued else "", "effective": e.effective.isoformat() if e.effective else "",
            "status": e.status, "document": e.document, "aliases": e.aliases, "notes": e.notes, "active": e.active}


def _apply_register(lib: Library, report: PolicySyncReport, actor_name: str) -> None:
    if lib.register_problems:
        report.register = "refused"
        return
    if not lib.register and not lib.register_file:
        report.register = "missing"
        return
    existing = {e.key: e for e in db.session.scalars(sa.select(RegulationEntry))}
    rows: list[RegisterRow] = lib.register
    changes = 0
    for order, row in enumerate(rows):
        entry = existing.get(row.key)
        before = _reg_fields(entry) if entry else None
        if entry is None:
            entry = RegulationEntry(key=row.key)
            db.session.add(entry)
        entry.title, entry.number, entry.issuer = row.title, row.number, row.issuer
        entry.issued, entry.effective = _date(row.issued), _date(row.effective)
        entry.status, entry.document, entry.aliases, entry.notes = row.status, row.document, "|".join(row.aliases), row.notes
        entry.sort_order, entry.active = order, True
        after = _reg_fields(entry)
        if before != after:
            changes += 1
            entry.updated_at = utcnow()
            old, new = changed_fields(before, after) if before else ({}, after)
            record("create" if before is None else "update", "regulation", row.key, label=row.title,
                   before=old or None, after=new, actor_name=actor_name)
    keys = {r.key for r in rows}
    for key, entry in existing.items():
        if key not in keys and entry.active:
            entry.active = False
            changes += 1
            record("retire", "regulation", key, label=entry.title, before={"active": True},
                   after={"active": False}, actor_name=actor_name)
    report.register = "loaded" if changes else "unchanged"


def _store_citations(lib: Library, report: PolicySyncReport) -> None:
    """Rebuild citation rows of the documents just loaded, then re-resolve every row against
    the library as it now stands (a newly imported text turns register links into article links)."""
    docs = {d.doc_id: d for d in db.session.scalars(sa.select(PolicyDocument))}
    created = set(report.created)
    reloaded = created | set(report.updated)
    for ldoc in lib.good_docs:
        if ldoc.doc_id not in reloaded:
            continue
        doc = docs[ldoc.doc_id]
        if ldoc.doc_id not in created:  # a new document has no rows to delete (each delete scans the session)
            db.session.execute(sa.delete(PolicyCitation).where(PolicyCitation.document_id == doc.id))
        for position, fc in enumerate(ldoc.citations):
            c = fc.citation
            db.session.add(PolicyCitation(document_id=doc.id, clause_id=fc.clause_id, anchor_id=fc.anchor_id,
                                          position=position, text=c.text[:300], cited_title=c.title[:300],
                                          cited_number=c.number, cited_clause=c.clause))
    for doc_id in report.retired:
        db.session.execute(sa.delete(PolicyCitation).where(PolicyCitation.document_id == docs[doc_id].id))
    db.session.flush()
    resolver = current_resolver()
    for row in db.session.scalars(sa.select(PolicyCitation)):
        target = resolver.resolve(citation_of(row), at=row.document.issued.isoformat() if row.document.issued else None)
        owner = row.document.doc_id
        row.register_key = target.register_key
        row.target_doc = target.doc_id if target.doc_id != owner else None
        row.target_clause = target.clause if row.target_doc else None
        row.target_edition = target.edition if row.target_doc else None
        row.note = target.note[:200] if (row.target_doc or target.candidates) else ""


def citation_of(row: PolicyCitation) -> Citation:
    """The citation a stored row records (a8, a8.3, a8.2.3 or a17-1 back into article/款/item/之N)."""
    head, *rest = row.cited_clause.split(".") if row.cited_clause else [""]
    article, inserted = article_key(head) if head else (None, 0)
    parts = [int(p) for p in rest]
    return Citation(0, 0, row.text, title=row.cited_title, number=row.cited_number,
                    article=article, item=parts[-1] if parts else None,
                    paragraph=parts[0] if len(parts) == 2 else None, inserted=inserted or None)


def current_resolver():
    """A resolver over the active documents and register entries in the database."""
    docs = db.session.execute(sa.select(PolicyDocument.doc_id, PolicyDocument.title, PolicyDocument.number,
                                        PolicyDocument.short_title).where(PolicyDocument.active)).all()
    editions: dict[str, list[tuple[str, str, bool]]] = {}
    for doc_id, edition, effective, current in db.session.execute(
            sa.select(PolicyDocument.doc_id, PolicyEdition.edition, PolicyEdition.effective, PolicyEdition.current)
            .join(PolicyEdition.document).where(PolicyEdition.active, PolicyDocument.active)):
        editions.setdefault(doc_id, []).append((edition, effective.isoformat() if effective else "", current))
    regs = db.session.scalars(sa.select(RegulationEntry).where(RegulationEntry.active)
                              .order_by(RegulationEntry.sort_order)).all()
    return Resolver([LibraryEntry(*d, editions=ordered_editions(editions.get(d[0], []))) for d in docs],
                    [RegisterEntry(r.key, r.title, r.number, tuple(r.alias_list), r.document) for r in regs])


def ordered_editions(rows: list[tuple[str, str, bool]]) -> tuple[tuple[str, str], ...]:
    """(edition, effective) in order of coming into force, the current version last."""
    rows = sorted(rows, key=lambda r: (r[2], r[1] or r[0], r[0]))
    return tuple((e, eff) for e, eff, _ in rows)


__all__ = ['PolicySyncReport', 'sync_policy', 'current_resolver']
