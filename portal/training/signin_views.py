"""Village sign-in pages: the numbered sheet (printed with its QR code), the rotating code on the
trainer's phone, the trainee's scan, ticking from typed numbers, and photos of the signed sheet."""
from __future__ import annotations

from io import BytesIO

import segno
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal.audit.services import record_download
from portal.core import training_rules
from portal.core.refusals import FormKey
from portal.core.time import today
from portal.extensions import db
from portal.models import SheetPhoto, SignInSheet
from portal.training import bp, sheet_photos, sheet_rules, signin
from portal.training import services as s
from portal.training.forms import SheetNumbersForm, SheetPhotoForm, SignInForm, TickForm
from portal.training.scope import TrainingError, can_manage
from portal.web.access import no_store, requires
from portal.web.actions import attempt
from portal.web.forms import NOTHING_REFUSED, Refused
from portal.web.htmx import is_partial_request


def session_or_404(session_id: int) -> SignInSheet:
    """A session the current trainer manages (others' sessions answer 404)."""
    sheet = db.session.get(SignInSheet, session_id, options=[
        so.joinedload(SignInSheet.module), so.joinedload(SignInSheet.county),
        so.joinedload(SignInSheet.township)])
    if sheet is None or not can_manage(current_user, sheet.county_id):
        abort(404)
    return sheet


def qr_image(url: str) -> str:
    """A QR code drawn on the server as an SVG data URI (no script, no CDN)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _signin_url(sheet: SignInSheet, code: str) -> str:
    return url_for("training.signin_page", session_id=sheet.id, code=code, _external=True)


def sheet_page(sheet: SignInSheet, numbers_form: SheetNumbersForm | None = None, status: int = 200,
               tick_error: tuple[int, str] | None = None, refused: Refused = NOTHING_REFUSED):
    """The attendance sheet; `tick_error`: (trainee id, why) of a refused tick, shown on that row;
    `refused`: a photo's upload (or opening) refused, the reason beside its form (or link)."""
    paper_url = _signin_url(sheet, signin.paper_code(sheet))
    seats = signin.seats(sheet)
    return render_template("training/sheet.html", sheet=sheet, seats=seats, people=[p for _, p in seats],
                           ticked=s.sheet_ticks(sheet), form=TickForm(), training_rules=training_rules,
                           sheet_open=training_rules.sheet_open(sheet.held_on, today()),
                           scan_day=sheet.held_on == today(), paper_qr=qr_image(paper_url),
                           numbers_form=numbers_form or SheetNumbersForm(), photo_form=SheetPhotoForm(),
                           photos=sheet_photos.photos_of(sheet), tick_error=tick_error,
                           refused=refused), status


@bp.route("/training/sessions/<int:session_id>")
@requires("manage_training")
def session_sheet(session_id: int):
    return sheet_page(session_or_404(session_id))


@bp.route("/training/sessions/<int:session_id>/numbers", methods=["POST"])
@requires("manage_training")
def session_numbers(session_id: int):
    sheet = session_or_404(session_id)
    form = SheetNumbersForm()
    if not form.validate_on_submit():
        return sheet_page(sheet, form, 422)
    done = []
    refusal = attempt(lambda: done.append(signin.tick_numbers(current_user, sheet, form.numbers.data or "")),
                      TrainingError)
    if refusal is not None:
        form.numbers.errors = [str(refusal)]
        return sheet_page(session_or_404(session_id), form, 422)  # what was typed stays in the box
    flash(done[0].message(), "success")
    return redirect(url_for("training.session_sheet", session_id=sheet.id))


@bp.route("/training/sessions/<int:session_id>/code")
@requires("manage_training")
def session_code(session_id: int):
    """The rotating code for the trainer's phone: the page asks for a fresh one every half minute."""
    sheet = session_or_404(session_id)
    scan_day = sheet.held_on == today()
    code = signin.screen_code(sheet)
    context = {"sheet": sheet, "scan_day": scan_day, "qr": qr_image(_signin_url(sheet, code)) if scan_day else None,
               "url": _signin_url(sheet, code), "count": len(s.sheet_ticks(sheet)),
               "rotate_seconds": sheet_rules.ROTATE_SECONDS}
    if is_partial_request():
        return render_template("training/_signin_code.html", **context)
    return render_template("training/signin_code.html", **context)


@bp.route("/training/signin/<int:session_id>", methods=["GET", "POST"])
@requires("learn")
def signin_page(session_id: int):
    """What a trainee's phone opens from the QR code: who, which training, one button."""
    sheet = db.session.get(SignInSheet, session_id)
    if sheet is None:
        abort(404)
    form = SignInForm()
    code = (request.values.get("code") or "")[:80]
    problem, done = None, signin.signed_in(current_user, sheet)
    if request.method == "POST" and form.validate_on_submit():
        try:
            signin.self_sign_in(current_user, sheet, code)
            done = True
        except TrainingError as exc:
            db.session.rollback()
            problem = str(exc)
    elif not done:
        problem = signin.code_problem(sheet, code)
    form.code.data = code
    return render_template("training/signin.html", sheet=sheet, form=form, problem=problem, done=done,
                           trainee=s.trainee_of(current_user)), 422 if problem and request.method == "POST" else 200


@bp.route("/training/sessions/<int:session_id>/photos", methods=["POST"])
@requires("manage_training")
def session_photo_upload(session_id: int):
    sheet = session_or_404(session_id)
    form = SheetPhotoForm()
    refusal = (attempt(lambda: sheet_photos.add_photo(current_user, sheet, form.photo.data), TrainingError)
               if form.validate_on_submit() else "上传未完成，请刷新页面后重试。")
    if refusal is not None:  # the sheet's page again, the reason beside the upload (a file is chosen anew)
        return sheet_page(session_or_404(session_id), status=422, refused=Refused(FormKey.PHOTO, str(refusal)))
    flash("已上传签到表照片。", "success")
    return redirect(url_for("training.session_sheet", session_id=sheet.id) + "#photos")


@bp.route("/training/sessions/<int:session_id>/photos/<int:photo_id>")
@requires("manage_training")
@no_store
def session_photo(session_id: int, photo_id: int):
    sheet = session_or_404(session_id)
    photo = db.session.get(SheetPhoto, photo_id)
    if photo is None or photo.session_id != sheet.id:
        abort(404)
    data = []
    refusal = attempt(lambda: data.append(sheet_photos.read_photo(photo)), TrainingError)
    if refusal is not None:  # damaged or missing: the sheet's page, the reason beside that photo's link
        return sheet_page(sheet, status=422, refused=Refused(FormKey.sheet_photo(photo.id), str(refusal)))
    record_download("training_sheet_photo", photo.id, f"{sheet.module.title}：{photo.filename}",
                    {"file": photo.filename, "size": photo.size, "sha256": photo.sha256})
    return send_file(BytesIO(data[0]), mimetype=photo.content_type, as_attachment=photo.content_type == "application/pdf",
                     download_name=photo.filename)
