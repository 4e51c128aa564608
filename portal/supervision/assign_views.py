"""交办: the office (or a leader) assigns a matter without a plan; the list of 交办事项; a matter's file;
the office closing (办结) a 催办 once it is answered."""
from __future__ import annotations

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal import refdata
from portal.audit.services import record_download
from portal.extensions import db
from portal.supervision import assign, bp
from portal.supervision.forms import IMPORTANCE_CHOICES, SOURCE_CHOICES, AssignForm, CloseUrgeForm
from portal.supervision.services import SupervisionError, close_urge
from portal.supervision.unit_views import safe_back
from portal.web.access import logged_in, requires
from portal.web.actions import attempt
from portal.web.forms import first_error
from portal.web.pagination import PageOf
from portal.web.query_args import parse_page_arg

PAGE = 30


def _unit_choices() -> list[tuple[int, str]]:
    return [(u.id, u.name) for u in refdata.units() if u.active]


def _input(form: AssignForm) -> assign.MatterInput:
    upload = form.attachment.data
    attachment = (upload.filename or "", upload.read()) if upload and getattr(upload, "filename", "") else None
    return assign.MatterInput(
        title=form.title.data or "", source_kind=form.source_kind.data or "", source_text=form.source_text.data or "",
        source_ref=form.source_ref.data or "", instructed_by=form.instructed_by.data or "",
        source_date=form.source_date.data, lead_ids=list(form.lead.data or []),
        cooperating_ids=list(form.cooperating.data or []), deadline=form.deadline.data,
        steps=(form.steps.data or "").splitlines(), importance=form.importance.data or "",
        arrangement=form.arrangement.data or "", attachment=attachment)


@bp.route("/assign", methods=["GET", "POST"])
@requires("supervise", "give_instructions")
def assign_matter():
    """The 交办 form; sent, the matter's duty page (the lead unit's, the first when several lead)."""
    form = AssignForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _form_page(form, first_error(form)), 422
        created = []
        refusal = attempt(lambda: created.append(assign.create(current_user, _input(form))), SupervisionError)
        if refusal is not None:
            return _form_page(form, str(refusal)), 422
        db.session.commit()
        matter = created[0]
        first = min(matter.duty.instances, key=lambda i: i.id)
        flash(f"已交办「{matter.duty.title}」（{assign.number_label(matter)}），已通知"
              f"{len(matter.duty.instances)}个牵头单位。", "success")
        return redirect(url_for("duties.instance", instance_id=first.id))
    return _form_page(form)


def _form_page(form: AssignForm, error: str = ""):
    return render_template("supervision/assign.html", form=form, error=error, units=_unit_choices(),
                           sources=SOURCE_CHOICES, importances=IMPORTANCE_CHOICES,
                           leader_only=assign.is_leader_only(current_user))


@bp.route("/assigned")
@requires("supervise", "see_all_units")
def assigned():
    page = PageOf(assign.matter_count(), parse_page_arg(), PAGE)
    rows = assign.matters(page.per_page, page.offset)
    return render_template("supervision/assigned.html", rows=rows, page=page, assign=assign,
                           plan_id=rows[0].matter.duty.plan_id if rows else None)


@bp.route("/assigned/<int:matter_id>/attachment")
@logged_in
def matter_attachment(matter_id: int):
    matter = assign.attachment_of(matter_id)
    if matter is None or not matter.attachment_name:
        abort(404)
    record_download("assigned_matter", matter.id, matter.attachment_name, {"file": matter.attachment_name})
    return send_file(BytesIO(matter.attachment_data or b""), as_attachment=True, download_name=matter.attachment_name,
                     mimetype=matter.attachment_type or "application/octet-stream")


@bp.route("/urges/<int:urge_id>/close", methods=["POST"])
@requires("supervise")
def close(urge_id: int):
    """办结 of a 催办: a button with nothing typed. Its one refusal is a 催办 that does not exist (a 404);
    a second click (or a colleague's) finds it closed already and says so."""
    form = CloseUrgeForm()
    back = safe_back(form.back.data, url_for("supervision.index"))
    if not form.validate_on_submit():  # only a stale CSRF token, which the app answers before the view
        abort(400, description="页面已过期，请刷新后重试。")
    closed = []
    refusal = attempt(lambda: closed.append(close_urge(current_user, urge_id)), SupervisionError)
    if refusal is not None:
        abort(404, description=str(refusal))
    db.session.commit()
    flash("已办结该催办。" if closed[0] else "该催办已办结。", "success")
    return redirect(back)
