from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import roles
from portal.extensions import db
from portal.forms import first_error
from portal.reports import bp
from portal.reports.corrections import can_correct, correct, mark_read
from portal.reports.forms import ReportForm
from portal.zhcontrols import months_between
from portal.reports.services import (
    RECENT_REPORTS,
    FIELDS,
    SUBMITTED,
    ReportError,
    can_edit,
    can_read,
    current_month,
    due_date,
    get_report,
    parse_month,
    prefill,
    save,
    submissions,
    submitted_late,
    unit_reports,
)
from portal.roles import ADMIN, LEADER, LIAISON
from portal.units.services import unit_by_code


FIRST_MONTH = "2022-01"  # the transfer work began in 2022


@bp.route("/")
@roles(ADMIN, LEADER, LIAISON)
def index():
    month = parse_month(request.args.get("month", "")) or current_month()
    if request.args.get("open") and current_user.unit and can_edit(current_user, current_user.unit):
        return redirect(url_for("reports.edit", unit_code=current_user.unit.code, month=month))
    due_day = current_app.config["REPORT_DUE_DAY"]
    rows = submissions(month, due_day) if current_user.has_role(ADMIN, LEADER) else None
    own = unit_reports(current_user.unit) if current_user.unit and can_edit(current_user, current_user.unit) else None
    bad_month = bool(request.args.get("month")) and parse_month(request.args.get("month", "")) is None
    return render_template("reports/index.html", month=month, rows=rows, own=own, due=due_date(month, due_day),
                           bad_month=bad_month, current=current_month(),
                           months=months_between(FIRST_MONTH, current_month()),
                           is_late=lambda r: submitted_late(r, due_day), recent=RECENT_REPORTS)


def _report_page_or_abort(unit_code: str, month: str):
    unit = unit_by_code(unit_code[:40])
    if unit is None or parse_month(month) is None:
        abort(404)
    if not can_read(current_user, unit):
        abort(403)
    return unit


@bp.route("/<unit_code>/<month>", methods=["GET", "POST"])
@roles(ADMIN, LEADER, LIAISON)
def edit(unit_code: str, month: str):
    unit = _report_page_or_abort(unit_code, month)
    form = ReportForm()
    error = None
    if request.method == "POST":
        if not can_edit(current_user, unit):
            abort(403)
        error = _save(unit, month, form)
        if error is None:
            flash("更正已提交，原报告保留为已更正的旧版。" if form.correcting else
                  "报告已提交。" if form.submitting else "草稿已保存。", "success")
            return redirect(url_for("reports.edit", unit_code=unit.code, month=month))
    report = get_report(unit, month)
    if request.method == "GET":
        mark_read(current_user, report)  # the 督查室 opening a submitted report reads it
    editable = can_edit(current_user, unit) and not (report and report.status == SUBMITTED)
    if error and editable:
        values = form.values()  # a refused save keeps what was typed
    else:
        values = {f: getattr(report, f) for f in FIELDS} if report else prefill(unit, month)
    draft = form.values() if error and not editable else values  # a refused correction keeps its text
    return render_template("reports/edit.html", unit=unit, month=month, report=report, values=values, error=error,
                           editable=editable, draft=draft,
                           correctable=can_correct(current_user, unit, report)), (422 if error else 200)


def _save(unit, month: str, form: ReportForm) -> str | None:
    """Save or submit; the reason it was refused, or None."""
    if not form.validate():
        return first_error(form)
    try:
        if form.correcting:
            correct(current_user, unit, month, form.report_input(), form.version.data)
        else:
            save(current_user, unit, month, form.report_input(), form.submitting, form.version.data)
    except ReportError as exc:
        db.session.rollback()
        return str(exc)
    return None
