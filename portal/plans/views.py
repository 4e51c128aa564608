"""Plans: the list, a plan's page, archiving and restoring, and uploading a new 方案."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.plans import bp, drafts, imports, services
from portal.plans.forms import ArchiveForm, UploadForm
from portal.web.access import logged_in, requires
from portal.web.actions import attempt
from portal.web.forms import first_error


def plan_or_404(plan_id: int):
    """A plan to read, review, revise or archive; the office's 交办事项 are not a plan one drafts
    (they are assigned one by one under /duban/), so they are not found here."""
    plan = services.get_plan(plan_id)
    if plan is None or plan.kind != "plan":
        abort(404)
    return plan


@bp.route("/plans")
@logged_in
def index():
    state = request.args.get("state", "")
    state = state if state in services.STATE_LABELS else ""
    plans = services.list_plans(state)
    return render_template("plans/index.html", plans=plans, counts=services.counts([p.id for p in plans]),
                           state=state, states=services.STATE_LABELS, form=ArchiveForm())


@bp.route("/plans/<int:plan_id>")
@logged_in
def detail(plan_id: int):
    found = services.get_plan(plan_id)
    if found is not None and found.kind != "plan":
        return redirect(url_for("duties.index", plan=plan_id))  # the 交办事项: their 台账
    plan = plan_or_404(plan_id)
    duties, c = services.live_duties(plan)
    gaps = drafts.clauses_without_duty(plan, published=[d.clause_ids for d, _ in duties])
    return render_template("plans/detail.html", plan=plan, counts=c, duties=duties,
                           by_clause=services.duties_by_clause(duties),
                           states=services.STATE_LABELS, form=ArchiveForm(), gaps=gaps)


@bp.route("/plans/<int:plan_id>/archive", methods=["POST"])
@requires("manage_plans")
def archive(plan_id: int):
    plan = plan_or_404(plan_id)
    if not ArchiveForm().validate_on_submit():
        flash("页面已过期，请刷新后重试。", "error")
    else:
        problem = services.archive_plan(plan)
        flash(problem or f"已归档「{plan.title}」。", "error" if problem else "success")
    return redirect(url_for("plans.index"))


@bp.route("/plans/<int:plan_id>/restore", methods=["POST"])
@requires("manage_plans")
def restore(plan_id: int):
    plan = plan_or_404(plan_id)
    if not ArchiveForm().validate_on_submit():
        flash("页面已过期，请刷新后重试。", "error")
    else:
        problem = services.restore_plan(plan)
        flash(problem or f"已恢复「{plan.title}」，其任务重新纳入督办。", "error" if problem else "success")
    return redirect(url_for("plans.detail", plan_id=plan.id))


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
