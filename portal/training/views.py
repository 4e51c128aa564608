"""Trainer pages: roster, one trainee, assignment, attendance sheets, places. Thin over services.
(The roster import pages are in import_views.py.)"""
from __future__ import annotations

from base64 import b64encode
from io import BytesIO
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from portal.audit.services import record
from portal.core import training_rules
from portal.core.labels import zh_date
from portal.core.refusals import FormKey
from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, Completion, SignInSheet, Trainee, TrainingModule, TrainingPlace, Unit, User
from portal.training import bp, courses
from portal.training import services as s
from portal.training.certificate_views import person_panel
from portal.training.exports import initial_passwords_xlsx
from portal.training.figures import RosterLine, roster_page
from portal.training.forms import (
    ActiveForm,
    AssignOneForm,
    MarkCompleteForm,
    MergeAreaForm,
    ReasonForm,
    RenameAreaForm,
    SessionForm,
    TickForm,
    choices,
)
from portal.training.roster_edit import has_own_login
from portal.training.roster_edit import history as roster_history
from portal.training.roster_file import template_workbook
from portal.training.scope import (
    TrainingError,
    can_manage,
    county_scope,
    county_units,
    merge_areas,
    phones_shown,
    places_by,
    places_of,
    rename_area,
    visible_counties,
)
from portal.training.signin import number_of
from portal.training.signin_views import session_or_404, sheet_page
from portal.web.access import no_store, requires
from portal.web.actions import attempt
from portal.web.forms import NOTHING_REFUSED, Refused, first_error
from portal.web.htmx import is_partial_request
from portal.web.inputs import id_arg
from portal.web.pagination import PageAhead, PageOf
from portal.web.query_args import parse_page_arg

PAGE = 50
SHEETS_PAGE = 20


def _county_arg(name: str = "county") -> Unit | None:
    code = request.args.get(name, "")[:40]
    return next((c for c in visible_counties(current_user) if c.code == code), None)


def _township_options(counties, selected: int | None) -> Markup:
    """The township picker's options of the assignment and sheet forms: an <optgroup> per county
    (static/js/training.js shows the chosen county's). Built in one pass here: a city trainer's picker
    holds every county's townships, and a template loop per option was most of the sheets page's cost."""
    found = places_by([c.id for c in counties])
    parts = []
    for c in counties:
        if found.get(c.id):
            parts.append(f'<optgroup label="{escape(c.name)}" data-county="{escape(c.code)}">')
            parts.extend(f'<option value="{t.id}"{" selected" if t.id == selected else ""}>{escape(t.name)}</option>'
                         for t in found[c.id])
            parts.append("</optgroup>")
    return Markup("".join(parts))


def _trainee_or_404(trainee_id: int) -> Trainee:
    # Its county, places and account (with roles) are what its pages show: joined, not fetched one by one.
    t = db.session.get(Trainee, trainee_id, options=[
        so.joinedload(Trainee.county), so.joinedload(Trainee.township), so.joinedload(Trainee.village),
        so.joinedload(Trainee.user).joinedload(User.role_rows)])
    if t is None or not can_manage(current_user, t.county_id):
        abort(404)
    return t


def _module_choices(form_field, audience: str | None = None) -> None:
    form_field.choices = choices([("", "请选择")] + [(m.key, m.title) for m in s.live_modules()
                                                  if audience is None or audience in m.audience])


# ---- roster -------------------------------------------------------------------------------

@bp.route("/training/roster")
@requires("manage_training")
@no_store  # phones
def roster():
    county = _county_arg()
    counties = visible_counties(current_user)
    if county is None and county_scope(current_user) is not None and counties:
        county = counties[0]
    conditions = []
    if county is not None:
        conditions.append(Trainee.county_id == county.id)
    township_id = id_arg("township")
    if township_id is not None:
        conditions.append(Trainee.township_id == township_id)
    role = request.args.get("role", "")
    if role in training_rules.POST_LABELS:
        conditions.append(Trainee.post == role)
    q = request.args.get("q", "").strip()[:40]
    if q:
        conditions.append(sa.or_(Trainee.name.contains(q, autoescape=True), Trainee.phone.contains(q, autoescape=True)))
    if request.args.get("inactive") != "1":
        conditions.append(Trainee.active)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Trainee).where(*conditions))
    page = PageOf(total or 0, parse_page_arg(), PAGE)
    page.items = _roster_rows(roster_page(conditions, page.offset, PAGE))
    return render_template("training/roster.html", page=page, county=county, counties=counties,
                           townships=places_of(county.id) if county else [], q=q, role=role, township_id=township_id,
                           training_rules=training_rules)


class RosterRow(NamedTuple):
    """A roster line with what the page prints of it decided (labels, the phone masked or not)."""

    line: RosterLine
    post: str
    county: str
    phone: str
    tier: str


def _roster_rows(lines: list[RosterLine]) -> list[RosterRow]:
    """Each line's labels decided here, once per line: a template call per cell was most of what a
    page of fifty people cost beyond the page itself."""
    county_names = {c.id: c.name for c in county_units()}
    shown = phones_shown(current_user)
    tiers = courses.tiers_of([t.id for t in lines], today())
    return [RosterRow(t, training_rules.post_label(t.post), county_names.get(t.county_id, ""),
                      training_rules.phone_as_shown(t.phone, t.county_id in shown),
                      training_rules.tier_label(tiers.get(t.id))) for t in lines]


@bp.route("/training/roster/template.xlsx")
@requires("manage_training")
def roster_template():
    return send_file(BytesIO(template_workbook()), as_attachment=True, download_name="培训花名册模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def passwords_page(accounts: list[tuple[str, str, str]], heading: str, summary: str, back: str, reset: bool = False):
    """New accounts' first passwords (name, account, password), shown this once: the database keeps only
    their hashes. A printable table and the same as an .xlsx carried inside the page (nothing is kept
    on the server to fetch later); not cached. `reset`: an existing account's password was regenerated."""
    sheet = b64encode(initial_passwords_xlsx(today(), accounts)).decode("ascii")
    response = make_response(render_template("training/import_done.html", accounts=accounts, sheet=sheet,
                                             heading=heading, summary=summary, back=back, reset=reset))
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- one trainee --------------------------------------------------------------------------

@bp.route("/training/trainees/<int:trainee_id>")
@requires("manage_training")
@no_store  # the person's phone
def trainee(trainee_id: int):
    return _trainee_page(_trainee_or_404(trainee_id))


def _trainee_page(t: Trainee, refused: Refused = NOTHING_REFUSED, form=None):
    """A trainee's page; `refused`: a form the server refused, drawn again with its message beside it and
    what was typed kept (`form`: the refused 安排培训 or 登记完成 form as posted), at 422."""
    assign_form = form if refused.on(FormKey.ASSIGN) and form is not None else AssignOneForm(formdata=None)
    complete_form = form if refused.on(FormKey.COMPLETE) and form is not None else MarkCompleteForm(formdata=None)
    _module_choices(assign_form.module, t.post)
    _module_choices(complete_form.module, t.post)
    history = s.history_of(t)
    items = s.assignments_of(t, history)
    on_page = {FormKey.ACTIVE, FormKey.ASSIGN, FormKey.COMPLETE} | ({FormKey.NEW_PASSWORD} if has_own_login(t) else set()) | \
        {FormKey.unassign(a.id) for a, _m, _state, c in items if a and not c} | \
        {FormKey.void(c.id) for c in history if not c.voided}
    page = render_template("training/trainee.html", t=t, items=items, history=history,
                           training_rules=training_rules, assign_form=assign_form, complete_form=complete_form,
                           reason_form=ReasonForm(formdata=None), active_form=ActiveForm(formdata=None), today=today(),
                           changes=roster_history(t), has_own_login=has_own_login(t), refused=refused,
                           refused_elsewhere=bool(refused.key) and refused.key not in on_page,
                           **person_panel(t, history))
    return page, (422 if refused.key else 200)


def _on_trainee_page(t: Trainee, form, key: str, action, message=None):
    """Validate `form`, run `action` (`portal.web.actions.attempt`): refused, the trainee's page again with
    the reason beside the form `key` and what was typed kept; done, back to the page with `message`
    (a text, or a function of what the action returned)."""
    trainee_id = t.id  # read before the action: a rollback expires `t`
    if not form.validate_on_submit():
        return _trainee_page(t, Refused(key, first_error(form), request.form), form)
    done = []
    refusal = attempt(lambda: done.append(action()), TrainingError)
    if refusal is not None:
        return _trainee_page(_trainee_or_404(trainee_id), Refused(key, str(refusal), request.form), form)
    text = message(done[0]) if callable(message) else message
    if isinstance(text, tuple):
        flash(*text)
    elif text:
        flash(text, "success")
    return redirect(url_for("training.trainee", trainee_id=trainee_id))


@bp.route("/training/trainees/<int:trainee_id>/active", methods=["POST"])
@requires("manage_training")
def trainee_active(trainee_id: int):
    t = _trainee_or_404(trainee_id)
    form = ActiveForm()

    def act():
        if t.active != form.active.data:
            t.active = form.active.data
            record("reactivate" if t.active else "deactivate", "trainee", t.id, label=t.name,
                   after={"active": t.active})
            db.session.commit()
            if t.active:
                s.assign_late_joiners([t.id])
                db.session.commit()

    return _on_trainee_page(t, form, FormKey.ACTIVE, act,
                            "已恢复在册。" if form.active.data else "已停用：历史记录保留，不再计入花名册人数。")


def _assigned(module, due):
    """What one 安排培训 did, as the flash after it."""
    def say(done) -> tuple[str, str]:
        if done.redated:
            return f"已将“{module.title}”的完成时限改为{zh_date(due)}。", "success"
        if done.new:
            return f"已安排“{module.title}”，完成时限{zh_date(due)}。", "success"
        return f"“{module.title}”已按此完成时限安排（或已完成），未作改动。", "info"
    return say


@bp.route("/training/trainees/<int:trainee_id>/assign", methods=["POST"])
@requires("manage_training")
def trainee_assign(trainee_id: int):
    t = _trainee_or_404(trainee_id)
    form = AssignOneForm()
    _module_choices(form.module, t.post)
    module = s.get_module(form.module.data or "")
    return _on_trainee_page(t, form, FormKey.ASSIGN, lambda: s.assign_people(current_user, module, [t], form.due.data),
                            _assigned(module, form.due.data))


@bp.route("/training/trainees/<int:trainee_id>/complete", methods=["POST"])
@requires("manage_training")
def trainee_complete(trainee_id: int):
    t = _trainee_or_404(trainee_id)
    form = MarkCompleteForm()
    _module_choices(form.module, t.post)
    return _on_trainee_page(t, form, FormKey.COMPLETE, lambda: s.mark_completed(
        current_user, t, s.get_module(form.module.data), form.completed_on.data, form.note.data or ""), "已登记完成。")


@bp.route("/training/completions/<int:completion_id>/void", methods=["POST"])
@requires("manage_training")
def completion_void(completion_id: int):
    c = db.session.get(Completion, completion_id)
    if c is None:
        abort(404)
    return _with_reason(c.trainee_id, FormKey.void(c.id), lambda reason: s.void_completion(current_user, c, reason),
                        "已更正：原记录保留并注明理由。")


@bp.route("/training/assignments/<int:assignment_id>/unassign", methods=["POST"])
@requires("manage_training")
def assignment_end(assignment_id: int):
    a = db.session.get(Assignment, assignment_id)
    if a is None:
        abort(404)
    return _with_reason(a.trainee_id, FormKey.unassign(a.id), lambda reason: s.unassign(current_user, a, reason),
                        "已取消安排。")


def _with_reason(trainee_id: int, key: str, action, message: str):
    """A correction that needs a reason (void a completion, end an assignment), on the trainee page."""
    t = _trainee_or_404(trainee_id)
    form = ReasonForm()
    return _on_trainee_page(t, form, key, lambda: action(form.reason.data), message)


# ---- attendance sheets ----------------------------------------------------------------------

@bp.route("/training/sessions", methods=["GET", "POST"])
@requires("manage_training")
def sessions():
    form = SessionForm()
    _module_choices(form.module)
    counties = visible_counties(current_user)
    form.county.choices = choices([(c.code, c.name) for c in counties])
    refused = NOTHING_REFUSED
    if form.validate_on_submit():
        created = []
        refusal = attempt(lambda: created.append(_create_sheet(form, counties)), TrainingError)
        if refusal is None:
            return redirect(url_for("training.session_sheet", session_id=created[0].id))
        refused = Refused(FormKey.SHEET, str(refusal), request.form)
    elif request.method == "POST":
        refused = Refused(FormKey.SHEET, first_error(form), request.form)
    stmt = (sa.select(SignInSheet).order_by(SignInSheet.held_on.desc(), SignInSheet.id.desc())
            # One statement for the list, however long; of the module, county and township only the
            # names the list shows (a module's text and quiz, read for each row, were most of its cost).
            .options(so.joinedload(SignInSheet.module).load_only(TrainingModule.title),
                     so.joinedload(SignInSheet.county).load_only(Unit.name),
                     so.joinedload(SignInSheet.township).load_only(TrainingPlace.name)))
    scope = county_scope(current_user)
    if scope is not None:
        stmt = stmt.where(SignInSheet.county_id == scope)
    # A page of sheets (newest first); one row more than the page says whether there are older ones.
    number = parse_page_arg()
    rows = db.session.scalars(stmt.limit(SHEETS_PAGE + 1).offset((number - 1) * SHEETS_PAGE)).all()
    page = PageAhead(rows, number, SHEETS_PAGE)
    return render_template("training/sheets.html", form=form, sessions=page.items, page=page, refused=refused,
                           counties=counties, township_options=_township_options(counties, form.township.data), training_rules=training_rules,
                           today=today()), 422 if request.method == "POST" else 200


def _create_sheet(form: SessionForm, counties) -> SignInSheet:
    county = next((c for c in counties if c.code == form.county.data), None)
    township = db.session.get(TrainingPlace, form.township.data) if form.township.data else None
    module = s.get_module(form.module.data)
    if county is None or module is None:
        raise TrainingError("请选择培训模块和县（市、区）。")
    if township is not None and township.county_id != county.id:
        raise TrainingError(f"{township.name}不属于{county.name}，请重新选择乡镇（街道）。")
    return s.create_sheet(current_user, module, county, township, form.held_on.data, form.place.data,
                          form.trainer_name.data)


@bp.route("/training/sessions/<int:session_id>/people/<int:trainee_id>", methods=["POST"])
@requires("manage_training")
def session_tick(session_id: int, trainee_id: int):
    sheet = session_or_404(session_id)
    t = _trainee_or_404(trainee_id)
    form = TickForm()
    if not form.validate_on_submit():
        abort(400)
    # Someone not on this sheet is not told apart from a sheet that is not there: NotAllowed is a 404.
    refusal = attempt(lambda: s.set_attendance(current_user, sheet, t, form.present.data), TrainingError,
                      not_allowed=404)
    error = str(refusal) if refusal is not None else None
    if is_partial_request():
        ticked = s.sheet_ticks(sheet)
        row = render_template("training/_tick.html", sheet=sheet, p=t, n=number_of(sheet, t), ticked=ticked,
                              form=TickForm(), training_rules=training_rules,
                              sheet_open=training_rules.sheet_open(sheet.held_on, today()), error=error)
        return row + render_template("training/_sheet_count.html", ticked=ticked, oob=True), 422 if error else 200
    if error:  # without JavaScript: the sheet again, the reason on that person's row
        return sheet_page(session_or_404(session_id), status=422, tick_error=(trainee_id, error))
    return redirect(url_for("training.session_sheet", session_id=sheet.id))


# ---- places -----------------------------------------------------------------------------------

@bp.route("/training/areas")
@requires("manage_training")
def places():
    counties = visible_counties(current_user)
    county = _county_arg() or (counties[0] if counties else None)
    return _places_page(counties, county, id_arg("township"), id_arg("edit"))


def _places_page(counties, county, township_id: int | None, edit_id: int | None = None,
                 refused: Refused = NOTHING_REFUSED):
    """A county's places; `township_id`: the township whose villages are opened; `edit_id`: the one
    place whose rename and merge forms are drawn (each carried a merge list of its neighbours: every
    row with forms grew with the square of the places); `refused`: a rename or merge the server
    refused, drawn again with its message beside it (422)."""
    townships = places_of(county.id) if county else []
    # People per township of the chosen county only (read from the `ix_trainee_place` index), not of every county.
    counts = dict(db.session.execute(sa.select(Trainee.township_id, sa.func.count()).where(
        Trainee.active, Trainee.county_id == (county.id if county else -1)).group_by(Trainee.township_id)).all())
    # The villages of one township at a time (each carries a merge list of its neighbours: all of a
    # county's on one page grew with the square of its villages).
    opened = next((t for t in townships if t.id == township_id), None)
    village_counts = dict(db.session.execute(
        sa.select(TrainingPlace.parent_id, sa.func.count()).where(
            TrainingPlace.county_id == (county.id if county else -1), TrainingPlace.level == "village",
            TrainingPlace.merged_into_id.is_(None)).group_by(TrainingPlace.parent_id)).all())
    villages = {opened.id: places_of(county.id, "village", parent_id=opened.id)} if opened else {}
    return render_template("training/places.html", counties=counties, county=county, townships=townships,
                           opened=opened, villages=villages, village_counts=village_counts, counts=counts,
                           edit_id=edit_id, rename_form=RenameAreaForm(formdata=None), merge_form=MergeAreaForm(formdata=None),
                           refused=refused), 422 if refused.key else 200


def _area_or_404(area_id: int) -> TrainingPlace:
    area = db.session.get(TrainingPlace, area_id)
    if area is None or not can_manage(current_user, area.county_id):
        abort(404)
    return area


def _on_places_page(area: TrainingPlace, form, key: str, action, message):
    """A rename or merge: validated and run (`portal.web.actions.attempt`); refused, the places page again
    (the area's township opened) with the reason beside the form; done, back to the county's places."""
    area_id, county_code = area.id, area.county.code
    error = first_error(form) if not form.validate_on_submit() else None
    done = []
    if error is None:
        refusal = attempt(lambda: done.append(action()), TrainingError)
        error = str(refusal) if refusal is not None else None
    if error is not None:
        area = _area_or_404(area_id)
        counties = visible_counties(current_user)
        county = next((c for c in counties if c.id == area.county_id), None)
        township_id = area.parent_id if area.level == "village" else None
        return _places_page(counties, county, township_id, area_id, Refused(key, error, request.form))
    flash(message(done[0]), "success")
    return redirect(url_for("training.places", county=county_code))


@bp.route("/training/areas/<int:area_id>/rename", methods=["POST"])
@requires("manage_training")
def place_rename(area_id: int):
    area = _area_or_404(area_id)
    form = RenameAreaForm()
    return _on_places_page(area, form, FormKey.rename(area.id), lambda: rename_area(current_user, area, form.name.data),
                           lambda _: "已改名。")


@bp.route("/training/areas/<int:area_id>/merge", methods=["POST"])
@requires("manage_training")
def place_merge(area_id: int):
    area = _area_or_404(area_id)
    form = MergeAreaForm()
    title = area.name

    def merge() -> tuple[int, str]:
        target = _area_or_404(form.target.data)
        return merge_areas(current_user, area, target), target.name

    return _on_places_page(area, form, FormKey.merge(area.id), merge,
                           lambda done: f"已将“{title}”并入“{done[1]}”，涉及 {done[0]} 人。")
