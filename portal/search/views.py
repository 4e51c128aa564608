"""The search page (full page, or its results partial for htmx) and /api/search.

Queries normally come by GET (shareable links); the forms cap the box at the length the engine
searches, so a URL stays short. A longer text (a pasted paragraph) can be sent by POST — the same
page or JSON, CSRF-checked like every POST — and gets the notice that only its start was searched.
"""
from flask import abort, jsonify, make_response, render_template, request, url_for

from portal.search import bp, engine
from portal.search import services as s
from portal.search.forms import SearchForm
from portal.web.access import any_account
from portal.web.htmx import is_partial_request
from portal.web.pagination import page_number

RESULTS_TARGET = "search-results"  # the id of the results container on the search page
PER_PAGE = 10


def _query_args() -> dict:
    """q, doc, dept, validity, page, limit from the query string (GET) or the form (POST)."""
    if request.method == "POST":
        form = SearchForm()
        if not form.validate_on_submit():
            abort(400)
        return {"q": form.q.data or "", "doc": form.doc.data or "", "dept": form.dept.data or "",
                "validity": form.validity.data or "", "page": form.page.data or 1, "limit": form.limit.data,
                "literal": form.literal.data or ""}
    args = request.args
    return {"q": args.get("q", "")[:2000], "doc": args.get("doc", "")[:80], "dept": args.get("dept", "")[:40],
            "validity": args.get("validity", "")[:40], "page": args.get("page", 1), "limit": args.get("limit"),
            "literal": args.get("literal", "")[:2]}


@bp.route("/search", methods=["GET", "POST"])
@any_account  # trainees (学员) too
def index():
    a = _query_args()
    f = {k: a[k] for k in ("q", "doc", "dept", "validity")}
    f["literal"] = "1" if a["literal"] == "1" else ""   # search the words as typed (no 简体/拼音/纠错/法名)
    page = page_number(a["page"], engine.MAX_WINDOW // PER_PAGE)
    res = s.run_search(f["q"], doc=f["doc"], dept=f["dept"], validity=f["validity"], page=page, limit=PER_PAGE,
                       literal=bool(f["literal"]))
    typed = f["q"]  # the box keeps all that was typed (a long paste is searched by its head, not lost)
    f["q"] = res.query or f["q"][:200]  # links carry what was searched
    kept = {k: v for k, v in f.items() if v}

    def page_url(n: int) -> str:
        return url_for("search.index", **kept, page=n)

    def url_with(**changes) -> str:
        return url_for("search.index", **{k: v for k, v in {**kept, **changes}.items() if v})

    context = dict(res=res, f=f, typed=typed, groups=s.group_by_document(res.results), page_url=page_url, url_with=url_with,
                   pager=s.Page(res.page, res.limit, res.total), options=s.filter_options(),
                   not_found=s.not_found_notice(res), cards=s.title_cards(res),
                   understood=s.understood_notice(res))
    # The header box swaps the whole <main> (target "main"): only the page's own form gets the partial.
    if is_partial_request() and request.headers.get("HX-Target") == RESULTS_TARGET:
        response = make_response(render_template("search/_results.html", **context))
    else:
        response = make_response(render_template("search/index.html", **context))
    response.vary.add("HX-Target")
    return response


@bp.route("/api/search", methods=["GET", "POST"])
@any_account  # trainees (学员) too
def api():
    a = _query_args()
    limit, limit_notice = s.parse_limit(a["limit"])
    res = s.run_search(a["q"], doc=a["doc"], dept=a["dept"], validity=a["validity"], limit=limit,
                       literal=a["literal"] == "1")
    return jsonify(s.api_payload(res, limit_notice))
