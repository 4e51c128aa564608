"""Assigning a module to a group (人群安排): now, to whoever joins later, again with a new due date; withdrawing."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core import training_rules
from portal.core.refusals import NotAllowed
from portal.core.time import today
from portal.extensions import db
from portal.models import CohortRule, TrainingPlace
from portal.training import bp
from portal.training import services as s
from portal.training.forms import CohortAssignForm, EmptyForm, choices
from portal.training.scope import TrainingError, can_manage, county_scope, visible_counties
from portal.training.views import _county_arg, _fail, _module_choices, _townships
from portal.web.access import requires


def _assign_once(form: CohortAssignForm, counties: list, city: bool) -> str:
    """Run one group assignment; returns the message to show, or raises TrainingError/NotAllowed."""
    county = next((c for c in counties if c.code == form.county.data), None)
    township = db.session.get(TrainingPlace, form.township.data) if form.township.data else None
    module = s.get_module(form.module.data)
    if module is None or (form.county.data and county is None) or (not city and county is None):
        raise TrainingError("请选择培训模块和范围。")
    if township is not None and (county is None or township.county_id != county.id):
        raise TrainingError("所选乡镇（街道）不在该县（市、区）。")
    done = s.assign_cohort(current_user, module, s.Cohort(form.role.data, county.id if county else None,
                                                          township.id if township else None), form.due.data)
    label = s.cohort_label(form.role.data, county, township)
    return f"已将“{module.title}”安排给{label}，{done.text()}；以后加入的人员自动安排。"


@bp.route("/training/assign", methods=["GET", "POST"])
@requires("manage_training")
def assign():
    form = CohortAssignForm()
    _module_choices(form.module)
    counties = visible_counties(current_user)
    city = county_scope(current_user) is None
    form.county.choices = choices(([("", "全市")] if city else []) + [(c.code, c.name) for c in counties])
    error = ""
    if form.validate_on_submit():
        try:
            flash(_assign_once(form, counties, city), "success")
            return redirect(url_for("training.assign"))
        except TrainingError as exc:
            db.session.rollback()
            error = str(exc)  # beside the form, what was typed kept
        except NotAllowed:
            db.session.rollback()
            abort(403)
    elif request.method == "POST":
        _fail(form)
    county = _county_arg() or (counties[0] if not city and counties else None)
    cohorts = db.session.scalars(sa.select(CohortRule).where(CohortRule.active).order_by(CohortRule.id.desc())
                                 .limit(50)).all()
    cohorts = [c for c in cohorts if can_manage(current_user, c.county_id) or city]
    return render_template("training/assign.html", form=form, counties=counties, error=error,
                           townships=_townships(counties), county=county, cohorts=cohorts, end_form=EmptyForm(),
                           training_rules=training_rules, cohort_label=s.cohort_label, today=today()), 422 if error or form.errors else 200


@bp.route("/training/assign/rules/<int:rule_id>/end", methods=["POST"])
@requires("manage_training")
def assign_rule_end(rule_id: int):
    """Withdraw a group rule: later joiners are no longer assigned; assignments already made stay."""
    rule = db.session.get(CohortRule, rule_id)
    if rule is None or not can_manage(current_user, rule.county_id):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        s.end_cohort_rule(current_user, rule)
        flash(f"已撤销“{rule.module.title}”的这项人群安排：以后加入的人员不再自动安排，已安排的人员不变。", "success")
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("training.assign"))
