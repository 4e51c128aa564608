"""Figures: overview, matrix, city roll-up, overdue list (page, print, .xlsx), the API, duty coverage."""
from __future__ import annotations

from io import BytesIO

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal.access import no_store, requires
from portal.audit.services import record_download
from portal.capabilities import can
from portal.export_text import download_name
from portal.extensions import db
from portal.inputs import id_arg
from portal.models import TrainingArea, Unit
from portal.training import bp, exports, rules
from portal.training import reports as r
from portal.training.forms import EmptyForm
from portal.training.scope import areas_of, county_of_unit, county_scope, sees_phone, visible_counties
from portal.training.services import live_modules

PAGE_LIMIT = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str):
    return send_file(BytesIO(data), as_attachment=True, download_name=download_name(name), mimetype=XLSX)


def _wants_xlsx() -> bool:
    return request.args.get("format") == "xlsx"


@bp.route("/training/")
@requires("see_figures")
def index():
    scope = county_scope(current_user)
    counties, modules, total = r.overview(scope)  # a county's trainer: its own figures, the total included
    return render_template("training/index.html", counties=counties, modules=modules, total=total, rules=rules,
                           city=scope is None, overdue=r.overdue_count(scope))


@bp.route("/training/reports/matrix")
@requires("see_figures")
@no_store  # people's names by village
def matrix():
    counties = visible_counties(current_user)
    code = request.args.get("county", "")[:40]
    county = next((c for c in counties if c.code == code), None) or (counties[0] if len(counties) == 1 else None)
    township = None
    township_id = id_arg("township")
    if county is not None and township_id is not None:
        township = db.session.get(TrainingArea, township_id)
        if township is None or township.county_id != county.id or township.level != "township":
            township = None
    report = r.matrix(county, township) if county else None
    if report is not None and _wants_xlsx():
        name, data = f"{report.title}.xlsx", exports.matrix_xlsx(report)  # built before the record's commit
        record_download("export", "training_matrix", report.title, {"file": name, "rows": len(report.matrix.rows),
                                                                    "format": "xlsx"})
        return _xlsx(data, name)
    return render_template("training/matrix.html", report=report, rows=_matrix_rows(report), counties=counties,
                           county=county,
                           township=township, townships=areas_of(county.id) if county else [], rules=rules,
                           print_view=request.args.get("print") == "1")


def _matrix_rows(report):
    """Each row's state cells joined once: a county has ~4,000 cells and each state's cell is the same
    markup (the `state_cell` macro rendered once per state), so neither the page nor Python escapes
    or calls a macro per cell: the cells are plain strings joined, marked safe once per row."""
    if report is None:
        return []
    from flask import get_template_attribute
    from markupsafe import Markup

    state_cell = get_template_attribute("training/_state.html", "state_cell")
    cells = {s: f"<td>{state_cell(s, rules)}</td>" for s in rules.STATE_LABELS}
    return [(t, report.matrix.rows[t.id], Markup("".join([cells[s] for s in states]))) for t, states in report.rows()]


@bp.route("/training/reports/city")
@requires("see_figures")
def city():
    counties, modules, total = r.city_rollup()
    from portal.training.services import today

    which = request.args.get("by", "county")
    if _wants_xlsx():
        rows, first, title = (modules, "培训模块", "全市培训完成情况（按模块）") if which == "module" else \
            (counties, "县（市、区）", "全市培训完成情况（按县）")
        return _xlsx(exports.rollup_xlsx(title, today(), first, rows, total), f"{title}.xlsx")
    return render_template("training/city.html", counties=counties, modules=modules, total=total, rules=rules,
                           as_of=today(), print_view=request.args.get("print") == "1")


@bp.route("/training/reports/overdue")
@requires("see_figures")
@no_store  # phones, in full for the trainee's own trainers
def overdue():
    from portal.training.services import today

    scope = county_scope(current_user)
    show = lambda t: sees_phone(current_user, t)  # noqa: E731
    if _wants_xlsx():
        rows = r.overdue_list(scope)
        data = exports.overdue_xlsx(today(), rows, show)  # built before the record's commit expires the rows
        record_download("export", "training_overdue", f"培训逾期名单（{len(rows)} 项）",
                        {"file": "培训逾期名单.xlsx", "rows": len(rows), "format": "xlsx"})
        return _xlsx(data, "培训逾期名单.xlsx")
    rows = r.overdue_list(scope, limit=PAGE_LIMIT)  # the page shows the first ones; the sheet has all
    return render_template("training/overdue.html", rows=rows, total=r.overdue_count(scope), limit=PAGE_LIMIT,
                           rules=rules, show_phone=show, as_of=today(),
                           area_name=r.area_name, print_view=request.args.get("print") == "1")


@bp.route("/api/training")
@requires("see_figures")
def api():
    counties, modules, total = r.city_rollup()
    scope = county_scope(current_user)

    def tallies(row):
        return {**row.total.as_dict(), "by_role": {rules.ROLE_LABELS[k]: v.as_dict() for k, v in row.by_role.items()}}

    return jsonify(
        modules=[{"id": m.key, "title": m.title, "audience": [rules.ROLE_LABELS[a] for a in m.audience],
                  "clause_ids": m.clause_ids} for m in live_modules()],
        counties=[{"county": c.label, **tallies(c)} for c in counties if scope is None or c.key.id == scope],
        by_module=[{"id": m.key.key, "title": m.label, **tallies(m)} for m in modules] if scope is None else [],
        total=total.as_dict() if scope is None else None,
    )


# ---- the 三（二）10 duty: a county's coverage ------------------------------------------------

def _county_or_404(code: str) -> Unit:
    county = db.session.scalar(db.select(Unit).where(Unit.code == code[:40]))
    county = county_of_unit(county)
    if county is None:
        abort(404)
    if can(current_user, "see_figures") and county_scope(current_user) in (None, county.id):
        return county  # the office and leaders (the city), a trainer (their county)
    own = county_of_unit(current_user.unit)  # a Unit or a refdata.UnitRef: compared by id
    if can(current_user, "act_for_own_unit") and own is not None and own.id == county.id:
        return county
    abort(404)


@bp.route("/training/coverage/<code>.xlsx")
@requires("see_figures", "act_for_own_unit")
def coverage_sheet(code: str):
    from portal.training.services import today

    county = _county_or_404(code)
    rows, roster = r.coverage(county)
    return _xlsx(exports.coverage_xlsx(county.name, today(), rows, roster), f"{county.name}培训覆盖情况.xlsx")


@bp.route("/training/coverage/attach/<int:instance_id>", methods=["POST"])
@requires("act_on_any_duty", "act_for_own_unit")
def attach_coverage(instance_id: int):
    """Attach today's coverage sheet to the county's training duty as evidence for its 销号 request."""
    from werkzeug.datastructures import FileStorage

    from portal.duties.evidence import add_evidence
    from portal.duties.services import DutyError, NotAllowed as DutyNotAllowed, get_instance
    from portal.training.hooks import is_training_duty
    from portal.training.services import today

    inst = get_instance(instance_id)
    if inst is None or not is_training_duty(inst):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    county = county_of_unit(inst.unit)
    rows, roster = r.coverage(county)
    data = exports.coverage_xlsx(county.name, today(), rows, roster)
    name = f"{county.name}培训覆盖情况{today().strftime('%Y%m%d')}.xlsx"
    try:
        add_evidence(current_user, inst, FileStorage(BytesIO(data), name))
        flash("已将培训覆盖情况表作为佐证材料附上。", "success")
    except DutyNotAllowed:
        abort(403)
    except DutyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("duties.instance", instance_id=inst.id) + "#evidence")
