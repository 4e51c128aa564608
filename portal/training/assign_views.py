"""Assigning a module to a group (人群安排): now, to whoever joins later, again with a new due date; withdrawing."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core import training_rules
from portal.core.refusals import FormKey
from portal.core.time import today
from portal.extensions import db
from portal.models import CohortRule, TrainingPlace
from portal.training import bp
from portal.training import services as s
from portal.training.forms import CohortAssignForm, EmptyForm, choices
from portal.training.scope import TrainingError, can_manage, county_scope, visible_counties
from portal.training.views import _county_arg, _module_choices, _township_options
from portal.web.access import requires
from portal.web.actions import attempt
from portal.web.forms import NOTHING_REFUSED, Refused, first_error


def _assign_once(form: CohortAssignForm, counties: list, city: bool) -> str:
    """Run one group assignment; returns the message to show, or raises TrainingError (or NotAllowed)."""
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
    counties, city = _choices(form)
    if form.validate_on_submit():
        said = []
        refusal = attempt(lambda: said.append(_assign_once(form, counties, city)), TrainingError)
        if refusal is None:
            flash(said[0], "success")
            return redirect(url_for("training.assign"))
        return _assign_page(form, counties, city, Refused(FormKey.COHORT, str(refusal), request.form))  # what was typed kept
    if request.method == "POST":
        return _assign_page(form, counties, city, Refused(FormKey.COHORT, first_error(form), request.form))
    return _assign_page(form, counties, city)


def _choices(form: CohortAssignForm) -> tuple[list, bool]:
    _module_choices(form.module)
    counties = visible_counties(current_user)
    city = county_scope(current_user) is None
    form.county.choices = choices(([("", "全市")] if city else []) + [(c.code, c.name) for c in counties])
    return counties, city


def _assign_page(form: CohortAssignForm, counties: list, city: bool, refused: Refused = NOTHING_REFUSED):
    """The group assignment page; `refused`: the assignment form (or a rule's 撤销) the server refused,
    drawn again with its reason beside it and what was typed kept, at 422."""
    county = _county_arg() or (counties[0] if not city and counties else None)
    cohorts = db.session.scalars(sa.select(CohortRule).where(CohortRule.active).order_by(CohortRule.id.desc())
                                 .limit(50)).all()
    cohorts = [c for c in cohorts if can_manage(current_user, c.county_id) or city]
    return render_template("training/assign.html", form=form, counties=counties, refused=refused, county=county,
                           township_options=_township_options(counties, form.township.data), cohorts=cohorts, end_form=EmptyForm(),
                           training_rules=training_rules, cohort_label=s.cohort_label,
                           today=today()), 422 if refused.key else 200


@bp.route("/training/assign/rules/<int:rule_id>/end", methods=["POST"])
@requires("manage_training")
def assign_rule_end(rule_id: int):
    """Withdraw a group rule: later joiners are no longer assigned; assignments already made stay."""
    rule = db.session.get(CohortRule, rule_id)
    if rule is None or not can_manage(current_user, rule.county_id):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    title = rule.module.title
    refusal = attempt(lambda: s.end_cohort_rule(current_user, rule), TrainingError)
    if refusal is not None:
        form = CohortAssignForm(formdata=None)
        return _assign_page(form, *_choices(form), Refused(FormKey.end_rule(rule_id), str(refusal)))
    flash(f"已撤销“{title}”的这项人群安排：以后加入的人员不再自动安排，已安排的人员不变。", "success")
    return redirect(url_for("training.assign"))
