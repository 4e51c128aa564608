from flask import redirect, render_template, url_for
from flask_login import current_user

from portal import refdata
from portal.access import any_account
from portal.audit.display import present
from portal.audit.services import ACTION_LABELS
from portal.board import services as board_services
from portal.duties import rules
from portal.duties.reminders import notices_for
from portal.duties.services import today
from portal.home import bp
from portal.home.services import account_summary, duty_overview, org_summary, recent_audit, unit_colleagues
from portal.roles import ADMIN, LEADER, TRAINER, is_trainee_only
from portal.training import rules as training_rules
from portal.training.home import training_home


@bp.route("/")
@any_account  # trainees (学员) too
def index():
    if is_trainee_only(current_user):
        return redirect(url_for("training.mine"))  # a trainee's home is their own training
    context = {"colleagues": unit_colleagues(current_user), "org": org_summary(),
               "unit_parent": refdata.unit(current_user.unit.parent_id) if current_user.unit else None,
               "duty_rules": rules,
               "notices": notices_for(current_user.unit_id) if current_user.has_role("liaison") else []}
    overview = duty_overview(current_user)
    context["duty_counts"] = overview.counts
    if current_user.has_role(ADMIN, LEADER):
        context["accounts"] = account_summary()
        context["units_behind"] = overview.ranked[:10]
    if current_user.has_role(TRAINER):
        context["training"], context["training_rules"] = training_home(current_user), training_rules
    if current_user.has_role(ADMIN):
        # What waits for the office, as the board's headline counts it (one statement).
        context["waiting"] = board_services.headline(today())
        context["recent_audit"] = present(recent_audit())
        context["action_labels"] = ACTION_LABELS
    return render_template("home/index.html", **context)
