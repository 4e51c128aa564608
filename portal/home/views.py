from flask import redirect, render_template, request, url_for
from flask_login import current_user

from portal import refdata
from portal.audit.display import present
from portal.board import services as board_services
from portal.capabilities import can
from portal.core import duty_rules, training_rules
from portal.core.labels import ACTION_LABELS
from portal.core.time import today
from portal.duties.reminders import notices_for
from portal.home import bp
from portal.home.services import account_summary, duty_overview, org_summary, recent_audit, unit_colleagues
from portal.security import throttle
from portal.training.home import training_home
from portal.web.access import any_account
from portal.web.query_args import plan_arg


@bp.route("/")
@any_account  # trainees (学员) too
def index():
    work = can(current_user, "work_pages")
    if not work and can(current_user, "learn"):
        return redirect(url_for("training.mine"))  # a trainee's home is their own training
    problems: list[str] = []
    plan_id = plan_arg(request.args, problems)  # every plan's duties, or the one chosen
    context = _work_cards(plan_id) if work else {}
    context.update(plan_id=plan_id, plan_problems=problems, chosen_plan=refdata.plan(plan_id))
    if can(current_user, "supervise"):
        # What waits for the office, as the board's headline counts it (one statement).
        context["waiting"] = board_services.headline(today(), plan_id)
    if can(current_user, "read_audit"):
        context["recent_audit"] = present(recent_audit())
        context["action_labels"] = ACTION_LABELS
    if can(current_user, "manage_security"):
        context["throttled"] = sum(1 for row in throttle.current_rows() if row.wait)
    return render_template("home/index.html", **context)


def _work_cards(plan_id: int) -> dict:
    """The daily work's cards: duties, the unit, the organisation, training."""
    context = {"colleagues": unit_colleagues(current_user), "org": org_summary(),
               "unit_parent": refdata.unit(current_user.unit.parent_id) if current_user.unit else None,
               "duty_rules": duty_rules,
               "notices": notices_for(current_user.unit_id if can(current_user, "act_for_own_unit") else None,
                                      user_id=current_user.id)}
    overview = duty_overview(current_user, plan_id)
    context["duty_counts"], context["duty_cooperating"] = overview.counts, overview.cooperating
    if can(current_user, "see_all_units"):
        context["units_behind"] = overview.ranked[:10]
    if can(current_user, "manage_users"):
        context["accounts"] = account_summary()
    if can(current_user, "training_work"):
        context["training"], context["training_rules"] = training_home(current_user), training_rules
    return context
