"""The outbox's pages: the office's 消息发送情况 (each message's delivery state), a unit's robots and
channel choices (office), and a person's own 消息接收设置."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.refusals import FormKey
from portal.extensions import db
from portal.models import OutboxDelivery, OutboxMessage, RobotWebhook, Unit
from portal.outbox import CHANNELS, KINDS, PERSON_CHANNELS, UNIT_CHANNELS, recipients, robots, status
from portal.outbox.forms import MyMessagesForm, RetryForm, UnitMessagesForm, field_name
from portal.web.access import any_account, requires
from portal.web.forms import INVALID, NOTHING_REFUSED, Refused
from portal.web.query_args import parse_page_arg

bp = Blueprint("outbox", __name__)


@bp.route("/admin/outbox/")
@requires("supervise")
def index():
    kind = request.args.get("kind", "")[:30]
    overall = request.args.get("state", "")[:10]
    page = db.paginate(status.messages_query(kind, overall), page=parse_page_arg(), per_page=50, error_out=False)
    return render_template("outbox/index.html", page=page, rows=status.rows_for(list(page.items)), kind=kind,
                           overall=overall, kinds=KINDS, filters=status.OVERALL_FILTERS, labels=status.STATE_LABELS)


@bp.route("/admin/outbox/<int:message_id>")
@requires("supervise")
def message(message_id: int):
    return _message_page(db.session.get(OutboxMessage, message_id) or abort(404))


def _message_page(found: OutboxMessage, refused: Refused = NOTHING_REFUSED):
    """A message's deliveries; `refused`: a 重新发送 refused, its reason in that delivery's row, at 422."""
    page = render_template("outbox/message.html", message=found, rows=status.delivery_rows(found),
                           kind_label=KINDS.get(found.kind, found.kind), retry_form=RetryForm(formdata=None),
                           refused=refused)
    return (page, 422) if refused.key else page


@bp.route("/admin/outbox/deliveries/<int:delivery_id>/retry", methods=["POST"])
@requires("supervise")
def retry(delivery_id: int):
    delivery = db.session.get(OutboxDelivery, delivery_id) or abort(404)
    why = INVALID if not RetryForm().validate_on_submit() else (
        None if status.retry(current_user, delivery) else "该消息当前不是发送失败状态，无需重新发送。")
    if why is not None:
        return _message_page(delivery.message, Refused(FormKey.retry(delivery.id), why))
    db.session.commit()
    flash("已重新排入发送队列，下次发送时送出。", "success")
    return redirect(url_for("outbox.message", message_id=delivery.message_id))


@bp.route("/admin/outbox/units")
@requires("supervise")
def units():
    rows = db.session.execute(sa.select(Unit, RobotWebhook.channel).outerjoin(RobotWebhook, RobotWebhook.unit_id == Unit.id)
                              .where(Unit.active).order_by(Unit.sort_order, Unit.id))
    robots_by_unit: dict[Unit, list[str]] = {}
    for unit, channel in rows:
        robots_by_unit.setdefault(unit, [])
        if channel:
            robots_by_unit[unit].append(CHANNELS[channel])
    return render_template("outbox/units.html", robots_by_unit=robots_by_unit)


@bp.route("/admin/outbox/units/<code>", methods=["GET", "POST"])
@requires("supervise")
def unit_settings(code: str):
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code[:40])) or abort(404)
    form = UnitMessagesForm()
    errors: list[str] = []
    if form.validate_on_submit():
        errors = _save_unit(unit, form)
        if not errors:
            db.session.commit()
            flash(f"已保存{unit.name}的消息设置。", "success")
            return redirect(url_for("outbox.unit_settings", code=unit.code))
        db.session.rollback()
    elif request.method == "GET":
        form.fill(recipients.choices_of(unit_id=unit.id))
    errors += [e for field in form.errors.values() for e in field]
    return render_template("outbox/unit.html", unit=unit, form=form, errors=errors, robots=robots.robots_of(unit),
                           kinds=KINDS, channels=UNIT_CHANNELS, channel_labels=CHANNELS, field_name=field_name), \
        422 if errors else 200


def _save_unit(unit: Unit, form) -> list[str]:
    try:
        robots.save_robot(current_user, unit, "wecom", form.wecom_url.data or "", remove=form.remove_wecom.data)
        robots.save_robot(current_user, unit, "dingtalk", form.dingtalk_url.data or "", form.dingtalk_secret.data or "",
                          remove=form.remove_dingtalk.data)
    except robots.RobotError as exc:
        return [str(exc)]
    robots.save_choices(current_user, form.wanted(), unit=unit)
    return []


@bp.route("/account/messages", methods=["GET", "POST"])
@any_account
def mine():
    form = MyMessagesForm()
    errors: list[str] = []
    if form.validate_on_submit():
        errors = robots.save_contact(current_user, form.email.data or "", form.mobile.data or "")
        if not errors:
            robots.save_choices(current_user, form.wanted(), user=current_user)
            db.session.commit()
            flash("消息接收设置已保存。", "success")
            return redirect(url_for("outbox.mine"))
        db.session.rollback()
    elif request.method == "GET":
        form.email.data, form.mobile.data = current_user.email or "", current_user.mobile or ""
        form.fill(recipients.choices_of(user_id=current_user.id))
    errors += [e for field in form.errors.values() for e in field]
    return render_template("outbox/mine.html", form=form, errors=errors, kinds=KINDS, channels=PERSON_CHANNELS,
                           channel_labels=CHANNELS, field_name=field_name,
                           default_email=recipients.email_address(current_user)), 422 if errors else 200
