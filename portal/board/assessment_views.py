"""考核 pages (thin): the ranking with its formula, and the office's settings (weights, bands)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.board import assessment, bp, rollup, scoring, services
from portal.board.forms import AssessmentSettingsForm
from portal.capabilities import can
from portal.core import duty_rules
from portal.core.time import today
from portal.extensions import db
from portal.web.access import requires
from portal.web.forms import first_error
from portal.web.query_args import plan_arg


@bp.route("/board/assessment")
@requires("see_all_units")
def assessment_page():
    on = today()
    problems: list[str] = []
    plan_id = plan_arg(request.args, problems)  # every plan's duties, or the one chosen
    s = assessment.current_settings()
    ranked = assessment.ranking(services.load_rows(on, plan_id), on, current_app.config["REPORT_DUE_DAY"], plan_id)
    return render_template("board/assessment.html", duty_rules=duty_rules, rollup=rollup, scoring=scoring, ranking=ranked,
                           bands=assessment.band_counts(ranked), settings=s, on=on, plan_id=plan_id, problems=problems,
                           formula=scoring.formula_lines(assessment.weights_of(s), s.green_min, s.yellow_min),
                           may_edit=can(current_user, "supervise"))


@bp.route("/board/assessment/settings", methods=["GET", "POST"])
@requires("supervise")
def assessment_settings():
    s = assessment.current_settings()
    if request.method == "POST":
        form = AssessmentSettingsForm()
        error = None if form.validate_on_submit() else first_error(form)
        if error is None:
            values = {f: form[f].data for f in assessment.SETTING_FIELDS}
            try:
                assessment.save_settings(current_user, values, form.version.data or 0)
            except assessment.SettingsError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                flash("考核设置已保存，排名按新设置计算。", "success")
                return redirect(url_for("board.assessment_page"))
        return render_template("board/assessment_settings.html", form=form, error=error,
                               labels=assessment.SETTING_LABELS), 422
    form = AssessmentSettingsForm(formdata=None, data={**{f: getattr(s, f) for f in assessment.SETTING_FIELDS},
                                                       "version": s.version})
    return render_template("board/assessment_settings.html", form=form, error=None, labels=assessment.SETTING_LABELS)
