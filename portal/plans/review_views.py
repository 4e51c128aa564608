"""Reviewing a plan's draft: each drafted duty beside the sentence it came from, edited (one at a time,
in place with htmx), added, split, merged or dropped; unknown unit names mapped; clauses given a reason;
then published (or a next version opened)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import refdata
from portal.core.refusals import FormKey
from portal.extensions import db
from portal.models import PlanDraftDuty
from portal.plans import bp, drafts, publish, reshape
from portal.plans.forms import DraftForm, MergeForm, NameForm, NewUnitForm, NoDutyForm, PublishForm, SplitForm, lines
from portal.plans.views import detail_page, plan_or_404
from portal.web.access import requires
from portal.web.actions import attempt
from portal.web.forms import NOTHING_REFUSED, Refused, first_error
from portal.web.htmx import is_partial_request
from portal.web.inputs import MAX_ID, parse_int

EXPIRED = "页面已过期，请刷新后重试。"
NO_DRAFT = "该方案没有待发布的草稿。"


def _draft_or_404(plan, draft_id: int) -> PlanDraftDuty:
    draft = next((d for d in plan.drafts if d.id == draft_id), None)
    if draft is None:
        abort(404)
    return draft


def _back(plan, anchor: str = "", edit: int | None = None):
    return redirect(url_for("plans.review", plan_id=plan.id, edit=edit) + (f"#{anchor}" if anchor else ""))


def draft_form(draft: PlanDraftDuty, units) -> DraftForm:
    said, arranged = drafts.steps(draft)
    form = DraftForm(formdata=None, data={
        "title": draft.title, "clauses": " ".join(draft.clause_ids), "lead": [i for i in draft.lead_ids if i],
        "cooperating": [i for i in draft.cooperating_ids if i and i not in (draft.arranged_cooperating_ids or ())],
        "arranged_cooperating": [i for i in draft.arranged_cooperating_ids or () if i], "scope": draft.scope,
        "deadline_text": draft.deadline_text, "deadline": draft.deadline, "checklist": "\n".join(said),
        "arranged": "\n".join(arranged), "arrangement": draft.arrangement, "version": draft.version})
    form.set_units(units)
    return form


def review_page(plan, editing: int | None = None, refused: tuple[int, DraftForm, str] | None = None,
                other: Refused = NOTHING_REFUSED, problems: list[str] | None = None):
    """The review page: each drafted duty as it reads, one of them (`editing`) as its form; `refused`:
    a duty's form the server refused (its id, the form as typed, why), drawn again in place of that
    duty with the message beside it (nothing typed is lost); `other`: another form refused (a split, a
    merge, a name's mapping, a clause's reason, 发布 or the 任务分工表's upload with its `problems`), its
    reason beside it and what was typed kept. Refused, at 422."""
    units = refdata.active_units()
    editing = refused[0] if refused is not None else editing
    draft = next((d for d in plan.drafts if d.id == editing), None)
    form = refused[1] if refused is not None else draft_form(draft, units) if draft is not None else None
    unknown, gaps = drafts.unknown_names(plan), drafts.clauses_without_duty(plan) if plan.drafting else []
    page = render_template(
        "plans/review.html", plan=plan, units=units, editing=draft.id if draft else None, form=form,
        refused_error=refused[2] if refused else "", unknown=unknown, unmatched=drafts.unmatched, gaps=gaps,
        tree={row[0]: row for row in plan.clause_tree or []}, name_form=NameForm(),
        no_duty_form=NoDutyForm(), levels=drafts.UNIT_LEVELS, problems=problems or [],
        refused_elsewhere=bool(other.key) and other.key not in _forms_on_page(plan, draft, unknown, gaps),
        **_card_context(plan, other))
    return (page, 422) if refused or other.key else page


def _forms_on_page(plan, editing, unknown: list[str], gaps: list[str]) -> set[str]:
    """The forms of the review page a refusal can be drawn beside (templates/plans/review.html); a
    refused form not among them (the name was mapped, the duty dropped meanwhile) has its reason on top."""
    if not plan.drafting:
        return set()
    reading = [d for d in plan.drafts if d is not editing]
    return ({FormKey.DIVISION, FormKey.ADD_DRAFT, FormKey.PUBLISH}
            | {FormKey.split_draft(d.id) for d in reading} | {FormKey.drop_draft(d.id) for d in reading}
            | ({FormKey.merge_draft(d.id) for d in reading} if len(plan.drafts) > 1 else set())
            | {FormKey.map_name(n) for n in unknown} | {FormKey.new_unit(n) for n in unknown}
            | {FormKey.no_duty(c) for c in gaps})


def _card_context(plan, refused: Refused = NOTHING_REFUSED) -> dict:
    """What every drafted duty's card needs beside the duty."""
    return dict(action=PublishForm(), split_form=SplitForm(formdata=None), merge_form=MergeForm(formdata=None),
                shown=drafts.shown_units, steps=drafts.steps, count=len(plan.drafts), refused=refused)


def _card(plan, draft, *, form: DraftForm | None = None, error: str = "", saved: str = ""):
    """One drafted duty's card alone (htmx): as it reads, or as its form when `form` is given."""
    return render_template("plans/_draft.html", plan=plan, d=draft, n=plan.drafts.index(draft) + 1,
                           editing=draft.id if form is not None else None, form=form, refused_error=error,
                           saved=saved, unmatched=drafts.unmatched, **_card_context(plan))


@bp.route("/plans/<int:plan_id>/review")
@requires("manage_plans")
def review(plan_id: int):
    return review_page(plan_or_404(plan_id), parse_int(request.args.get("edit", ""), 1, MAX_ID))


@bp.route("/plans/<int:plan_id>/drafts/<int:draft_id>/card")
@requires("manage_plans")
def draft_card(plan_id: int, draft_id: int):
    """A drafted duty's card (htmx): `?edit=1` its form, else as it reads. Without htmx: the review page
    with that duty's form open."""
    plan = plan_or_404(plan_id)
    draft = _draft_or_404(plan, draft_id)
    edit = request.args.get("edit") == "1"
    if not is_partial_request():
        return redirect(url_for("plans.review", plan_id=plan.id, edit=draft.id if edit else None)
                        + f"#draft-{draft.id}")
    return _card(plan, draft, form=draft_form(draft, refdata.active_units()) if edit else None)


@bp.route("/plans/<int:plan_id>/drafts/<int:draft_id>", methods=["POST"])
@requires("manage_plans")
def edit_draft(plan_id: int, draft_id: int):
    plan = plan_or_404(plan_id)
    draft = _draft_or_404(plan, draft_id)
    form = DraftForm()
    form.set_units(refdata.active_units())
    why = _draft_problem(plan, form)
    if why is None and attempt(lambda: drafts.edit_draft(draft, _draft_edit(form), current_user, form.version.data),
                               drafts.DraftStale):
        draft = _draft_or_404(plan_or_404(plan_id), draft_id)  # stale: the colleague's version named
        form.version.data = draft.version  # saving again (knowingly) replaces the colleague's version
        why = (f"这项任务已被他人修改（现为「{draft.title}」）。"
               "您填写的内容仍在下方，核对后再次保存即以您的内容为准。")
    if why is not None:
        if is_partial_request():
            return _card(plan, draft, form=form, error=f"未保存：{why}")
        return review_page(plan, refused=(draft.id, form, f"未保存：{why}"))
    if is_partial_request():
        return _card(plan, draft, saved=f"已保存「{draft.title}」。")
    flash(f"已保存「{draft.title}」。", "success")
    return _back(plan, f"draft-{draft.id}")


def _draft_problem(plan, form: DraftForm) -> str | None:
    if not form.validate_on_submit():
        return first_error(form)
    known = {cid for cid, _ in drafts.clauses_of(plan)}
    unknown = [c for c in _clauses(form) if c not in known]
    if unknown:
        return f"方案中没有条款 {'、'.join(unknown)}。"
    return None if form.lead.data else "请选择牵头单位。"


def _clauses(form: DraftForm) -> list[str]:
    return [c for c in (form.clauses.data or "").replace("，", " ").replace(",", " ").split() if c]


def _draft_edit(form: DraftForm) -> drafts.DraftEdit:
    arranged = [u for u in form.arranged_cooperating.data or [] if u not in form.lead.data]
    named = [u for u in form.cooperating.data or [] if u not in form.lead.data and u not in arranged]
    return drafts.DraftEdit(
        title=form.title.data.strip(), clauses=_clauses(form), lead_ids=list(form.lead.data),
        cooperating_ids=named + arranged, arranged_cooperating_ids=arranged, scope=form.scope.data,
        deadline_text=(form.deadline_text.data or "").strip(), deadline=form.deadline.data,
        checklist=lines(form.checklist.data), arranged=lines(form.arranged.data),
        arrangement=(form.arrangement.data or "").strip())


@bp.route("/plans/<int:plan_id>/drafts/<int:draft_id>/split", methods=["POST"])
@requires("manage_plans")
def split_draft(plan_id: int, draft_id: int):
    plan = plan_or_404(plan_id)
    draft = _draft_or_404(plan, draft_id)
    form = SplitForm()
    form.set_steps(len(draft.checklist))
    key = FormKey.split_draft(draft_id)
    if not form.validate_on_submit():
        return _reshaped(plan, draft.id, Refused(key, first_error(form), request.form))
    made = []
    refusal = attempt(lambda: made.append(reshape.split_draft(
        plan, draft, form.title.data.strip(), list(form.moved.data or []), current_user, form.version.data)),
        (reshape.ReshapeRefused, drafts.DraftStale))
    if refusal is not None:
        return _reshaped(plan_or_404(plan_id), draft_id, Refused(key, str(refusal), request.form))
    new = made[0]
    return _reshaped(plan, new.id, done=f"已将「{draft.title}」拆分为两项，新任务「{new.title}」在其后。")


@bp.route("/plans/<int:plan_id>/drafts/<int:draft_id>/merge", methods=["POST"])
@requires("manage_plans")
def merge_draft(plan_id: int, draft_id: int):
    plan = plan_or_404(plan_id)
    draft = _draft_or_404(plan, draft_id)
    form = MergeForm()
    key = FormKey.merge_draft(draft_id)
    if not form.validate_on_submit() or form.other.data is None:
        why = first_error(form) if form.errors else "请填写要合并进来的任务序号（页面上的“第几项”）。"
        return _reshaped(plan, draft.id, Refused(key, why, request.form))
    if form.other.data > len(plan.drafts):
        return _reshaped(plan, draft.id, Refused(key, f"没有第{form.other.data}项任务（共 {len(plan.drafts)} 项）。",
                                                 request.form))
    other = plan.drafts[form.other.data - 1]
    title = other.title
    refusal = attempt(lambda: reshape.merge_drafts(plan, draft, other, current_user, form.version.data),
                      (reshape.ReshapeRefused, drafts.DraftStale))
    if refusal is not None:
        return _reshaped(plan_or_404(plan_id), draft_id, Refused(key, str(refusal), request.form))
    return _reshaped(plan, draft.id, done=f"已将第{form.other.data}项「{title}」并入「{draft.title}」。")


def _reshaped(plan, draft_id: int, refused: Refused = NOTHING_REFUSED, done: str = ""):
    """After a split or merge (or its refusal): with htmx, the list of drafted duties alone, renumbered,
    with the message on the duty it concerns (a refusal beside its form, what was typed kept; 422 would
    not be swapped in by htmx, so 200); without, the review page drawn again with the refusal beside its
    form (422), or the page at that duty with the done message."""
    if is_partial_request():
        db.session.expire_all()  # a rollback or a reshape changed the list
        plan = plan_or_404(plan.id)
        return render_template("plans/_drafts.html", plan=plan, editing=None, form=None, unmatched=drafts.unmatched,
                               reshaped={"id": draft_id, "done": done}, **_card_context(plan, refused))
    if refused.key:
        return review_page(plan, other=refused)
    flash(done, "success")
    return _back(plan, f"draft-{draft_id}")


@bp.route("/plans/<int:plan_id>/drafts/add", methods=["POST"])
@requires("manage_plans")
def add_draft(plan_id: int):
    plan = plan_or_404(plan_id)
    if not PublishForm().validate_on_submit() or not plan.drafting:
        return review_page(plan, other=Refused(FormKey.ADD_DRAFT, EXPIRED if plan.drafting else NO_DRAFT))
    draft = drafts.add_draft(plan, current_user)
    flash("已新增一项任务，请填写后保存。", "success")
    return _back(plan, f"draft-{draft.id}", edit=draft.id)


@bp.route("/plans/<int:plan_id>/drafts/<int:draft_id>/drop", methods=["POST"])
@requires("manage_plans")
def drop_draft(plan_id: int, draft_id: int):
    plan = plan_or_404(plan_id)
    draft = _draft_or_404(plan, draft_id)
    if not PublishForm().validate_on_submit():
        return review_page(plan, other=Refused(FormKey.drop_draft(draft.id), EXPIRED))
    title = draft.title
    drafts.drop_draft(draft, current_user)
    flash(f"已删除「{title}」。", "success")
    return _back(plan)


@bp.route("/plans/<int:plan_id>/names", methods=["POST"])
@requires("manage_plans")
def map_name(plan_id: int):
    plan = plan_or_404(plan_id)
    form = NameForm()
    if not form.validate_on_submit() or form.unit.data is None or refdata.unit(form.unit.data) is None:
        why = (first_error(form) if form.errors else "请选择单位。" if form.unit.data is None
               else "所选单位无效，请重新选择。")
        return review_page(plan, other=Refused(FormKey.map_name(form.name.data or ""), why, request.form))
    changed = drafts.map_name(plan, form.name.data.strip(), form.unit.data, current_user)
    flash(f"已将「{form.name.data.strip()}」对应为{refdata.unit(form.unit.data).name}（{changed}项任务）。", "success")
    return _back(plan, "names")


@bp.route("/plans/<int:plan_id>/names/new-unit", methods=["POST"])
@requires("manage_plans")
def new_unit(plan_id: int):
    plan = plan_or_404(plan_id)
    form = NewUnitForm()
    name = (form.name.data or "").strip()
    parent = refdata.unit(form.parent.data) if form.parent.data else None
    why = (first_error(form) if not form.validate_on_submit()
           else "所选上级单位无效，请重新选择。" if form.parent.data and parent is None
           else f"草稿中没有未对应的名称「{name}」。" if name not in drafts.unknown_names(plan) else None)
    if why is not None:
        return review_page(plan, other=Refused(FormKey.new_unit(form.name.data or ""), why, request.form))
    drafts.create_unit(plan, name, form.level.data, parent.id if parent else None, current_user)
    flash(f"已新建单位「{name}」，并对应到草稿中的任务。", "success")
    return _back(plan, "names")


@bp.route("/plans/<int:plan_id>/no-duty", methods=["POST"])
@requires("manage_plans")
def no_duty(plan_id: int):
    plan = plan_or_404(plan_id)
    form = NoDutyForm()
    known = {cid for cid, _ in drafts.clauses_of(plan)}
    if not form.validate_on_submit() or form.clause.data not in known:
        why = first_error(form) if form.errors else "方案中没有这一条款。"
        return review_page(plan, other=Refused(FormKey.no_duty(form.clause.data or ""), why, request.form))
    drafts.set_no_duty(plan, form.clause.data, (form.reason.data or "").strip(), current_user)
    flash("已记录。", "success")
    return _back(plan, "coverage")


@bp.route("/plans/<int:plan_id>/publish", methods=["POST"])
@requires("manage_plans")
def do_publish(plan_id: int):
    plan = plan_or_404(plan_id)
    if not PublishForm().validate_on_submit():
        return review_page(plan, other=Refused(FormKey.PUBLISH, EXPIRED))
    gaps = drafts.clauses_without_duty(plan)
    problems = publish.publish(plan, current_user)
    if problems:  # one reason beside the 发布 button, or a list of them under a line saying so
        why = problems[0] if len(problems) == 1 else f"未发布：有 {len(problems)} 处问题，请先处理。"
        return review_page(plan_or_404(plan_id), other=Refused(FormKey.PUBLISH, why),
                           problems=problems if len(problems) > 1 else None)
    flash(f"已发布「{plan.title}」第{plan.version}版任务分工。", "success")
    if gaps:
        flash(f"注意：尚有{len(gaps)}条条款既无任务也未说明理由，可修订任务分工补上。", "error")
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/revise", methods=["POST"])
@requires("manage_plans")
def revise(plan_id: int):
    plan = plan_or_404(plan_id)
    problem = EXPIRED if not PublishForm().validate_on_submit() else publish.open_next_version(plan, current_user)
    if problem:
        return detail_page(plan_or_404(plan_id), Refused(FormKey.plan(plan_id), problem)), 422
    return _back(plan)
