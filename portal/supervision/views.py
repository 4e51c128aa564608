"""The office's 督办 pages: who has not signed, the 催办 sent and their replies, sending a 催办, the
ladder's settings and 分管领导, notices with read receipts, a 督办通知单 as a Word file."""
from __future__ import annotations

from io import BytesIO

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal import refdata
from portal.audit.services import record_download
from portal.capabilities import roles_with
from portal.core.time import today
from portal.extensions import db
from portal.models import Urge, User, UserRole
from portal.supervision import bp, documents, ladder, rules, targets
from portal.supervision.forms import BulletinScheduleForm, CloseUrgeForm, LeaderForm, SettingsForm, UrgeForm
from portal.supervision.services import (
    SupervisionError,
    can_read_urge,
    notice_count,
    pending,
    pending_count,
    receipts,
    recent_notices,
    send_urges,
    urges,
)
from portal.web.access import requires
from portal.web.downloads import attachment
from portal.web.forms import first_error
from portal.web.pagination import PageOf
from portal.web.query_args import parse_page_arg, plan_arg
from portal.workdays import LAST_KNOWN_YEAR, fallback_message

PAGE = 30


@bp.route("/")
@requires("supervise", "see_all_units")
def index():
    """Who has not signed (longest waiting first, or newest), and the 催办 sent with their replies."""
    sort = "newest" if request.args.get("sort") == "newest" else "longest"
    kind = request.args.get("kind", "") if request.args.get("kind") in rules.ACK_KIND_LABELS else ""
    problems: list[str] = []
    plan_id = plan_arg(request.args, problems)  # every plan's duties, 批示 and 催办, or the one chosen's
    page = PageOf(pending_count(kind=kind, plan_id=plan_id), parse_page_arg(), PAGE)
    rows = pending(newest_first=sort == "newest", limit=page.per_page, offset=page.offset, kind=kind, plan_id=plan_id)
    replied = {"yes": True, "no": False}.get(request.args.get("replied", ""))
    sent = urges(replied=replied, limit=PAGE, plan_id=plan_id)
    return render_template("supervision/index.html", rows=rows, page=page, sort=sort, on=today(), sent=sent, kind=kind,
                           replied=request.args.get("replied", ""), rules=rules, close_form=CloseUrgeForm(formdata=None),
                           plan_id=plan_id, problems=problems)


@bp.route("/urge", methods=["GET", "POST"])
@requires("supervise")
def urge():
    """Compose a 催办 for what the link names (one duty, all late duties, a unit, late reports or training)."""
    found, what = targets.from_args(request.args)
    form = UrgeForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _compose(found, what, form, first_error(form)), 422
        try:
            sent = send_urges(current_user, found, form.subject.data, form.body.data)
        except SupervisionError as exc:
            db.session.rollback()
            return _compose(found, what, form, str(exc)), 422
        db.session.commit()
        flash(f"已向 {len(sent)} 个单位发出催办。", "success")
        if len(sent) == 1 and sent[0].instance_id:
            return redirect(url_for("duties.instance", instance_id=sent[0].instance_id))
        return redirect(url_for("supervision.index"))
    if found:
        subject, body = _prefill(found)
        form.subject.data, form.body.data = subject, body
    return _compose(found, what, form)


def _prefill(found: list[targets.Target]) -> tuple[str, str]:
    """One unit: the message written out; several: one text with 〔单位〕… filled in per unit on sending."""
    if len(found) == 1:
        return rules.urge_text(found[0].facts, today())
    template = rules.Facts(unit="〔单位〕", matter="〔事项〕", deadline=None, link="〔链接〕")
    subject, body = rules.urge_text(template, today())
    body = body.replace("目前尚未完成", "（完成时限〔时限〕）目前尚未完成")
    return subject, body


def _compose(found, what, form, error: str = ""):
    return render_template("supervision/urge.html", found=found, what=what, form=form, error=error,
                           many=len(found) > 1, query=request.query_string.decode("utf-8", "replace"))


@bp.route("/settings", methods=["GET", "POST"])
@requires("supervise")
def settings():
    config = ladder.settings()
    form = SettingsForm(obj=config) if request.method == "GET" else SettingsForm()
    error = ""
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                ladder.save_settings(current_user, form.remind_days.data, form.order_days.data, form.red_days.data,
                                     form.issuer.data, form.number_prefix.data, form.version.data)
                db.session.commit()
                flash("督办设置已保存。", "success")
                return redirect(url_for("supervision.settings"))
            except SupervisionError as exc:
                db.session.rollback()
                error = str(exc)
                config = ladder.settings()
        else:
            error = first_error(form)
    return _settings_page(config, form, error), (422 if error else 200)


def _settings_page(config, form, error: str = "", leader_error: str = "", leader_form=None, bulletin_error: str = "",
                   bulletin_form=None):
    accounts = db.session.execute(
        sa.select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id)
        .where(User.active, UserRole.role.in_(roles_with("give_instructions") - roles_with("supervise")))
        .order_by(User.display_name)).all()
    units = [u for u in refdata.units() if u.active]
    readers = db.session.execute(
        sa.select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id)
        .where(User.active, UserRole.role.in_(roles_with("make_bulletin"))).distinct().order_by(User.display_name)).all()
    chosen = bulletin_form.recipients.data if bulletin_form is not None else list(config.bulletin_to or [])
    return render_template("supervision/settings.html", config=config, form=form, error=error, units=units,
                           readers=readers, chosen=set(chosen or []), bulletin_error=bulletin_error,
                           bulletin_form=bulletin_form or BulletinScheduleForm(formdata=None, day=config.bulletin_day),
                           leaders=ladder.leaders(), accounts=accounts, leader_error=leader_error,
                           leader_form=leader_form or LeaderForm(formdata=None), last_year=LAST_KNOWN_YEAR,
                           calendar_note=fallback_message(today()), label=ladder.leader_label)


@bp.route("/settings/leader", methods=["POST"])
@requires("supervise")
def leader():
    form = LeaderForm()
    config = ladder.settings()
    if not form.validate_on_submit():
        return _settings_page(config, SettingsForm(obj=config), leader_error=first_error(form), leader_form=form), 422
    account = form.account.data or None
    if account is not None and db.session.get(User, account) is None:
        return _settings_page(config, SettingsForm(obj=config), leader_error="所选账号不存在。", leader_form=form), 422
    try:
        ladder.set_leader(current_user, form.unit_id.data, account, form.name.data or "", form.title.data or "")
    except ValueError:
        db.session.rollback()
        return _settings_page(config, SettingsForm(obj=config), leader_error="所选单位不存在。", leader_form=form), 422
    db.session.commit()
    flash("分管领导已保存。", "success")
    return redirect(url_for("supervision.settings"))


@bp.route("/settings/bulletin", methods=["POST"])
@requires("supervise")
def bulletin_schedule():
    """When the 通报 is emailed to leaders, and to whom."""
    form = BulletinScheduleForm()
    config = ladder.settings()
    error = "" if form.validate_on_submit() else first_error(form)
    if not error:
        try:
            ladder.save_bulletin_schedule(current_user, form.day.data, form.recipients.data or [], form.version.data)
            db.session.commit()
            flash("通报定时发送已保存。", "success")
            return redirect(url_for("supervision.settings") + "#bulletin")
        except SupervisionError as exc:
            db.session.rollback()
            error, config = str(exc), ladder.settings()
    return _settings_page(config, SettingsForm(obj=config), bulletin_error=error, bulletin_form=form), 422


@bp.route("/notices")
@requires("supervise", "see_all_units")
def notices():
    page = PageOf(notice_count(), parse_page_arg(), PAGE)
    shown = recent_notices(page.per_page, page.offset)
    return render_template("supervision/notices.html", notices=shown, page=page,
                           receipts=receipts([n.id for n in shown]))


@bp.route("/urges/<int:urge_id>.docx")
@requires("supervise", "see_all_units", "act_for_own_unit")
def document(urge_id: int):
    urge = db.session.get(Urge, urge_id)
    if urge is None or not can_read_urge(current_user, urge):
        abort(404)
    data = documents.build(urge, ladder.settings())
    name = documents.filename(urge)
    record_download("urge", urge.id, name, {"file": name, "format": "docx"})
    response = send_file(BytesIO(data), as_attachment=True, download_name=name,
                         mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response.headers["Content-Disposition"] = attachment(name, documents.ascii_filename(urge))
    return response
