"""结业证书 and 学时 pages: the public verification page, the trainers' list of certificates, the 学时
ledger with who is short of the year's target, and the office's 工作安排 for both. Thin over
`certificates` and `hours`. (A certificate's PDF is downloaded from portal/training/learn_views.py,
whose refusal draws the person's page again.)"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import Certificate
from portal.training import bp, certificates, courses, hours
from portal.training import services as s
from portal.training.cert_forms import arrangement_form, tenths
from portal.training.scope import CITY, TrainingError, can_manage, county_scope, visible_counties
from portal.web.access import public, requires
from portal.web.query_args import parse_page_arg

PAGE = 50
STATE_FILTERS = {"valid": "有效", "expired": "已过期（须重新培训）", "revoked": "已撤销"}


@bp.route("/verify/<token>")
@public
def verify(token: str):
    """Anyone holding the certificate (its QR code or link) sees whether it stands; nothing else about
    the person than the masked name. A wrong or unknown link answers the same 404 as a made-up one."""
    cert = certificates.by_token(token[:40])
    status = 200 if cert is not None else 404
    response = make_response(render_template(
        "training/verify.html", cert=cert, masked=certificates.mask_name(cert.person_name) if cert else "",
        state=certificates.state_of(cert.revoked, cert.expires_on, today()) if cert else None,
        labels=certificates.STATE_LABELS), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _county_arg():
    code = request.args.get("county", "")[:40]
    return next((c for c in visible_counties(current_user) if c.code == code), None)


@bp.route("/training/certificates")
@requires("manage_training")
def certificates_list():
    county, on = _county_arg(), today()
    state = request.args.get("state", "")
    stmt = sa.select(Certificate)
    scope = county_scope(current_user)
    if scope is not CITY:
        stmt = stmt.where(Certificate.county_id == scope)
    if county is not None:
        stmt = stmt.where(Certificate.county_id == county.id)
    if state == "revoked":
        stmt = stmt.where(Certificate.revoked)
    elif state == "expired":  # expired and not renewed: the people due to train again
        newer = sa.orm.aliased(Certificate)
        stmt = stmt.where(~Certificate.revoked, Certificate.expires_on < on, ~sa.exists().where(
            newer.trainee_id == Certificate.trainee_id, newer.module_id.is_not_distinct_from(Certificate.module_id),
            newer.course_id.is_not_distinct_from(Certificate.course_id),
            newer.id > Certificate.id, ~newer.revoked))
    elif state == "valid":
        stmt = stmt.where(~Certificate.revoked, sa.or_(Certificate.expires_on.is_(None), Certificate.expires_on >= on))
    q = request.args.get("q", "").strip()[:40]
    if q:
        stmt = stmt.where(sa.or_(Certificate.person_name.contains(q, autoescape=True),
                                 Certificate.number.contains(q, autoescape=True)))
    page = db.paginate(stmt.order_by(Certificate.year.desc(), Certificate.serial.desc()), page=parse_page_arg(),
                       per_page=PAGE, error_out=False)
    return render_template("training/certificates.html", page=page, county=county, counties=visible_counties(current_user),
                           state=state, states=STATE_FILTERS, q=q, on=on, c=certificates, training_rules=training_rules)


@bp.route("/training/hours")
@requires("manage_training")
def hours_ledger():
    on = today()
    year_arg = request.args.get("year", "")
    year = int(year_arg) if year_arg.isdigit() and 2000 <= int(year_arg) <= 2099 else on.year
    target = certificates.current_arrangement().yearly_target_tenths
    only_short = target is not None and request.args.get("all") != "1"
    county = _county_arg()
    stmt = hours.ledger_query(current_user, year, county.id if county else None, target if only_short else None)
    page = db.paginate(stmt, page=parse_page_arg(), per_page=PAGE, error_out=False)
    totals = hours.totals_for([t.id for t in page.items], year)
    return render_template("training/hours.html", page=page, totals=totals, year=year, target=target,
                           only_short=only_short, county=county, counties=visible_counties(current_user),
                           years=list(range(on.year, on.year - 5, -1)), c=certificates, training_rules=training_rules)


@bp.route("/training/arrangement", methods=["GET", "POST"])
@requires("manage_training")
def arrangement():
    """The office's rules for certificates and 学时: everyone who trains reads them; the city's trainers
    and admins change them (a county trainer's change would change every county's ledger)."""
    arr = certificates.current_arrangement()
    modules = s.live_modules()
    may_edit = can_manage(current_user, CITY)
    if request.method == "POST":
        if not may_edit:
            abort(403)
        arr = certificates.arrangement()  # stored with its defaults if nobody saved before
        form = arrangement_form(modules, formdata=request.form)
        if form.validate_on_submit():
            values = {"issuer": form.issuer.data.strip(), "number_prefix": form.number_prefix.data.strip(),
                      "minutes_per_hour": form.minutes_per_hour.data, "quiz_tenths": tenths(form.quiz_hours.data),
                      "attendance_tenths": tenths(form.attendance_hours.data),
                      "yearly_target_tenths": None if form.yearly_target.data is None else tenths(form.yearly_target.data),
                      "validity_months": {m.key: form[f"valid_{m.id}"].data for m in modules
                                          if form[f"valid_{m.id}"].data}}
            try:
                certificates.save_arrangement(current_user, arr, int(form.version.data or 0), values,
                                              {m.key: m.title for m in modules})
                flash("培训工作安排已保存：此后颁发的证书和计入的学时按新规则。", "success")
                return redirect(url_for("training.arrangement"))
            except TrainingError as exc:
                db.session.rollback()
                return render_template("training/arrangement.html", form=form, arr=certificates.arrangement(),
                                       modules=modules, may_edit=may_edit, error=str(exc),
                                       issuer=certificates.issuer_of(arr), c=certificates), 409
        return render_template("training/arrangement.html", form=form, arr=arr, modules=modules, may_edit=may_edit,
                               error=None, issuer=certificates.issuer_of(arr), c=certificates), 422
    form = arrangement_form(modules, data={
        "issuer": arr.issuer, "number_prefix": arr.number_prefix, "minutes_per_hour": arr.minutes_per_hour,
        "quiz_hours": arr.quiz_tenths / 10, "attendance_hours": arr.attendance_tenths / 10,
        "yearly_target": None if arr.yearly_target_tenths is None else arr.yearly_target_tenths / 10,
        "version": arr.version, **{f"valid_{m.id}": arr.validity_months.get(m.key) for m in modules}})
    return render_template("training/arrangement.html", form=form, arr=arr, modules=modules, may_edit=may_edit,
                           error=None, issuer=certificates.issuer_of(arr), c=certificates)


def person_panel(trainee, history: list) -> dict:
    """What `_certificates.html` shows of one person: their courses and tier, certificates (modules' and
    courses'), 学时 per year, the year's target; `history` as `services.history_of` loads it (module
    certificates joined: no statement of their own)."""
    on, arr = today(), certificates.current_arrangement()
    held = courses.person_courses(trainee)  # one statement: the courses and the course certificates
    progress = courses.progress_of(trainee, on, history, held, s.live_modules())
    certs = sorted([*(c.certificate for c in history if c.certificate is not None), *held[1]],
                   key=lambda cert: (cert.issued_on, cert.id), reverse=True)
    return {"certs": certs, "hours_by_year": hours.by_year_of(certs), "progress": progress,
            "tier": courses.tier_of(progress), "tier_label": training_rules.tier_label,
            "cert_state": lambda cert: certificates.state_of(cert.revoked, cert.expires_on, on),
            "c": certificates, "target": arr.yearly_target_tenths, "this_year": on.year,
            "rules_text": certificates.rules_text(arr)}
