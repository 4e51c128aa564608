from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import locking
from portal.capabilities import can
from portal.extensions import db
from portal.locking import Conflict
from portal.models.reports import SUBMITTED
from portal.reports import bp
from portal.reports.corrections import can_correct, correct, mark_read
from portal.reports.forms import ReportForm
from portal.reports.services import (
    FIELDS,
    LABELS,
    RECENT_REPORTS,
    ReportError,
    StaleReport,
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
from portal.units.services import unit_by_code
from portal.web.access import requires
from portal.web.forms import expected_version, first_error
from portal.web.query_args import plan_arg
from portal.web.zhcontrols import months_between

FIRST_MONTH = "2022-01"  # the transfer work began in 2022


@bp.route("/")
@requires("see_all_units", "act_for_own_unit")
def index():
    month = parse_month(request.args.get("month", "")) or current_month()
    if request.args.get("open") and current_user.unit and can_edit(current_user, current_user.unit):
        return redirect(url_for("reports.edit", unit_code=current_user.unit.code, month=month))
    due_day = current_app.config["REPORT_DUE_DAY"]
    rows = submissions(month, due_day) if can(current_user, "see_all_units") else None
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
@requires("see_all_units", "act_for_own_unit")
def edit(unit_code: str, month: str):
    unit = _report_page_or_abort(unit_code, month)
    form = ReportForm()
    error = conflict = None
    if request.method == "POST":
        if not can_edit(current_user, unit):
            abort(403)
        error, conflict = _save(unit, month, form)
        if error is None:
            flash("更正已提交，原报告保留为已更正的旧版。" if form.correcting else
                  "报告已提交。" if form.submitting else "草稿已保存。", "success")
            return redirect(url_for("reports.edit", unit_code=unit.code, month=month))
    report = get_report(unit, month)
    plan_problems: list[str] = []
    plan_id = plan_arg(request.args, plan_problems)  # the prefill: every plan's duties, or the one chosen
    if request.method == "GET":
        mark_read(current_user, report)  # the 督查室 opening a submitted report reads it
    editable = can_edit(current_user, unit) and not (report and report.status == SUBMITTED)
    if error and editable:
        values = form.values()  # a refused save keeps what was typed
    else:
        values = {f: getattr(report, f) for f in FIELDS} if report else prefill(unit, month, plan_id)
    draft = form.values() if error and not editable else values  # a refused correction keeps its text
    # A refused form keeps the version its text was edited from: saving it again is refused again, until
    # the person chooses to replace the colleague's version (portal.locking.Conflict).
    seen = (form.version.data or 0) if error else (report.version if report else 0)
    return render_template("reports/edit.html", unit=unit, month=month, report=report, values=values, error=error,
                           editable=editable, draft=draft, conflict=conflict, seen_version=seen,
                           correctable=can_correct(current_user, unit, report), plan_id=plan_id,
                           plan_problems=plan_problems), (422 if error else 200)


def _save(unit, month: str, form: ReportForm) -> tuple[str | None, Conflict | None]:
    """Save or submit; the reason it was refused (and the colleague's version, if that was why), or None."""
    if not form.validate():
        return first_error(form), None
    try:
        if form.correcting:
            correct(current_user, unit, month, form.report_input(), expected_version(form))
        else:
            save(current_user, unit, month, form.report_input(), form.submitting, expected_version(form))
    except StaleReport as exc:
        db.session.rollback()
        return str(exc), _conflict(unit, month, form)
    except ReportError as exc:
        db.session.rollback()
        return str(exc), None
    return None, None


def _conflict(unit, month: str, form: ReportForm) -> Conflict | None:
    report = get_report(unit, month)
    if report is None:
        return None
    return locking.conflict(LABELS, {f: getattr(report, f) for f in FIELDS}, form.values(), report.version,
                            by=report.updated_by.display_name if report.updated_by else None, at=report.updated_at)
