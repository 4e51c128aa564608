"""Unit task boards (我的任务), the duty page and its actions, and the supervision office queue."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal import refdata
from portal.audit.display import present
from portal.audit.services import record_download
from portal.capabilities import can
from portal.core import duty_rules
from portal.core.refusals import FormKey
from portal.core.time import today
from portal.duties import bp, bulk, ledger_cache, page, periods
from portal.duties.bulk import BulkCloseForm, BulkExtensionForm
from portal.duties.crossref import keys_in, linked
from portal.duties.evidence import add_evidence, read_evidence
from portal.duties.forms import (
    BackForm,
    CloseDecisionForm,
    EvidenceForm,
    ExtensionDecisionForm,
    ExtensionForm,
    NoteForm,
    ResponsibleForm,
    StateForm,
    TickForm,
)
from portal.duties.ledger import LedgerFilter, view_of
from portal.duties.ledger_cells import Cells
from portal.duties.ledger_columns import PAGE_COLUMNS
from portal.duties.responsible import set_responsible
from portal.duties.services import (
    RECENT,
    DutyError,
    add_note,
    can_contribute,
    can_download,
    can_edit,
    can_view,
    decide_close,
    decide_extension,
    get_instance,
    pending_close_requests,
    pending_extensions,
    recent_notes,
    request_close,
    request_extension,
    set_blocked,
    set_item,
)
from portal.duties.sync import clause_coverage_gaps
from portal.extensions import db
from portal.models import Duty, Evidence, ExtensionRequest
from portal.web.access import logged_in, no_store, requires
from portal.web.actions import attempt
from portal.web.forms import NOTHING_REFUSED, Refused, first_error
from portal.web.htmx import is_partial_request
from portal.web.navigation import ledger_heading
from portal.web.pagination import ListPage
from portal.web.panels import DUTY, read_panels
from portal.web.query_args import parse_page_arg, plan_arg


def ledger_filter_from_args() -> LedgerFilter:
    args = request.args
    unit = args.get("unit")
    if args.get("county"):  # ?county=盐湖区 (or its code): every unit of that county
        unit = refdata.county_code_for(args.get("county", "")[:40]) or args.get("county", "")[:40]
    if unit is None and can(current_user, "act_for_own_unit") and current_user.unit:
        unit = current_user.unit.code  # a liaison starts on their own unit's board
    return LedgerFilter(
        unit_code=(unit or "")[:40], state=args.get("state", "")[:20], light=args.get("light", "")[:10],
        theme=args.get("area", "")[:40], part=args.get("role", "")[:12], text=args.get("q", "").strip()[:50],
        sort=args.get("sort", "light")[:10], plan_id=plan_arg(args),
    )


PAGE_SIZE = 50


@bp.route("/tasks/")
@logged_in
def index():
    f = ledger_filter_from_args()
    # one statement (what the rows show, lit and sorted), or none: kept per process until the duty data changes
    cached = ledger_cache.read(current_user, f)
    rows = cached.rows
    viewed = refdata.unit_by_code(f.unit_code) if f.unit_code else None
    viewed = viewed if viewed is not None and viewed.active else None

    page = ListPage(rows, parse_page_arg(), PAGE_SIZE)  # the all-units list is long: a page at a time
    clauses = refdata.clauses()
    title, read_only = ledger_heading(current_user, viewed)
    context = dict(rows=page.items, total=len(rows), light_counts=cached.light_counts, page=page, f=f,
                   themes=refdata.themes(), duty_rules=duty_rules, ledger_title=title, read_only=read_only,
                   viewed=viewed, viewed_parent=refdata.unit(viewed.parent_id) if viewed else None,
                   my_unit_id=viewed.id if viewed else None,
                   cells=Cells({cid: c.text for cid, c in clauses.items()}, viewed.id if viewed else None),
                   ledger_columns=PAGE_COLUMNS)
    if is_partial_request():
        return render_template("duties/_ledger_rows.html", **context)
    return render_template("duties/ledger.html", **context)


def _instance_or_404(instance_id: int):
    inst = get_instance(instance_id)
    if inst is None or not can_view(current_user, inst):
        abort(404)
    return inst


def _instance_context(inst, error: str | None = None, full: bool = True) -> dict:
    """What the duty page shows; the in-place fragment (_work.html) needs only the first part."""
    # The latest RECENT notes and timeline entries (one more read tells whether there are others);
    # ?all=1 on the page shows every one.
    limit = None if full and request.args.get("all") == "1" else RECENT + 1
    if not full:  # the fragment: the notes only
        notes, timeline = recent_notes(inst, limit), []
    else:  # the page: the duty's own rows in one statement (portal/duties/page.py)
        linked_ids = [refdata.duty_by_key(k).id for k in keys_in(inst.duty.arrangement)]
        got = page.read(inst, limit, linked_ids)
        notes, timeline = got.notes, got.timeline
    contribute = can_contribute(current_user, inst)
    context = dict(inst=inst, v=view_of(inst), duty_rules=duty_rules, error=error, refused=NOTHING_REFUSED,
                   notes=notes[:RECENT] if limit else notes,
                   more_history=bool(limit) and (len(notes) > RECENT or len(timeline) > RECENT),
                   can_edit=can_edit(current_user, inst), can_contribute=contribute,
                   # 只读: who works on duties but may not change this one (another unit's, for a liaison)
                   read_only=not contribute and can(current_user, "work_pages")
                   and not can(current_user, "see_all_units"))
    if full:
        context.update(
            clauses=refdata.clause_texts(inst.duty.clause_ids),
            timeline=present(timeline[:RECENT] if limit else timeline, brief=True, users=got.actor_names,
                             instances={inst.id: f"{inst.duty.title} · {inst.unit.name}"}),
            arrangement=linked(inst.duty.arrangement, inst, got.linked),
            can_download=can_download(current_user, inst), evidence=got.evidence, extensions=got.extensions,
            pending_extension=got.pending_extension,
            periods=periods.history(inst) if periods.is_periodic(inst.duty) else None,
            checkin=periods.checkin_of(inst, notes, got.evidence, today()),
            panels=read_panels(DUTY, inst))  # other domains' panels, read here (portal/web/panels.py)
    return context


@bp.route("/tasks/<int:instance_id>")
@logged_in
@no_store  # the 具体责任人's phone
def instance(instance_id: int):
    inst = _instance_or_404(instance_id)
    periods.roll_on_read(inst, today())  # a periodic duty whose period is over starts the next one
    return render_template("duties/instance.html", **_instance_context(inst))


ALWAYS_ON_THE_PAGE = frozenset({FormKey.EVIDENCE, FormKey.RESPONSIBLE, FormKey.NOTE})  # forms a refusal shows beside, once


def _drawn_again(inst, key: str) -> bool:
    """Whether the refused form is on the page drawn again (its message then shows beside it, once)."""
    if key in ALWAYS_ON_THE_PAGE:
        return True
    action = key.removeprefix(FormKey.state(""))
    if key == FormKey.state(action) and action in duty_rules.TRANSITIONS:  # a state form stays while the state allows it
        return can_edit(current_user, inst) and duty_rules.allows(inst.state, action)
    if key == FormKey.DECIDE:
        return can(current_user, "supervise") and duty_rules.allows(inst.state, "close")
    if key == FormKey.EXTENSION:  # the 申请延期 form stays while no request waits (templates/duties/instance.html)
        return can_edit(current_user, inst) and duty_rules.extendable(inst.state, inst.deadline) and \
            not any(e.status == duty_rules.PENDING for e in inst.extensions)
    return False


def refused_on_duty_page(inst, refused: Refused):
    """The duty page again with a refused form (also the board's figure and 批示 forms on it): the
    message beside that form, what was typed kept."""
    return render_template("duties/instance.html", **{**_instance_context(inst), "refused": refused}), 422


def _after_action(inst, form: BackForm, message: str | None = None, error: str | None = None,
                  partial: str | None = None, key: str = "", conflict=None):
    """htmx gets the fresh fragment (with the error: beside the refused form `key` if it has one —
    a refused note keeps its text — else at the top); a plain form gets a redirect on success — back to the 督查室 queue when
    the decision was taken there — and on a refusal the page again, the message beside the form
    (`key`) and what was typed kept."""
    instance_id = sa.inspect(inst).identity[0]  # (inst.id of an expired object would read it again)
    if error is None:
        db.session.expire_all()
    inst = get_instance(instance_id)
    refused = Refused(key, error, request.form, conflict) if error else None
    if is_partial_request() and partial:
        if refused and key:
            context = {**_instance_context(inst, full=False), "refused": refused}
        else:
            context = _instance_context(inst, error, full=False)
        return render_template(partial, **context), (422 if error else 200)
    if refused:
        if key.startswith(FormKey.ext("")) and form.to_queue:  # decided in the 督查室 queue: the queue again
            return _queue_page(refused), 422
        # The message shows beside the form, its field focused; also at the top of the work area
        # unless the form is always on the page — a state, 延期 or 销号 form may be gone (someone
        # else changed the duty's state; a 长期 duty has no 延期).
        top = None if _drawn_again(inst, key) else error
        context = {**_instance_context(inst, top), "refused": refused}
        return render_template("duties/instance.html", **context), 422
    if message:
        flash(f"{message}（{inst.duty.title} · {inst.unit.short_name}）", "success")
    if form.to_queue:
        return redirect(url_for("duties.queue"))
    return redirect(url_for("duties.instance", instance_id=inst.id))


def _run(inst, form: BackForm, action, message: str, partial: str | None = None, key: str = ""):
    """Validate the form, run a service action. NotAllowed (not a DutyError) is a 403; a DutyError —
    including StaleDuty — becomes the message beside the fresh state."""
    error = conflict = None
    if not form.validate():
        error = first_error(form)
    else:
        refusal = attempt(action, DutyError)
        if refusal is not None:
            error, conflict = str(refusal), refusal.conflict
    if error:
        return _after_action(inst, form, error=error, partial=partial, key=key, conflict=conflict)
    return _after_action(inst, form, message=message, partial=partial)


@bp.route("/tasks/<int:instance_id>/items/<int:item_id>", methods=["POST"])
@logged_in
def tick(instance_id: int, item_id: int):
    inst = _instance_or_404(instance_id)
    form = TickForm()
    return _run(inst, form, lambda: set_item(current_user, inst, item_id, form.done.data == "1"), "已更新清单。",
                partial="duties/_work.html")


@bp.route("/tasks/<int:instance_id>/notes", methods=["POST"])
@logged_in
def note(instance_id: int):
    inst = _instance_or_404(instance_id)
    form = NoteForm()
    # On a refusal, what was typed stays in the box with the reason beside it.
    return _run(inst, form, lambda: add_note(current_user, inst, form.body.data or ""), "已添加工作记录。",
                partial="duties/_work.html", key=FormKey.NOTE)


@bp.route("/tasks/<int:instance_id>/evidence", methods=["POST"])
@logged_in
def upload(instance_id: int):
    inst = _instance_or_404(instance_id)
    form = EvidenceForm()
    return _run(inst, form, lambda: add_evidence(current_user, inst, form.file.data), "已上传佐证材料。", key=FormKey.EVIDENCE)


@bp.route("/tasks/<int:instance_id>/evidence/<int:evidence_id>")
@requires("see_all_units", "act_for_own_unit")  # liaisons: the units on the duty (can_download)
@no_store
def download(instance_id: int, evidence_id: int):
    inst = _instance_or_404(instance_id)
    if not can_download(current_user, inst):
        abort(403)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.instance_id != inst.id:
        abort(404)
    try:
        data = read_evidence(evidence)
    except DutyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("duties.instance", instance_id=inst.id))
    if data is None:
        abort(404)
    record_download("evidence", evidence.id, f"{inst.duty.title} · {inst.unit.name}：{evidence.filename}",
                    {"file": evidence.filename, "size": evidence.size, "sha256": evidence.sha256})
    response = send_file(BytesIO(data), mimetype=evidence.content_type, as_attachment=True,
                         download_name=evidence.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


STATE_ACTIONS = {
    "request_close": (lambda user, inst, f: request_close(user, inst, f.reason.data or "", f.version.data),
                      "已申请销号，等待督查室核验。"),
    "block": (lambda user, inst, f: set_blocked(user, inst, True, f.reason.data or "", f.version.data), "已标记为受阻。"),
    "unblock": (lambda user, inst, f: set_blocked(user, inst, False, f.reason.data or "", f.version.data), "已恢复推进。"),
}


@bp.route("/tasks/<int:instance_id>/state", methods=["POST"])
@logged_in
def change_state(instance_id: int):
    inst = _instance_or_404(instance_id)
    form = StateForm()
    run, message = STATE_ACTIONS.get(form.action.data or "", (None, ""))
    return _run(inst, form, lambda: run(current_user, inst, form), message, key=FormKey.state(form.action.data))


@bp.route("/tasks/<int:instance_id>/responsible", methods=["POST"])
@logged_in
def responsible(instance_id: int):
    inst = _instance_or_404(instance_id)
    form = ResponsibleForm()
    return _run(inst, form, lambda: set_responsible(current_user, inst, form.name.data or "", form.phone.data or "",
                                                    (form.seen_name.data or "", form.seen_phone.data or ""),
                                                    form.overwrite.data),
                "已保存具体责任人。", key=FormKey.RESPONSIBLE)


@bp.route("/tasks/<int:instance_id>/extension", methods=["POST"])
@logged_in
def extension(instance_id: int):
    inst = _instance_or_404(instance_id)
    form = ExtensionForm()
    return _run(inst, form, lambda: request_extension(current_user, inst, form.reason.data or "", form.proposed.data),
                "已提交延期申请，等待审批。", key=FormKey.EXTENSION)


# ---- supervision office ------------------------------------------------------------------------

@bp.route("/supervision/")
@requires("supervise")
def queue():
    return _queue_page()


def _queue_page(refused: Refused = NOTHING_REFUSED) -> str:
    problems: list[str] = []
    plan_id = plan_arg(request.args, problems)  # every plan's requests, or the one chosen
    return render_template("duties/queue.html", requests=pending_close_requests(plan_id),
                           extensions=pending_extensions(plan_id), duty_rules=duty_rules, refused=refused,
                           close_form=BulkCloseForm(), ext_form=BulkExtensionForm(), plan_id=plan_id,
                           plan_problems=problems)


@bp.route("/supervision/decide/<kind>", methods=["POST"])
@requires("supervise")
def decide_many(kind: str):
    """Several requests decided together; each is still decided and audited on its own."""
    form = {"close": BulkCloseForm, "extension": BulkExtensionForm}.get(kind)
    if form is None:
        abort(404)
    form = form()
    if not form.validate_on_submit():
        return _queue_page(Refused(FormKey.bulk(kind), first_error(form), request.form)), 422
    if not form.selected.data:
        return _queue_page(Refused(FormKey.bulk(kind), "请先勾选要处理的申请。", request.form)), 422
    approve = form.decision.data in ("close", "approve")
    decide = bulk.decide_closes if kind == "close" else bulk.decide_extensions
    result = decide(current_user, form.selected.data, approve, form.comment.data or "")
    verb = {"close": "销号", "return": "退回", "approve": "批准延期", "reject": "驳回延期"}[form.decision.data]
    ok, bad = bulk.summary(result, verb)
    if ok:
        flash(ok, "success")
    if bad:
        flash(bad, "error")
    return redirect(url_for("duties.queue"))


@bp.route("/supervision/close/<int:instance_id>", methods=["POST"])
@requires("supervise")
def decide(instance_id: int):
    inst = _instance_or_404(instance_id)
    form = CloseDecisionForm()
    approve = form.decision.data == "close"
    message = "已销号。" if approve else "已退回，单位将看到退回理由。"
    return _run(inst, form, lambda: decide_close(current_user, inst, approve, form.comment.data or "", form.version.data),
                message, key=FormKey.DECIDE)


@bp.route("/supervision/extensions/<int:extension_id>", methods=["POST"])
@requires("supervise")
def decide_ext(extension_id: int):
    ext = db.session.get(ExtensionRequest, extension_id)
    if ext is None:
        abort(404)
    form = ExtensionDecisionForm()
    approve = form.decision.data == "approve"
    return _run(ext.instance, form, lambda: decide_extension(current_user, ext, approve, form.comment.data or ""),
                "已批准延期，完成时限已更新。" if approve else "已驳回延期申请。", key=FormKey.ext(ext.id))


@bp.route("/supervision/coverage")
@requires("supervise")
def coverage():
    gaps, problems = clause_coverage_gaps(Path(current_app.config["CONTENT_DIR"]))
    duty_count = db.session.scalar(sa.select(sa.func.count(Duty.id)).where(~Duty.archived))
    return render_template("duties/coverage.html", gaps=gaps, problems=problems, duty_count=duty_count)
