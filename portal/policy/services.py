"""Reading the policy library: documents, clauses, citations, the register; import and sync.

The sync itself lives in portal/policy/sync.py; the pure parts (parsing, import conversion,
citation detection, rendering) in portal/content/.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import url_for
from markupsafe import escape

from portal import refdata
from portal.content.citations import Citation, Resolver
from portal.content.library import LibraryDoc, citation_text
from portal.content.render import render_markdown
from portal.content.statute_doc import parse_statute, resolve_clause_id
from portal.core.plan import PLAN_ID
from portal.duties.clauses import instances_by_clause, instances_for_clause
from portal.extensions import db
from portal.models import AuditEntry, PolicyCitation, PolicyClause, PolicyDocument, PolicyEdition, RegulationEntry, User
from portal.policy.compare import compare_editions
from portal.policy.statute_meta import MetaRow, rows_from_front_matter, statute_rows
from portal.policy.sync import current_resolver

__all__ = ['duties_for_clause']


# ---------------------------------------------------------------- the duties hook


def duties_for_clause(doc_id: str, clause_id: str) -> list:
    """The duties (任务) a clause created, with their live status, for the clause page.

    Every duty instance whose source clause is `clause_id` of `doc_id` or a finer anchor inside
    it (e.g. 4.2.3 under 4.2), with owner, light and progress.
    """
    return instances_for_clause(doc_id, clause_id)


def duty_summary(doc_id: str) -> dict[str, dict[str, int]]:
    """clause id -> {light: count} over the duties each section created, for the document view."""
    return instances_by_clause(doc_id)


# ---------------------------------------------------------------- documents


def list_documents(q: str = "") -> list[PolicyDocument]:
    stmt = sa.select(PolicyDocument).where(PolicyDocument.active)
    if q:
        stmt = stmt.where(sa.or_(*(col.icontains(q, autoescape=True) for col in (
            PolicyDocument.title, PolicyDocument.number, PolicyDocument.short_title))))
    docs = db.session.scalars(stmt).all()
    # the 方案 first, then newest first
    return sorted(docs, key=lambda d: (d.layout != "scheme", -(d.issued.toordinal() if d.issued else 0), d.doc_id))


def get_document(doc_id: str) -> PolicyDocument | None:
    """The document with its editions (a handful of rows, joined: no statement of their own)."""
    return db.session.scalars(sa.select(PolicyDocument).where(PolicyDocument.doc_id == doc_id[:80])
                              .options(sa.orm.joinedload(PolicyDocument.editions))).unique().first()


def live_clauses(doc: PolicyDocument) -> list[PolicyClause]:
    return [c for c in doc.clauses if not c.retired]


def get_clause(doc: PolicyDocument, clause_id: str) -> PolicyClause | None:
    return next((c for c in doc.clauses if c.clause_id == clause_id), None)


def resolve_old_clause_id(doc: PolicyDocument, clause_id: str) -> str | None:
    """A statute item id from before items were numbered per 款 (a8.3), when it names one item."""
    if doc.layout != "statute":
        return None
    resolved, _ = resolve_clause_id(clause_id, {c.clause_id for c in live_clauses(doc)})
    return resolved if resolved != clause_id else None


def cite(doc: PolicyDocument, clause: PolicyClause | None = None) -> str:
    """《…实施方案》（运民发〔2021〕74号）三（一）1

    A paragraph or sentence anchor of an 实施方案 is cited by the clause the document itself
    numbers (四（二）, not a sentence number the text does not have); statute items are real
    numbering (第八条第（三）项) and are cited as they are."""
    if clause is not None and clause.kind == "anchor" and doc.layout == "scheme" and clause.parent:
        parent = get_clause(doc, clause.parent)
        if parent is not None:
            return cite(doc, parent)
    return citation_text(doc.title, doc.number, clause.label if clause else "")


def toc(doc: PolicyDocument) -> list[PolicyClause]:
    """Sections for the table of contents (a statute lists its chapters and articles)."""
    return [c for c in live_clauses(doc) if c.kind == "section" and c.clause_id != "header"]


# ---------------------------------------------------------------- rendering


def url_for_target(target_doc: str | None, target_clause: str | None, register_key: str | None,
                   edition: str | None = None) -> str | None:
    if target_doc:
        if edition:  # an earlier version: its page, at the clause
            url = url_for("policy.edition", doc_id=target_doc, edition=edition)
            return url + (f"#{target_clause}" if target_clause else "")
        if target_clause:
            return url_for("policy.clause", doc_id=target_doc, clause_id=target_clause)
        return url_for("policy.document", doc_id=target_doc)
    if register_key:
        return url_for("policy.register_entry", key=register_key)
    return None


def library_resolver() -> Resolver:
    """The resolver over the active documents, their editions and the register entries: three
    statements to build, read by every page that renders a clause or a register entry, so kept
    with the per-process reference data (rebuilt when any of those tables is written)."""
    return refdata.cached(("resolver",), current_resolver)


@dataclass
class Renderer:
    """Renders clause Markdown with citation links resolved against the library as it stands."""

    doc: PolicyDocument
    resolver: Resolver = field(default_factory=library_resolver)
    issued: date | None = None  # the date citations are read at (default: the document's date)

    def __post_init__(self) -> None:
        self.issued = self.issued or self.doc.issued

    def link_for(self, c: Citation):
        t = self.resolver.resolve(c, at=self.issued.isoformat() if self.issued else None)
        if t.doc_id == self.doc.doc_id:
            return None
        url = url_for_target(t.doc_id, t.clause, t.register_key, t.edition)
        return (url, t.note) if t.note else url

    def anchor_html(self, clause_id: str) -> str:
        href = url_for("policy.clause", doc_id=self.doc.doc_id, clause_id=clause_id)
        return (f'<a class="sub-permalink" id="{escape(clause_id)}" href="{escape(href)}" '
                'title="本条的固定链接（可复制发给同事）" aria-label="本条的固定链接">§</a>')

    def html(self, markdown_text: str) -> str:
        return render_markdown(markdown_text, self.link_for, self.resolver.find, self.anchor_html)


def subtree(doc: PolicyDocument, clause: PolicyClause) -> list[PolicyClause]:
    """The clause and its descendant sections, in order (anchors are inside their section's text)."""
    if clause.kind == "anchor":
        return [clause]
    prefix = clause.clause_id
    ids = {prefix}
    out = []
    for c in live_clauses(doc):
        if c.clause_id == prefix or (c.kind == "section" and c.parent in ids):
            out.append(c)
            ids.add(c.clause_id)
    return out


def ancestors(doc: PolicyDocument, clause: PolicyClause) -> list[PolicyClause]:
    by_id = {c.clause_id: c for c in doc.clauses}
    chain, parent = [], clause.parent
    while parent and parent in by_id:
        chain.insert(0, by_id[parent])
        parent = by_id[parent].parent
    return chain


def neighbours(doc: PolicyDocument, clause: PolicyClause) -> tuple[PolicyClause | None, PolicyClause | None]:
    """Previous and next clause of the same kind (sections; or anchors within the same clause)."""
    peers = [c for c in live_clauses(doc) if c.kind == clause.kind
             and (clause.kind == "section" or c.parent == clause.parent)]
    ids = [c.clause_id for c in peers]
    if clause.clause_id not in ids:
        return None, None
    i = ids.index(clause.clause_id)
    return (peers[i - 1] if i > 0 else None), (peers[i + 1] if i + 1 < len(peers) else None)


# ---------------------------------------------------------------- citations


@dataclass
class CitationView:
    text: str
    url: str | None
    source_doc: PolicyDocument
    source_clause: PolicyClause | None
    source_url: str
    source_label: str
    note: str = ""  # e.g. which version it links, or that the title is ambiguous


def _view(row: PolicyCitation, clauses: dict[tuple[int, str], PolicyClause]) -> CitationView:
    clause = clauses.get((row.document_id, row.clause_id))
    doc = row.document
    url = url_for("policy.clause", doc_id=doc.doc_id, clause_id=row.clause_id)
    if row.anchor_id != row.clause_id:
        url += f"#{row.anchor_id}"
    note = row.note or (f"链接到{_zh(row.target_edition)}版本（引用文件成文时施行的版本）" if row.target_edition else "")
    return CitationView(row.text, url_for_target(row.target_doc, row.target_clause, row.register_key,
                                                 row.target_edition), doc,
                        clause, url, clause.label if clause else row.clause_id, note)


def _zh(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _ordered(stmt):
    return stmt.join(PolicyDocument, PolicyCitation.document_id == PolicyDocument.id).where(
        PolicyDocument.active).order_by(PolicyDocument.doc_id, PolicyCitation.position)


def _under(value: str | None, cid: str) -> bool:
    return value is not None and (value == cid or value.startswith(cid + "."))


def citations_of(doc: PolicyDocument, clause: PolicyClause | None = None) -> tuple[list[CitationView], list[CitationView]]:
    """(what the document — or the clause and what lies under it — cites, in order; what cites it
    from active documents, by citing document), in one statement with the citing documents and
    clauses joined."""
    cites = PolicyCitation.document_id == doc.id
    cited = sa.and_(PolicyCitation.target_doc == doc.doc_id, PolicyDocument.active)
    if clause is not None:
        cid = clause.clause_id
        cites = sa.and_(cites, sa.or_(PolicyCitation.clause_id == cid, PolicyCitation.anchor_id == cid,
                                      PolicyCitation.clause_id.startswith(cid + ".", autoescape=True)))
        cited = sa.and_(cited, sa.or_(PolicyCitation.target_clause == cid,
                                      PolicyCitation.target_clause.startswith(cid + ".", autoescape=True)))
    stmt = (sa.select(PolicyCitation, PolicyClause)
            .join(PolicyDocument, PolicyCitation.document_id == PolicyDocument.id)
            .outerjoin(PolicyClause, _citing_clause())
            .where(sa.or_(cites, cited)).options(sa.orm.contains_eager(PolicyCitation.document)))
    rows = db.session.execute(stmt).all()
    clauses = {(c.document_id, c.clause_id): c for _, c in rows if c is not None}
    out, back = [], []
    for row, _ in rows:
        mine = row.document_id == doc.id and (clause is None or row.anchor_id == clause.clause_id
                                              or _under(row.clause_id, clause.clause_id))
        if mine:
            out.append(row)
        if row.target_doc == doc.doc_id and row.document.active and (
                clause is None or _under(row.target_clause, clause.clause_id)):
            back.append(row)
    out.sort(key=lambda r: r.position)
    back.sort(key=lambda r: (r.document.doc_id, r.position))
    return [_view(r, clauses) for r in out], [_view(r, clauses) for r in back]


def cited_by_entry(entry: RegulationEntry) -> list[CitationView]:
    cond = PolicyCitation.register_key == entry.key
    if entry.document:
        cond = sa.or_(cond, PolicyCitation.target_doc == entry.document)
    stmt = (sa.select(PolicyCitation, PolicyClause).outerjoin(PolicyClause, _citing_clause())
            .where(cond).options(sa.orm.contains_eager(PolicyCitation.document)))
    rows = db.session.execute(_ordered(stmt)).all()
    clauses = {(c.document_id, c.clause_id): c for _, c in rows if c is not None}
    return [_view(r, clauses) for r, _ in rows]


def _citing_clause():
    return sa.and_(PolicyClause.document_id == PolicyCitation.document_id,
                   PolicyClause.clause_id == PolicyCitation.clause_id)


def print_sections(doc: PolicyDocument) -> list[tuple[str, str]]:
    """(clause id, plain HTML) of each section: no links, no permalinks, no labels."""
    return [(c.clause_id, render_markdown(c.markdown, anchor_html=lambda _cid: ""))
            for c in live_clauses(doc) if c.kind == "section"]


# ---------------------------------------------------------------- versions


@dataclass
class EditionView:
    """An earlier version of a document, parsed from its stored Markdown."""

    doc: PolicyDocument
    edition: PolicyEdition
    sections: list[tuple[str, str, str]]  # (clause id, label, html)
    in_force: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # article -> (id, label, 未变/修改/删除) in force
    meta_rows: list[MetaRow] = field(default_factory=list)  # its own file's 文号, 发文单位, dates


def editions(doc: PolicyDocument) -> list[PolicyEdition]:
    """The document's versions, newest first (only when it has more than one)."""
    rows = [e for e in doc.editions if e.active]
    return sorted(rows, key=lambda e: (e.current, e.effective or date.min, e.edition), reverse=True) \
        if len(rows) > 1 else []


def get_edition(doc: PolicyDocument, edition: str) -> PolicyEdition | None:
    return next((e for e in doc.editions if e.edition == edition[:10] and e.active), None)


def edition_view(doc: PolicyDocument, row: PolicyEdition) -> EditionView:
    parsed = parse_statute(row.markdown, row.source_file)
    ldoc = LibraryDoc(Path(row.source_file), row.source_file, "statute", row.markdown, parsed, row.content_hash)
    sources = ldoc.section_sources()
    renderer = Renderer(doc, issued=row.effective)
    html = lambda md: render_markdown(md, renderer.link_for, renderer.resolver.find)  # noqa: E731
    return EditionView(doc, row, [(c.id, c.label, html(sources.get(c.id, c.markdown))) for c in parsed.sections],
                       in_force_articles(doc, row),
                       rows_from_front_matter(parsed.meta, row.current) if doc.layout == "statute" else [])


def meta_rows(doc: PolicyDocument) -> list[MetaRow]:
    """A statute's 文号, 发文单位 and dates, each with its own act (templates/policy/_meta.html); [] for
    another document (its 文号, 发文单位 and 成文日期 are one act's)."""
    if doc.layout != "statute":
        return []
    return statute_rows(doc.number, list(doc.issuers or []), doc.promulgated, doc.promulgated_by,
                        doc.promulgated_as, doc.issued, doc.revised_by, current=True)


def in_force_articles(doc: PolicyDocument, row: PolicyEdition) -> dict[str, tuple[str, str, str]]:
    """Each article of an earlier edition → the article of the text in force that it became
    (renumbered or not) and whether its words changed; ('', '删除') when it is gone."""
    current = next((e for e in doc.editions if e.current and e.active), None)
    if current is None or current is row or doc.layout != "statute":
        return {}
    out: dict[str, tuple[str, str, str]] = {}
    for r in compare_editions(row.markdown, current.markdown).rows:
        if r.old is not None:
            out[r.old.clause_id] = (r.new.clause_id if r.new else "", r.new.label if r.new else "",
                                    {"same": "文字未变", "changed": "文字有修改"}.get(r.kind, "已删除"))
    return out


@dataclass
class ComparisonView:
    old: PolicyEdition
    new: PolicyEdition
    result: object  # portal.policy.compare.Comparison
    error: str = ""


def comparison(doc: PolicyDocument, from_edition: str, to_edition: str) -> ComparisonView | None:
    """The 对照版 of two editions (older → newer); None when the document has fewer than two.
    Unknown or equal editions fall back to the two latest, with a message."""
    rows = sorted(editions(doc), key=lambda e: (e.effective or date.min, e.edition))
    if len(rows) < 2:
        return None
    by_date = {e.edition: e for e in rows}
    old, new, error = by_date.get(from_edition), by_date.get(to_edition), ""
    if (from_edition or to_edition) and (old is None or new is None or old is new):
        error = "所选的两个版本无效或相同，已改为对照最近的两个版本。"
    if old is None or new is None or old is new:
        old, new = rows[-2], rows[-1]
    if (old.effective or date.min, old.edition) > (new.effective or date.min, new.edition):
        old, new = new, old
    return ComparisonView(old, new, compare_editions(old.markdown, new.markdown), error)


# ---------------------------------------------------------------- register


def register_entries() -> list[tuple[RegulationEntry, int]]:
    entries = db.session.scalars(sa.select(RegulationEntry).where(RegulationEntry.active)
                                 .order_by(RegulationEntry.sort_order)).all()
    counts = dict(db.session.execute(
        _ordered(sa.select(PolicyCitation.register_key, sa.func.count(PolicyCitation.id))
                 .where(PolicyCitation.register_key.is_not(None))).group_by(PolicyCitation.register_key)
        .order_by(None)).all())
    return [(e, counts.get(e.key, 0)) for e in entries]


def split_by_plan(entries: list[tuple[RegulationEntry, int]], doc_id: str | None = None
                  ) -> tuple[list[tuple[RegulationEntry, int]], list[tuple[RegulationEntry, int]]]:
    """The register in two: the entries the 方案 (``doc_id``) itself cites, and the other related
    regulations (cited only by other documents, or by none)."""
    plan = sa.select(PolicyDocument.id).where(PolicyDocument.doc_id == (doc_id or PLAN_ID)).scalar_subquery()
    rows = db.session.execute(sa.select(PolicyCitation.register_key, PolicyCitation.target_doc)
                              .where(PolicyCitation.document_id == plan)).all()
    keys = {k for k, _ in rows if k}
    docs = {d for _, d in rows if d}
    cited = [(e, n) for e, n in entries if e.key in keys or (e.document and e.document in docs)]
    return cited, [(e, n) for e, n in entries if (e, n) not in cited]


def get_entry(key: str) -> RegulationEntry | None:
    return db.session.scalar(sa.select(RegulationEntry).where(RegulationEntry.key == key[:80]))


FIELD_LABELS = {"title": "名称", "number": "文号", "issuer": "发布机关", "issued": "发布日期", "effective": "施行日期",
                "status": "效力", "document": "全文", "aliases": "文中称谓", "notes": "说明", "active": "在册"}


def entry_history(entry: RegulationEntry) -> list[dict]:
    """Who changed the entry's metadata, when, from what to what (from the audit log)."""
    rows = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.object_type == "regulation", AuditEntry.object_id == entry.key).order_by(AuditEntry.id.desc())
        .limit(50)).all()

    names = dict(db.session.execute(sa.select(User.username, User.display_name).where(
        User.username.in_({r.actor_name for r in rows}))).all()) if rows else {}
    out = []
    for row in rows:
        before, after = row.before or {}, row.after or {}
        changes = [(FIELD_LABELS.get(k, k), before.get(k), v) for k, v in after.items() if k in FIELD_LABELS]
        who = names.get(row.actor_name) or "内容同步"  # entries without a person came from content/ files
        out.append({"at": row.at, "who": who, "action": row.action, "changes": changes})
    return out


def linked_notes(entry: RegulationEntry) -> str:
    """The entry's 说明 as safe HTML, with the regulations it names linked (read at the entry's
    date, so a 办法 of 2018 links the version of a law in force in 2018)."""
    resolver = library_resolver()
    at = entry.issued.isoformat() if entry.issued else None

    def link_for(c: Citation):
        t = resolver.resolve(c, at=at)
        if t.register_key == entry.key and not t.doc_id:
            return None
        url = url_for_target(t.doc_id, t.clause, t.register_key, t.edition)
        return (url, t.note) if t.note else url

    return render_markdown(entry.notes, link_for, resolver.find)


def full_text_of(entry: RegulationEntry) -> PolicyDocument | None:
    """The library document holding the entry's full text, if imported."""
    resolver = library_resolver()
    target = resolver.resolve(Citation(0, 0, entry.title, title=entry.title, number=entry.number))
    doc_id = entry.document or target.doc_id
    doc = get_document(doc_id) if doc_id else None
    return doc if doc is not None and doc.active else None


# ---------------------------------------------------------------- JSON


def document_summary(doc: PolicyDocument) -> dict:
    return {
        "id": doc.doc_id, "title": doc.title, "number": doc.number, "issuers": doc.issuers,
        "date": doc.issued.isoformat() if doc.issued else None, "kind": doc.kind, "status": doc.status,
        "clause_count": doc.clause_count, "version": doc.version,
        "url": url_for("policy.document", doc_id=doc.doc_id),
        "api_url": url_for("policy_api.document", doc_id=doc.doc_id),
    }


def document_json(doc: PolicyDocument) -> dict:
    data = document_summary(doc)
    data.update({"short_title": doc.short_title, "addressees": doc.addressees, "layout": doc.layout,
                 "citation": cite(doc)})
    if doc.layout == "statute":  # "date" is the edition's; the 文号 goes with its own act's date
        data.update({"promulgated": doc.promulgated.isoformat() if doc.promulgated else None,
                     "promulgated_by": doc.promulgated_by, "promulgated_as": doc.promulgated_as,
                     "revised_by": doc.revised_by})
    data["clauses"] = [{
        "id": c.clause_id, "label": c.label, "title": c.title, "parent": c.parent, "text": c.text,
        "url": url_for("policy.clause", doc_id=doc.doc_id, clause_id=c.clause_id),
    } for c in live_clauses(doc)]
    return data
