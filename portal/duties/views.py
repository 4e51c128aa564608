"""Unit task boards (我的任务), the duty page and its actions, and the supervision office queue."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal.access import logged_in, roles
from portal.duties import bp, rules
from portal.duties.evidence import add_evidence, evidence_path
from portal.duties.services import (
    BoardFilter,
    DutyError,
    NotAllowed,
    StaleDuty,
    add_note,
    areas,
    board,
    can_contribute,
    can_download,
    can_edit,
    can_view,
    decide_close,
    decide_extension,
    get_instance,
    pending_close_requests,
    pending_extensions,
    request_close,
    request_extension,
    role_of,
    set_blocked,
    set_item,
    timeline,
    view_of,
)
from portal.extensions import db
from portal.htmx_utils import is_partial_request
from portal.models import DutyInstance, Evidence, ExtensionRequest
from portal.roles import ADMIN, LEADER, LIAISON
from portal.units.services import active_units


def board_filter_from_args() -> BoardFilter:
    args = request.args
    unit = args.get("unit")
    if args.get("county"):  # ?county=盐湖区 (or its code): every unit of that county
        from portal.duties.services import county_code_for

        unit = county_code_for(args.get("county", "")[:40]) or args.get("county", "")[:40]
    if unit is None and current_user.has_role(LIAISON) and current_user.unit:
        unit = current_user.unit.code  # a liaison starts on their own unit's board
    return BoardFilter(
        unit_code=(unit or "")[:40], state=args.get("state", "")[:20], light=args.get("light", "")[:10],
        area=args.get("area", "")[:40], role=args.get("role", "")[:12], text=args.get("q", "").strip()[:50],
        sort=args.get("sort", "light")[:10],
    )


PAGE_SIZE = 50


@bp.route("/tasks/")
@logged_in
def index():
    f = board_filter_from_args()
    all_views = board(current_user, f, cooperators=False)
    units = active_units()
    viewed = next((u for u in units if u.code == f.unit_code), None)
    from portal.duties.clauses import clause_texts
    from portal.forms_util import parse_page_arg
    from portal.pagination import ListPage

    page = ListPage(all_views, parse_page_arg(), PAGE_SIZE)  # the all-units list is long: a page at a time
    views = page.items
    if views:  # cooperating units for this page only
        db.session.scalars(sa.select(DutyInstance).where(DutyInstance.id.in_([v.inst.id for v in views]))
                           .options(sa.orm.selectinload(DutyInstance.cooperators))).all()
    cited = sorted({cid for v in views for cid in v.duty.clause_ids})
    context = dict(views=views, all_views=all_views, page=page, f=f, areas=areas(), units=units, rules=rules,
                   my_unit_id=viewed.id if viewed else None, role_of=role_of,
                   clause_text={c.id: c.text for c in clause_texts(cited)})
    if is_partial_request():
        return render_template("duties/_board_rows.html", **context)
    return render_template("duties/board.html", **context)


def _instance_or_404(instance_id: int):
    inst = get_instance(instance_id)
    if inst is None or not can_view(current_user, inst):
        abort(404)
    return inst


def _instance_context(inst, error: str | None = None, full: bool = True) -> dict:
    """What the duty page shows; the in-place fragment (_work.html) needs only the first part."""
    context = dict(inst=inst, v=view_of(inst), rules=rules, error=error,
                   can_edit=can_edit(current_user, inst), can_contribute=can_contribute(current_user, inst))
    if full:
        from portal.duties.clauses import clause_texts

        context.update(
            is_admin=current_user.has_role(ADMIN), clauses=clause_texts(inst.duty.clause_ids), timeline=timeline(inst),
            can_download=can_download(current_user, inst),
            pending_extension=next((e for e in inst.extensions if e.status == "pending"), None))
    return context


@bp.route("/tasks/<int:instance_id>")
@logged_in
def instance(instance_id: int):
    inst = _instance_or_404(instance_id)
    return render_template("duties/instance.html", **_instance_context(inst))


def _after_action(inst, message: str | None = None, error: str | None = None, partial: str | None = None):
    """htmx gets the fresh fragment (with the error, if any); a plain form gets a redirect —
    back to the 督查室 queue when the decision was taken there."""
    if error is None:
        db.session.expire_all()
    inst = get_instance(inst.id)
    if is_partial_request() and partial:
        return render_template(partial, **_instance_context(inst, error, full=False)), (422 if error else 200)
    if error:
        flash(error, "error")
    elif message:
        flash(f"{message}（{inst.duty.title} · {inst.unit.short_name}）", "success")
    if request.form.get("back") == "queue":
        return redirect(url_for("duties.queue"))
    return redirect(url_for("duties.instance", instance_id=inst.id))


def _run(inst, action, message: str | None = None, partial: str | None = None):
    """Run a service action; DutyError becomes a message, NotAllowed a 403."""
    try:
        action()
    except StaleDuty as exc:
        db.session.rollback()
        return _after_action(inst, error=str(exc), partial=partial)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except DutyError as exc:
        db.session.rollback()
        return _after_action(inst, error=str(exc), partial=partial)
    return _after_action(inst, message=message, partial=partial)


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


@bp.route("/tasks/<int:instance_id>/items/<int:item_id>", methods=["POST"])
@logged_in
def tick(instance_id: int, item_id: int):
    inst = _instance_or_404(instance_id)
    done = request.form.get("done") == "1"
    return _run(inst, lambda: set_item(current_user, inst, item_id, done), partial="duties/_work.html")


@bp.route("/tasks/<int:instance_id>/notes", methods=["POST"])
@logged_in
def note(instance_id: int):
    inst = _instance_or_404(instance_id)
    body = request.form.get("body", "")
    try:
        add_note(current_user, inst, body)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except DutyError as exc:
        db.session.rollback()
        # Keep what was typed, with the reason beside the box.
        if is_partial_request():
            context = {**_instance_context(get_instance(inst.id), full=False), "note_draft": body[:20000],
                       "note_error": str(exc)}
            return render_template("duties/_work.html", **context), 422
        flash(str(exc), "error")
        return redirect(url_for("duties.instance", instance_id=inst.id))
    return _after_action(inst, message="已添加工作记录。", partial="duties/_work.html")


@bp.route("/tasks/<int:instance_id>/evidence", methods=["POST"])
@logged_in
def upload(instance_id: int):
    inst = _instance_or_404(instance_id)
    return _run(inst, lambda: add_evidence(current_user, inst, request.files.get("file")), "已上传佐证材料。")


@bp.route("/tasks/<int:instance_id>/evidence/<int:evidence_id>")
@roles(ADMIN, LEADER, LIAISON)  # liaisons further limited to the units on the duty
def download(instance_id: int, evidence_id: int):
    inst = _instance_or_404(instance_id)
    if not can_download(current_user, inst):
        abort(403)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.instance_id != inst.id:
        abort(404)
    path = evidence_path(evidence)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=evidence.content_type, as_attachment=True, download_name=evidence.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/tasks/<int:instance_id>/state", methods=["POST"])
@logged_in
def change_state(instance_id: int):
    inst = _instance_or_404(instance_id)
    action = request.form.get("action", "")
    reason = request.form.get("reason", "")[:2000]
    version = _version()
    actions = {
        "request_close": (lambda: request_close(current_user, inst, reason, version), "已申请销号，等待督查室核验。"),
        "block": (lambda: set_blocked(current_user, inst, True, reason, version), "已标记为受阻。"),
        "unblock": (lambda: set_blocked(current_user, inst, False, reason, version), "已恢复推进。"),
    }
    if action not in actions:
        return _after_action(inst, error="未知操作。")
    run, message = actions[action]
    return _run(inst, run, message)


@bp.route("/tasks/<int:instance_id>/extension", methods=["POST"])
@logged_in
def extension(instance_id: int):
    inst = _instance_or_404(instance_id)
    reason = request.form.get("reason", "")[:2000]
    try:
        proposed = date.fromisoformat(request.form.get("proposed", "").strip())
    except ValueError:
        proposed = None
    return _run(inst, lambda: request_extension(current_user, inst, reason, proposed), "已提交延期申请，等待审批。")


# ---- supervision office ------------------------------------------------------------------------

@bp.route("/supervision/")
@roles(ADMIN)
def queue():
    return render_template("duties/queue.html", requests=pending_close_requests(),
                           extensions=pending_extensions(), rules=rules)


@bp.route("/supervision/close/<int:instance_id>", methods=["POST"])
@roles(ADMIN)
def decide(instance_id: int):
    inst = _instance_or_404(instance_id)
    approve = request.form.get("decision") == "close"
    comment = request.form.get("comment", "")[:2000]
    message = "已销号。" if approve else "已退回，单位将看到退回理由。"
    return _run(inst, lambda: decide_close(current_user, inst, approve, comment, _version()), message)


@bp.route("/supervision/extensions/<int:extension_id>", methods=["POST"])
@roles(ADMIN)
def decide_ext(extension_id: int):
    ext = db.session.get(ExtensionRequest, extension_id)
    if ext is None:
        abort(404)
    approve = request.form.get("decision") == "approve"
    comment = request.form.get("comment", "")[:2000]
    return _run(ext.instance, lambda: decide_extension(current_user, ext, approve, comment),
                "已批准延期，完成时限已更新。" if approve else "已驳回延期申请。")
