"""The policy library: library list, document, clause, register; and its JSON API."""
from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.time import local_today
from portal.policy import api_bp, bp, library, library_filter
from portal.policy import favourites as fav
from portal.policy import services as s
from portal.policy.affected import latest_change
from portal.policy.forms import StarForm
from portal.web.access import any_account
from portal.web.forms import NOTHING_REFUSED, Refused
from portal.web.htmx import is_partial_request
from portal.web.panels import CLAUSE, read_panels


def _document_or_404(doc_id: str):
    doc = s.get_document(doc_id)
    if doc is None:
        abort(404)
    return doc


@bp.route("/")
@any_account  # trainees (学员) too
def index():
    q = request.args.get("q", "").strip()[:100]
    entries = s.register_entries()
    view = library.listing(q, request.args, [e for e, _ in entries])
    if is_partial_request():  # htmx swaps only a 200: the message about a bad date is in the partial
        return render_template("policy/_documents.html", view=view, docs=view.docs, q=q)
    cited, related = s.split_by_plan(entries)
    return render_template("policy/index.html", view=view, docs=view.docs, q=q, cited=cited, related=related,
                           places=library_filter.PLACES, date_fields=library_filter.DATE_FIELDS
                           ), 400 if view.filter.errors else 200


@bp.route("/<doc_id>")
@any_account  # trainees (学员) too
def document(doc_id: str):
    return document_page(_document_or_404(doc_id))


def document_page(doc, refused: Refused = NOTHING_REFUSED):
    """A document's page; `refused`: its 收藏 refused, the reason beside it, at 422."""
    renderer = s.Renderer(doc)
    sections = [(c, renderer.html(c.markdown)) for c in s.live_clauses(doc) if c.kind == "section"]
    cites, cited_by = s.citations_of(doc)
    page = render_template("policy/document.html", doc=doc, sections=sections, toc=s.toc(doc),
                           cite=s.cite, cited_by=cited_by, cites=cites, meta_rows=s.meta_rows(doc),
                           duty_summary=s.duty_summary(doc.doc_id), editions=s.editions(doc),
                           affected=latest_change(doc), **star_context(doc, refused=refused))
    return (page, 422) if refused.key else page


def star_context(doc, clause=None, refused: Refused = NOTHING_REFUSED) -> dict:
    """What templates/policy/_star.html needs for `doc` (or one of its articles)."""
    return {"star_doc": doc, "star_clause": clause, "star_form": StarForm(), "star_refused": refused,
            "star": fav.star_state(current_user, doc, clause.clause_id if clause is not None else "")}


@bp.route("/<doc_id>/print")
@any_account  # trainees (学员) too
def print_view(doc_id: str):
    """The document as the document: title block, 文号, body, closing; no portal apparatus."""
    doc = _document_or_404(doc_id)
    return render_template("policy/print.html", doc=doc, sections=s.print_sections(doc))


@bp.route("/<doc_id>/<clause_id>/print")
@any_account  # trainees (学员) too
def print_clause(doc_id: str, clause_id: str):
    """打印本条: one article as a citation (《法名》第X条, the edition and its 施行 date), then its text."""
    doc = _document_or_404(doc_id)
    clause = s.get_clause(doc, clause_id[:60])
    if clause is None:
        resolved = s.resolve_old_clause_id(doc, clause_id[:60]) or abort(404)
        return redirect(url_for("policy.print_clause", doc_id=doc.doc_id, clause_id=resolved))
    renderer = s.Renderer(doc)
    body = [(c, renderer.html(c.markdown)) for c in s.subtree(doc, clause)]
    current = next((e for e in doc.editions if e.current and e.active), None)
    return render_template("policy/print_clause.html", doc=doc, clause=clause, body=body, edition=current,
                           citation=s.cite(doc, clause), printed=local_today())


@bp.route("/<doc_id>/v/<edition>")
@any_account  # trainees (学员) too
def edition(doc_id: str, edition: str):
    doc = _document_or_404(doc_id)
    row = s.get_edition(doc, edition)
    if row is None:
        abort(404)
    if row.current:
        return redirect(url_for("policy.document", doc_id=doc.doc_id))
    return render_template("policy/edition.html", doc=doc, view=s.edition_view(doc, row), editions=s.editions(doc))


@bp.route("/<doc_id>/compare")
@any_account  # trainees (学员) too
def compare(doc_id: str):
    """对照版: two editions side by side (default: the one before the current, and the current)."""
    doc = _document_or_404(doc_id)
    view = s.comparison(doc, request.args.get("from", "")[:10], request.args.get("to", "")[:10])
    if view is None:
        abort(404)
    return render_template("policy/compare.html", doc=doc, view=view, editions=s.editions(doc))


@bp.route("/<doc_id>/<clause_id>")
@any_account  # trainees (学员) too
def clause(doc_id: str, clause_id: str):
    doc = _document_or_404(doc_id)
    clause = s.get_clause(doc, clause_id[:60])
    if clause is None:
        resolved = s.resolve_old_clause_id(doc, clause_id[:60])
        if resolved is None:
            abort(404)
        return redirect(url_for("policy.clause", doc_id=doc.doc_id, clause_id=resolved))
    return clause_page(doc, clause)


def clause_page(doc, clause, refused: Refused = NOTHING_REFUSED):
    """An article's page; `refused`: its 收藏 refused, the reason beside it, at 422."""
    renderer = s.Renderer(doc)
    body = [(c, renderer.html(c.markdown)) for c in s.subtree(doc, clause)]
    prev, nxt = s.neighbours(doc, clause)
    cites, cited_by = s.citations_of(doc, clause)
    page = render_template(
        "policy/clause.html", doc=doc, clause=clause, body=body, ancestors=s.ancestors(doc, clause),
        prev=prev, next=nxt, cite=s.cite, cites=cites, cited_by=cited_by, duties=s.duties_for_clause(doc.doc_id, clause.clause_id),
        children=[c for c in s.live_clauses(doc) if c.parent == clause.clause_id], editions=s.editions(doc),
        **star_context(doc, clause, refused),
        panels=read_panels(CLAUSE, doc.doc_id, clause.clause_id),
    )
    return (page, 422) if refused.key else page


@bp.route("/register/")
@any_account  # trainees (学员) too
def register():
    cited, related = s.split_by_plan(s.register_entries())
    return render_template("policy/register.html", cited=cited, related=related)


@bp.route("/register/<key>")
@any_account  # trainees (学员) too
def register_entry(key: str):
    entry = s.get_entry(key)
    if entry is None:
        abort(404)
    return render_template("policy/register_entry.html", entry=entry, full_text=s.full_text_of(entry),
                           cited_by=s.cited_by_entry(entry), history=s.entry_history(entry),
                           notes_html=s.linked_notes(entry))


@api_bp.route("")
@any_account  # trainees (学员) too
def documents():
    return jsonify(documents=[s.document_summary(d) for d in s.list_documents()])


@api_bp.route("/<doc_id>", endpoint="document")
@any_account  # trainees (学员) too
def document_api(doc_id: str):
    doc = _document_or_404(doc_id)
    return jsonify(s.document_json(doc))
