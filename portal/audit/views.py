"""The 审计日志 for the auditor (审计管理员): the page, and the same entries as .xlsx or CSV."""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, make_response, render_template, request

from portal.audit import bp, exports
from portal.audit.display import filter_choices, present
from portal.audit.services import AuditFilter, query_entries, record
from portal.core.labels import ACTION_LABELS, FIELD_LABELS, OBJECT_TYPE_LABELS, zh_date
from portal.extensions import db
from portal.web.access import no_store, requires
from portal.web.htmx import is_partial_request
from portal.web.pagination import PageAhead
from portal.web.query_args import parse_date_arg, parse_page_arg

FILE_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "csv": "text/csv; charset=utf-8"}

PER_PAGE = 50


def _filter_from_args(errors: list[str]) -> AuditFilter:
    date_from = parse_date_arg("from", errors, "开始日期")
    date_to = parse_date_arg("to", errors, "结束日期")
    if date_from and date_to and date_from > date_to:
        errors.append("开始日期不能晚于结束日期。")
    return AuditFilter(
        actor=request.args.get("actor", "").strip()[:64],
        action=request.args.get("action", "").strip()[:40],
        object_type=request.args.get("type", "").strip()[:40],
        text=request.args.get("q", "").strip()[:100],
        date_from=date_from,
        date_to=date_to,
    )


def _page(f: AuditFilter, errors: list[str], status: int = 200):
    number = parse_page_arg()
    rows = db.session.scalars(query_entries(f).limit(PER_PAGE + 1).offset((number - 1) * PER_PAGE)).all()
    page = PageAhead(rows, number, PER_PAGE)  # not counted: the log only grows
    actors, object_types = filter_choices()
    context = dict(page=page, entries=present(page.items), f=f, errors=errors, action_labels=ACTION_LABELS,
                   field_labels=FIELD_LABELS, type_labels=OBJECT_TYPE_LABELS, actors=actors,
                   object_types=object_types, export_limit=exports.EXPORT_LIMIT)
    template = "audit/_results.html" if is_partial_request() else "audit/index.html"
    return render_template(template, **context), status


@bp.route("/")
@requires("read_audit")
@no_store  # the log's details carry phones and names
def index():
    errors: list[str] = []
    return _page(_filter_from_args(errors), errors)


def _period(f: AuditFilter) -> str:
    if f.date_from and f.date_to:
        return f"{zh_date(f.date_from)}至{zh_date(f.date_to)}"
    if f.date_from:
        return f"{zh_date(f.date_from)}起"
    if f.date_to:
        return f"截至{zh_date(f.date_to)}"
    return "全部日期"


@bp.route("/export.<file_format>")
@requires("read_audit")
@no_store
def export(file_format: str):
    """The entries the page's filters select, as a file; the export itself is recorded in the log."""
    if file_format not in FILE_TYPES:
        abort(404)
    errors: list[str] = []
    f = _filter_from_args(errors)
    if errors:
        return _page(f, errors, 422)
    total = exports.count(f)
    if total > exports.EXPORT_LIMIT:
        return _page(f, [f"符合条件的记录有 {total} 条，超过单次导出上限 {exports.EXPORT_LIMIT} 条，"
                         "请缩小日期范围后分批导出。"], 422)
    title = f"审计日志（{_period(f)}，共 {total} 条）"
    record("export_audit", "audit_entry", "", label=title,
           after={"format": file_format, "rows": total, "date_from": f.date_from, "date_to": f.date_to,
                  "actor": f.actor, "action": f.action, "object_type": f.object_type, "text": f.text})
    db.session.commit()
    writer = exports.to_xlsx if file_format == "xlsx" else exports.to_csv
    response = make_response(writer(exports.entries(f), title))
    response.headers["Content-Type"] = FILE_TYPES[file_format]
    name = f"审计日志-{_period(f)}.{file_format}"
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
