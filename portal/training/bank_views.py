"""Questions that teach, the pages: a module's item statistics and feedback summary for trainers, and
the trainee's short feedback after a training."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.training import bank, bp, item_stats
from portal.training import services as s
from portal.training.forms import feedback_form
from portal.training.learn_views import module_page
from portal.training.scope import TrainingError
from portal.web.access import requires
from portal.web.actions import attempt
from portal.web.inputs import parse_int


def _module_or_404(key: str):
    module = s.get_module(key[:80])
    if module is None:
        abort(404)
    return module


@bp.route("/training/modules/<key>/statistics")
@requires("manage_training")
def module_statistics(key: str):
    m = _module_or_404(key)
    rows = bank.statistics(current_user, m)
    return render_template("training/statistics.html", m=m, rows=rows, summary=bank.feedback_summary(current_user, m),
                           min_attempts=item_stats.MIN_ATTEMPTS, flagged=sum(1 for _, st in rows if st.flags))


@bp.route("/training/modules/<key>/feedback", methods=["POST"])
@requires("learn")
def feedback(key: str):
    m = _module_or_404(key)
    trainee = s.trainee_of(current_user)
    if trainee is None or s.current_completion(trainee.id, m.id) is None:
        abort(404)  # feedback follows a completed training
    form = feedback_form(formdata=request.form)
    if not form.validate_on_submit():  # drawn again with what was typed, the message beside the form
        errors = [e for field in (form.useful, form.clear, form.missing) for e in field.errors]
        return module_page(m, status=422, feedback=form,
                           feedback_error="；".join(errors) or "页面已过期，请刷新后重试。")
    refusal = attempt(lambda: bank.give_feedback(current_user, trainee, m, parse_int(form.useful.data, 1, 3) or 0,
                                                 parse_int(form.clear.data, 1, 3) or 0, form.missing.data or ""),
                      TrainingError)
    if refusal is not None:
        return module_page(_module_or_404(key), status=422, feedback=form, feedback_error=str(refusal) or "不能提交反馈。")
    flash("感谢反馈，已提交。", "success")
    return redirect(url_for("training.module", key=m.key) + "#feedback")
