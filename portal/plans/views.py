"""Plans: the list, a plan's page, archiving and restoring, and uploading a new 方案."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.refusals import FormKey
from portal.plans import bp, drafts, imports, services
from portal.plans.forms import ArchiveForm, UploadForm
from portal.web.access import logged_in, requires
from portal.web.actions import attempt
from portal.web.forms import NOTHING_REFUSED, Refused, first_error

EXPIRED = "页面已过期，请刷新后重试。"


def plan_or_404(plan_id: int):
    """A plan to read, review, revise or archive; the office's 交办事项 are not a plan one drafts
    (they are assigned one by one under /duban/), so they are not found here."""
    plan = services.get_plan(plan_id)
    if plan is None or plan.kind != "plan":
        abort(404)
    return plan


def _state_arg(value: str | None) -> str:
    return value if value in services.STATE_LABELS else ""


@bp.route("/plans")
@logged_in
def index():
    return index_page(_state_arg(request.args.get("state", "")))


def index_page(state: str, refused: Refused = NOTHING_REFUSED):
    """The plans list (of one `state`, or all); `refused`: a plan's 归档 / 恢复 refused, its reason on
    that plan's row."""
    plans = services.list_plans(state)
    return render_template("plans/index.html", plans=plans, counts=services.counts([p.id for p in plans]),
                           state=state, states=services.STATE_LABELS, form=ArchiveForm(), refused=refused)


@bp.route("/plans/<int:plan_id>")
@logged_in
def detail(plan_id: int):
    found = services.get_plan(plan_id)
    if found is not None and found.kind != "plan":
        return redirect(url_for("duties.index", plan=plan_id))  # the 交办事项: their 台账
    return detail_page(plan_or_404(plan_id))


def detail_page(plan, refused: Refused = NOTHING_REFUSED):
    """A plan's page; `refused`: its 恢复督办 or 修订任务分工 refused, the reason beside those buttons."""
    duties, c = services.live_duties(plan)
    gaps = drafts.clauses_without_duty(plan, published=[d.clause_ids for d, _ in duties])
    return render_template("plans/detail.html", plan=plan, counts=c, duties=duties,
                           by_clause=services.duties_by_clause(duties),
                           states=services.STATE_LABELS, form=ArchiveForm(), gaps=gaps, refused=refused)


def _state_change(plan_id: int, change, done: str):
    """归档 or 恢复 (`change`: the service, a reason when it cannot be). Refused: the page the button was
    on (the list, `listed` with its state filter, or the plan's page) drawn again with the reason beside
    the plan's buttons, at 422; done: the message on the plan's page (the list after 归档)."""
    plan = plan_or_404(plan_id)
    form = ArchiveForm()
    problem = change(plan) if form.validate_on_submit() else EXPIRED
    if problem:
        refused = Refused(FormKey.plan(plan_id), problem)
        plan = plan_or_404(plan_id)  # a refused change was rolled back
        if form.listed.data:
            return index_page(_state_arg(form.state.data), refused), 422
        return detail_page(plan, refused), 422
    flash(done.format(title=plan.title), "success")
    return redirect(url_for("plans.index") if change is services.archive_plan
                    else url_for("plans.detail", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/archive", methods=["POST"])
@requires("manage_plans")
def archive(plan_id: int):
    return _state_change(plan_id, services.archive_plan, "已归档「{title}」。")


@bp.route("/plans/<int:plan_id>/restore", methods=["POST"])
@requires("manage_plans")
def restore(plan_id: int):
    return _state_change(plan_id, services.restore_plan, "已恢复「{title}」，其任务重新纳入督办。")


@bp.route("/plans/new", methods=["GET", "POST"])
@requires("manage_plans")
def new():
    form = UploadForm()
    error = ""
    if request.method == "POST":
        if not form.validate_on_submit():
            error = first_error(form)
        else:
            upload = form.file.data
            done = []
            refusal = attempt(lambda: done.append(imports.import_plan(
                getattr(upload, "filename", "") or "", upload.read() if upload else b"", current_user,
                publish_now=False)), imports.ImportRefused)
            if refusal is not None:
                error = str(refusal)
            else:
                result = done[0]
                for p in result.problems[:20]:
                    flash(f"{p.file} 第{p.line}处未能读取：{p.reason}", "error")
                flash(f"已导入「{result.plan.title}」，请审核起草的任务。", "success")
                return redirect(url_for("plans.review", plan_id=result.plan.id))
    return render_template("plans/new.html", form=form, error=error,
                           suffixes="、".join(imports.SUFFIXES)), 400 if error else 200
