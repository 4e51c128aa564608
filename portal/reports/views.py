from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import roles
from portal.locking import parse_version
from portal.reports import bp
from portal.reports.corrections import can_correct, correct, mark_read
from portal.reports.services import (
    ReportError,
    ReportInput,
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


@bp.route("/")
@roles(ADMIN, LEADER, LIAISON)
def index():
    month = parse_month(request.args.get("month", "")) or current_month()
    due_day = current_app.config["REPORT_DUE_DAY"]
    rows = submissions(month, due_day) if current_user.has_role(ADMIN, LEADER) else None
    own = unit_reports(current_user.unit) if current_user.unit and can_edit(current_user, current_user.unit) else None
    bad_month = bool(request.args.get("month")) and parse_month(request.args.get("month", "")) is None
    return render_template("reports/index.html", month=month, rows=rows, own=own, due=due_date(month, due_day),
                           bad_month=bad_month, current=current_month(),
                           is_late=lambda r: submitted_late(r, due_day))


@bp.route("/<unit_code>/<month>", methods=["GET", "POST"])
@roles(ADMIN, LEADER, LIAISON)
def edit(unit_code: str, month: str):
    unit = unit_by_code(unit_code[:40])
    if unit is None or parse_month(month) is None:
        abort(404)
    if not can_read(current_user, unit):
        abort(403)
    report = get_report(unit, month)
    error = None
    if request.method == "POST":
        if not can_edit(current_user, unit):
            abort(403)
        data = ReportInput(*(request.form.get(f, "") for f in ("progress", "problems", "next_steps")))
        correcting = request.form.get("submit") == "correct"
        try:
            if correcting:
                correct(current_user, unit, month, data, parse_version(request.form.get("version")))
            else:
                save(current_user, unit, month, data, request.form.get("submit") == "1",
                     parse_version(request.form.get("version")))
        except ReportError as exc:
            error = str(exc)
            from portal.extensions import db

            db.session.rollback()
            report = get_report(unit, month)
        else:
            flash("更正已提交，原报告保留为已更正的旧版。" if correcting else
                  "报告已提交。" if request.form.get("submit") == "1" else "草稿已保存。", "success")
            return redirect(url_for("reports.edit", unit_code=unit.code, month=month))
    if request.method == "GET":
        mark_read(current_user, report)
    values = ({f: getattr(report, f) for f in ("progress", "problems", "next_steps")} if report
              else prefill(unit, month))
    draft = values
    if request.method == "POST" and error:
        draft = {f: request.form.get(f, "") for f in ("progress", "problems", "next_steps")}
        if not (report and report.status == "submitted"):
            values = draft
    return render_template("reports/edit.html", unit=unit, month=month, report=report, values=values, error=error,
                           draft=draft, correctable=can_correct(current_user, unit, report),
                           editable=can_edit(current_user, unit) and not (report and report.status == "submitted")), (422 if error else 200)
