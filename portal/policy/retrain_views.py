"""重新安排学习 (issue 22): a law's new edition changed an article a training module cites. The module's
page says so (a panel the training view reads: portal/web/panels.py) and, to whoever assigns training,
links here: how many of the people they manage completed the module before the new edition reached
the library, a due date, and the confirmation. The work is done by `portal.training.retrain`."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.labels import zh_date
from portal.core.refusals import FormKey
from portal.policy import bp
from portal.policy.affected import ModuleChange, module_changes
from portal.policy.forms import RetrainForm
from portal.training import retrain as r
from portal.training.modules import get_module
from portal.training.scope import TrainingError, can_manage, county_scope, visible_counties
from portal.web.access import requires
from portal.web.actions import attempt
from portal.web.forms import NOTHING_REFUSED, Refused, first_error
from portal.web.panels import module_panel


@module_panel(bp, "policy/_module_changes.html", order=10)
def module_editions(module) -> list[dict]:
    """The new editions that changed an article the module cites; for whoever assigns training, how
    many of their people were trained on the earlier text."""
    trainer = can_manage(current_user, county_scope(current_user))
    return [{"change": c, "count": r.old_text_count(current_user, module, c.since) if trainer else None}
            for c in module_changes(module)]


def _change_or_404(doc_id: str, key: str) -> tuple:
    module = get_module(key[:80])
    if module is None or module.retired:
        abort(404)
    change = next((c for c in module_changes(module) if c.doc.doc_id == doc_id), None)
    if change is None:
        abort(404)
    return module, change


@bp.route("/<doc_id>/retrain/<key>", methods=["GET", "POST"])
@requires("manage_training")
def retrain(doc_id: str, key: str):
    module, change = _change_or_404(doc_id, key)
    form = RetrainForm()
    if form.validate_on_submit():
        done = []
        refusal = attempt(lambda: done.append(r.retrain(current_user, module, change.since, form.due.data,
                                                        change.reason)), TrainingError)
        if refusal is None:
            flash(f"已将“{module.title}”重新安排给 {done[0]} 人学习，完成时限为{zh_date(form.due.data)}。", "success")
            return redirect(url_for("training.module", key=module.key))
        return _page(form, module, change, Refused(FormKey.RETRAIN, str(refusal), request.form))
    if request.method == "POST":
        return _page(form, module, change, Refused(FormKey.RETRAIN, first_error(form), request.form))
    return _page(form, module, change)


def _page(form: RetrainForm, module, change: ModuleChange, refused: Refused = NOTHING_REFUSED):
    count = r.old_text_count(current_user, module, change.since)
    counties = visible_counties(current_user)
    scope = "全市" if county_scope(current_user) is None or not counties else counties[0].name
    return render_template("policy/retrain.html", form=form, m=module, change=change, count=count, scope=scope,
                           refused=refused), 422 if refused.key else 200
