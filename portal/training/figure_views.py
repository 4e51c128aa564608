"""Figures: overview, matrix, city roll-up, overdue list (page, print, .xlsx), the API, duty coverage."""
from __future__ import annotations

from io import BytesIO
from typing import NamedTuple

from flask import abort, flash, get_template_attribute, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import FileStorage

from portal.capabilities import can
from portal.core import training_rules
from portal.core.labels import zh_date
from portal.core.refusals import FormKey
from portal.core.time import today
from portal.duties.evidence import add_evidence
from portal.duties.services import DutyError, get_instance
from portal.duties.views import refused_on_duty_page
from portal.export_text import download_name
from portal.extensions import db
from portal.models import TrainingPlace, Unit
from portal.training import bp, certificates, export_jobs, exports
from portal.training import figures as r
from portal.training.export_views import deliver
from portal.training.forms import EmptyForm
from portal.training.hooks import can_open, is_training_duty
from portal.training.modules import live_modules
from portal.training.scope import (
    county_of_unit,
    county_scope,
    county_units,
    phones_shown,
    places_of,
    visible_counties,
)
from portal.web.access import no_store, requires
from portal.web.actions import attempt
from portal.web.forms import Refused
from portal.web.inputs import id_arg
from portal.web.pagination import PageOf
from portal.web.query_args import parse_page_arg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str):
    return send_file(BytesIO(data), as_attachment=True, download_name=download_name(name), mimetype=XLSX)


def _wants_xlsx() -> bool:
    return request.args.get("format") == "xlsx"


@bp.route("/training/")
@requires("see_figures")
def index():
    f = r.figures_for(current_user)  # a county's trainer: its own figures, the total included
    return render_template("training/index.html", counties=f.counties, modules=f.modules, total=f.total, training_rules=training_rules,
                           city=f.city, overdue=f.total.overdue)


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
        township = db.session.get(TrainingPlace, township_id)
        if township is None or township.county_id != county.id or township.level != "township":
            township = None
    if county is not None and _wants_xlsx():  # small or kept: the file; else a background export's page
        return deliver(export_jobs.matrix_spec(county, township))
    report = r.matrix(county, township, page=parse_page_arg()) if county else None
    return render_template("training/matrix.html", report=report, rows=_matrix_rows(report), counties=counties,
                           hours_text=certificates.hours_text,
                           county=county,
                           township=township, townships=places_of(county.id) if county else [], training_rules=training_rules,
                           print_view=request.args.get("print") == "1")


def _matrix_rows(report):
    """(person, row tally, state cells, closing cells) of the page: markup built once per distinct value,
    not per person. A state's cell is the same markup wherever it appears (the `state_cell` macro
    rendered once per state), and the closing cells (完成, 完成率, 学时) repeat across people (a handful
    of counts and hours): a page of fifty people then calls no macro per row, and its cost hardly
    depends on how many people the county has."""
    if report is None:
        return []
    state_cell, frac, pct = (get_template_attribute("training/_state.html", name) for name in ("state_cell", "frac", "pct"))
    cells = {s: f"<td>{state_cell(s, training_rules)}</td>" for s in training_rules.STATE_LABELS}
    hours_cell = get_template_attribute("training/_matrix_row.html", "hours_cell")
    closing: dict[tuple, Markup] = {}
    out = []
    for t, states in report.rows():
        row = report.matrix.rows[t.id]
        key = (row.completed, row.assigned, report.hours.get(t.id, 0), report.short(t.id))
        if key not in closing:
            closing[key] = Markup(f"<td>{frac(row.completed, row.assigned)}</td><td>{pct(row.percent, row.assigned)}</td>"
                                  f"{hours_cell(key[2], key[3], report.target, certificates.hours_text)}")
        out.append((t, training_rules.post_label(t.post), Markup("".join([cells[s] for s in states])), closing[key]))
    return out


@bp.route("/training/reports/city")
@requires("see_figures")
def city():
    """全市汇总, or for a county's trainer the same summary of their county (page and .xlsx alike)."""
    f = r.figures_for(current_user)
    place = "全市" if f.city else f.counties[0].label if f.counties else "本县（市、区）"
    which = request.args.get("by", "county")
    if _wants_xlsx():
        rows, first, title = (f.modules, "培训模块", f"{place}培训完成情况（按模块）") if which == "module" else \
            (f.counties, "县（市、区）", f"{place}培训完成情况（按县）")
        return _xlsx(exports.rollup_xlsx(title, today(), first, rows, f.total), f"{title}.xlsx")
    return render_template("training/city.html", counties=f.counties, modules=f.modules, total=f.total, training_rules=training_rules,
                           place=place, city=f.city, as_of=today(), print_view=request.args.get("print") == "1")


@bp.route("/training/reports/overdue")
@requires("see_figures")
@no_store  # phones, in full for the trainee's own trainers
def overdue():
    scope = county_scope(current_user)
    if _wants_xlsx():  # small or kept: the file; else a background export's page
        return deliver(export_jobs.overdue_spec(scope))
    total = r.overdue_count(scope)
    page = PageOf(total, parse_page_arg(), r.OVERDUE_PAGE)
    on = today()
    rows = _overdue_rows(r.overdue_list(scope, limit=page.per_page, offset=page.offset), on)
    return render_template("training/overdue.html", rows=rows, total=total, page=page, as_of=on,
                           trainee_link=can_open("training.trainee"), print_view=request.args.get("print") == "1")


class OverdueShown(NamedTuple):
    """An overdue line with what the page prints of it decided."""

    line: r.OverdueRow
    post: str
    place: str
    phone: str
    due: str
    days: int


def _overdue_rows(lines: list[r.OverdueRow], on) -> list[OverdueShown]:
    """Each line's labels decided here, once per line (a template call per cell was most of what a
    page of fifty lines cost beyond the page itself); the viewer's phone rights are asked once."""
    counties = {c.id: c.name for c in county_units()}
    shown = phones_shown(current_user)
    return [OverdueShown(x, training_rules.post_label(x.post), counties.get(x.county_id, "") + x.place,
                         training_rules.phone_as_shown(x.phone, x.county_id in shown), zh_date(x.due), x.days(on))
            for x in lines]


@bp.route("/api/training")
@requires("see_figures")
def api():
    """The figures the viewer may see (`figures_for`): a county's trainer gets their county's row, its
    figures per module and its total, as on the pages."""
    f = r.figures_for(current_user)

    def tallies(row):
        return {**row.total.as_dict(), "by_role": {training_rules.POST_LABELS[k]: v.as_dict() for k, v in row.by_role.items()}}

    return jsonify(
        modules=[{"id": m.key, "title": m.title, "audience": [training_rules.POST_LABELS[a] for a in m.audience],
                  "clause_ids": m.clause_ids} for m in live_modules()],
        scope="全市" if f.city else (f.counties[0].label if f.counties else ""),
        counties=[{"county": c.label, **tallies(c)} for c in f.counties],
        by_module=[{"id": m.key.key, "title": m.label, **tallies(m)} for m in f.modules],
        total=f.total.as_dict(),
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
    county = _county_or_404(code)
    rows, roster = r.coverage(county)
    return _xlsx(exports.coverage_xlsx(county.name, today(), rows, roster), f"{county.name}培训覆盖情况.xlsx")


@bp.route("/training/coverage/attach/<int:instance_id>", methods=["POST"])
@requires("act_on_any_duty", "act_for_own_unit")
def attach_coverage(instance_id: int):
    """Attach today's coverage sheet to the county's training duty as evidence for its 销号 request."""
    inst = get_instance(instance_id)
    if inst is None or not is_training_duty(inst):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    county = county_of_unit(inst.unit)
    rows, roster = r.coverage(county)
    data = exports.coverage_xlsx(county.name, today(), rows, roster)
    name = f"{county.name}培训覆盖情况{today().strftime('%Y%m%d')}.xlsx"
    refusal = attempt(lambda: add_evidence(current_user, inst, FileStorage(BytesIO(data), name)), DutyError)
    if refusal is not None:  # the duty page again, the reason beside the button
        return refused_on_duty_page(get_instance(instance_id), Refused(FormKey.COVERAGE, str(refusal)))
    flash("已将培训覆盖情况表作为佐证材料附上。", "success")
    return redirect(url_for("duties.instance", instance_id=instance_id) + "#evidence")
