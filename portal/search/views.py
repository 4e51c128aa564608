"""The search page (full page, or its results partial for htmx) and GET /api/search."""
from flask import jsonify, make_response, render_template, request, url_for

from portal.access import any_account
from portal.htmx_utils import is_partial_request
from portal.search import bp
from portal.search import services as s

RESULTS_TARGET = "search-results"  # the id of the results container on the search page
PER_PAGE = 10


@bp.route("/search")
@any_account  # trainees (学员) too
def index():
    args = request.args
    f = {"q": args.get("q", "")[:2000], "doc": args.get("doc", "")[:80], "dept": args.get("dept", "")[:40],
         "validity": args.get("validity", "")[:40]}
    page = s.parse_page(args.get("page", 1))
    res = s.run_search(f["q"], doc=f["doc"], dept=f["dept"], validity=f["validity"], page=page, limit=PER_PAGE)
    kept = {k: v for k, v in f.items() if v}

    def page_url(n: int) -> str:
        return url_for("search.index", **kept, page=n)

    def url_with(**changes) -> str:
        return url_for("search.index", **{k: v for k, v in {**kept, **changes}.items() if v})

    context = dict(res=res, f=f, groups=s.group_by_document(res["results"]), page_url=page_url, url_with=url_with,
                   pager=s.Page(res["page"], res["limit"], res["total"]), options=s.filter_options())
    # The header box swaps the whole <main> (target "main"): only the page's own form gets the partial.
    if is_partial_request() and request.headers.get("HX-Target") == RESULTS_TARGET:
        response = make_response(render_template("search/_results.html", **context))
    else:
        response = make_response(render_template("search/index.html", **context))
    response.vary.add("HX-Target")
    return response


@bp.route("/api/search")
@any_account  # trainees (学员) too
def api():
    args = request.args
    limit, limit_notice = s.parse_limit(args.get("limit"))
    res = s.run_search(args.get("q", "")[:2000], doc=args.get("doc"), dept=args.get("dept"),
                       validity=args.get("validity"), limit=limit)
    return jsonify(s.api_payload(res, limit_notice))
