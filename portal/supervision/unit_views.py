"""A unit's side of 督办: what waits for its 签收, the 催办 it received and its replies, a notice and its
read receipt."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.time import today
from portal.extensions import db
from portal.supervision import bp, rules
from portal.supervision.forms import AckForm, ReadForm, ReplyForm
from portal.supervision.services import SupervisionError, acknowledge, mark_read, open_notice, pending, reply, urges
from portal.web.access import requires
from portal.web.actions import attempt
from portal.web.forms import first_error
from portal.web.htmx import is_partial_request
from portal.web.query_args import plan_arg


def safe_back(value: str | None, fallback: str) -> str:
    """Only a path inside the portal (never another site)."""
    if value and value.startswith("/") and not value.startswith("//") and not urlparse(value).netloc:
        return value
    return fallback


@bp.route("/inbox")
@requires("act_for_own_unit")
def inbox(error: str = "", reply_error: tuple[int, str] | None = None):
    """What waits for the unit's 签收, and the 催办 and 督办单 it received (replied or not)."""
    unit_id = current_user.unit_id
    problems: list[str] = []
    plan_id = plan_arg(request.args, problems)  # every plan's, or the one chosen's
    waiting = pending(unit_id=unit_id, limit=200, plan_id=plan_id) if unit_id else []
    received = urges(unit_id=unit_id, limit=50, plan_id=plan_id) if unit_id else []
    return render_template("supervision/inbox.html", waiting=waiting, received=received, on=today(), rules=rules,
                           plan_id=plan_id, problems=problems,
                           error=error, reply_error=reply_error, ack_form=AckForm(formdata=None),
                           reply_form=ReplyForm(formdata=None)), (422 if error or reply_error else 200)


@bp.route("/ack", methods=["POST"])
@requires("act_for_own_unit")
def ack():
    form = AckForm()
    if not form.validate_on_submit():
        return inbox(error=first_error(form))
    first = []
    refusal = attempt(lambda: first.append(acknowledge(current_user, form.kind.data, form.object_id.data)),
                      SupervisionError)
    if refusal is not None:
        return inbox(error=str(refusal))
    db.session.commit()
    flash("已签收。" if first[0] else "本单位已签收过该事项。", "success")
    return redirect(safe_back(form.back.data, url_for("supervision.inbox")))


@bp.route("/urges/<int:urge_id>/reply", methods=["POST"])
@requires("act_for_own_unit")
def reply_to(urge_id: int):
    form = ReplyForm()
    if not form.validate_on_submit():
        return inbox(reply_error=(urge_id, first_error(form)))
    refusal = attempt(lambda: reply(current_user, urge_id, form.body.data), SupervisionError)
    if refusal is not None:
        return inbox(reply_error=(urge_id, str(refusal)))
    db.session.commit()
    flash("回复已送达督查室。", "success")
    return redirect(safe_back(form.back.data, url_for("supervision.inbox")))


@bp.route("/notices/<int:notice_id>")
@requires("act_for_own_unit", "supervise", "see_all_units")
def notice(notice_id: int):
    """A notice; opening it writes nothing: the page posts the reader's receipt (htmx on load, or the
    button without JavaScript)."""
    opened = []
    # Another unit's notice, or none: not told apart (404), refused or not allowed alike.
    if attempt(lambda: opened.append(open_notice(current_user, notice_id)), SupervisionError, not_allowed=404):
        abort(404)
    shown, receipt, own = opened[0]
    return render_template("supervision/notice.html", notice=shown, receipt=receipt, own=own,
                           form=ReadForm(formdata=None))


@bp.route("/notices/<int:notice_id>/read", methods=["POST"])
@requires("act_for_own_unit", "supervise", "see_all_units")
def notice_read(notice_id: int):
    form = ReadForm()
    if not form.validate_on_submit():
        abort(400)
    read = []
    if attempt(lambda: read.append(mark_read(current_user, notice_id)), SupervisionError, not_allowed=404):
        abort(404)
    receipt = read[0]
    db.session.commit()
    if is_partial_request():
        return render_template("supervision/_notice_read.html", receipt=receipt)
    return redirect(url_for("supervision.notice", notice_id=notice_id))
