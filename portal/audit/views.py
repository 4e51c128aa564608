from flask import render_template, request

from portal.access import roles
from portal.audit import bp
from portal.audit.display import filter_choices, present
from portal.audit.services import (
    ACTION_LABELS,
    FIELD_LABELS,
    OBJECT_TYPE_LABELS,
    AuditFilter,
    query_entries,
)
from portal.extensions import db
from portal.forms_util import parse_date_arg, parse_page_arg
from portal.htmx_utils import is_partial_request
from portal.pagination import PageAhead
from portal.roles import ADMIN

PER_PAGE = 50


@bp.route("/")
@roles(ADMIN)
def index():
    errors: list[str] = []
    date_from = parse_date_arg("from", errors, "开始日期")
    date_to = parse_date_arg("to", errors, "结束日期")
    if date_from and date_to and date_from > date_to:
        errors.append("开始日期不能晚于结束日期。")
    f = AuditFilter(
        actor=request.args.get("actor", "").strip()[:64],
        action=request.args.get("action", "").strip()[:40],
        object_type=request.args.get("type", "").strip()[:40],
        text=request.args.get("q", "").strip()[:100],
        date_from=date_from,
        date_to=date_to,
    )
    number = parse_page_arg()
    rows = db.session.scalars(query_entries(f).limit(PER_PAGE + 1).offset((number - 1) * PER_PAGE)).all()
    page = PageAhead(rows, number, PER_PAGE)  # not counted: the log only grows
    actors, object_types = filter_choices()
    context = dict(
        page=page,
        entries=present(page.items),
        f=f,
        errors=errors,
        action_labels=ACTION_LABELS,
        field_labels=FIELD_LABELS,
        type_labels=OBJECT_TYPE_LABELS,
        actors=actors,
        object_types=object_types,
    )
    if is_partial_request():
        return render_template("audit/_results.html", **context)
    return render_template("audit/index.html", **context)
