import time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from portal import refdata
from portal.auth import bp
from portal.auth.forms import ChangePasswordForm, LoginCodeForm, LoginForm, LogoutForm
from portal.auth.services import WRONG_CURRENT_PASSWORD, authenticate, change_password, verify_second_factor
from portal.capabilities import can
from portal.extensions import db, login_manager
from portal.models import User
from portal.security import devices, sessions
from portal.security.second_factor import requires_second_factor
from portal.web.access import any_account, public, safe_next
from portal.web.inputs import parse_int


@login_manager.user_loader
def load_user(session_id: str):
    user_id, _, stamp = session_id.partition(":")
    uid = parse_int(user_id, 1)
    if uid is None or not (stamp.isascii() and stamp.isdigit()):
        return None
    # One statement for what every page asks of the user: the account, its roles and its unit.
    # The reference-data stamp and the duty data's ride along (portal/refdata.py): the caches cost no
    # statement of their own.
    # An ended session (退出) rides along too: a late response may have set its cookie again.
    row = db.session.execute(sa.select(User, refdata.stamp_column(), refdata.duty_stamp_column(),
                                       sessions.ended_column(session))
                             .where(User.id == uid)
                             .options(so.joinedload(User.unit), so.joinedload(User.role_rows))).unique().first()
    if row is None:
        return None
    user, token, duty_token, ended = row
    refdata.note_stamp(token)
    refdata.note_duty_stamp(duty_token)
    if user is None or str(user.password_stamp) != stamp or ended:
        return None  # the password changed since this session began, or the session was ended
    user.remember_roles()
    return user


# What an account may reach before its first steps are done (its own password, then a second factor).
_ALWAYS = {"auth.logout", "auth.login", "auth.login_code", "static"}
_BEFORE_NEW_PASSWORD = _ALWAYS | {"auth.password"}
_BEFORE_SECOND_FACTOR = _ALWAYS | {"auth.password", "auth.second_factor_setup"}


@bp.before_app_request
def first_steps():
    """An account whose password someone else chose (a roster import, an admin's pages) sets its own
    before anything else; then an account that must use a second factor (requires_second_factor) sets
    one up. Reads only the signed-in user's row, which every page loads anyway."""
    endpoint = request.endpoint or ""
    if endpoint in _ALWAYS or endpoint.endswith(".static") or not current_user.is_authenticated:
        return None  # (in this order: 退出 must not load the user, it works without the database)
    if current_user.must_change_password and endpoint not in _BEFORE_NEW_PASSWORD:
        return _lead_to("auth.password", "请先修改初始密码")
    if (not current_user.has_second_factor and requires_second_factor(current_user)
            and endpoint not in _BEFORE_SECOND_FACTOR):
        return _lead_to("auth.second_factor_setup", "请先设置动态验证码（双因素认证）")
    return None


def _lead_to(endpoint: str, api_message: str):
    if request.path.startswith("/api/"):
        return {"error": api_message}, 403
    return redirect(url_for(endpoint))


def landing(user) -> str:
    """Leaders and the office start on the progress board; everyone else on the home page."""
    return url_for("board.index") if can(user, "see_all_units") else url_for("home.index")


def _complete_login(user: User, next_url: str | None):
    """Both steps passed: a fresh session, and this browser remembered for the throttle."""
    session.clear()  # a fresh session after login
    login_user(user)
    sessions.begin(session)
    session.permanent = True
    if user.must_change_password:
        flash("您现在的密码是他人为您设置的：请先改为只有您自己知道的新密码。", "info")
        response = redirect(url_for("auth.password"))
    else:
        response = redirect(safe_next(next_url) or landing(user))
    devices.remember(response, user.id)
    return response


# The password was right and the code is still to come: kept in the session for a few minutes, and
# only the account's id and password stamp (a password changed meanwhile voids it).
PENDING_KEY = "pending_login"
PENDING_SECONDS = 300


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = authenticate(form.username.data, form.password.data, request.remote_addr or "", devices.token_for)
        if result.user and result.needs_code:
            session.clear()
            session[PENDING_KEY] = {"uid": result.user.id, "stamp": result.user.password_stamp,
                                    "at": int(time.time()), "next": safe_next(request.args.get("next")) or ""}
            return redirect(url_for("auth.login_code"))
        if result.user:
            return _complete_login(result.user, request.args.get("next"))
        error = result.error
    status = 200 if request.method == "GET" or (not error and not form.errors) else 422
    return render_template("auth/login.html", form=form, error=error), status


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return None, {}
    if int(time.time()) - int(pending.get("at") or 0) > PENDING_SECONDS:
        return None, {}
    user = db.session.get(User, pending["uid"])
    if user is None or not user.active or not user.has_second_factor or user.password_stamp != pending.get("stamp"):
        return None, {}
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@public  # the password step was passed; the account is not signed in yet
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("请重新输入用户名和密码（验证步骤已超时或已失效）。", "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    error = None
    if form.validate_on_submit():
        result = verify_second_factor(user, form.code.data, request.remote_addr or "", devices.token_for)
        if result.user:
            return _complete_login(user, pending.get("next"))
        error = result.error
    status = 200 if request.method == "GET" or (not error and not form.errors) else 422
    return render_template("auth/login_code.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@public  # also without the database: ending a session needs only the cookie (see sessions.end)
def logout():
    if not LogoutForm().validate():
        abort(400)
    user_id, sid = session.get("_user_id"), session.get(sessions.SID_KEY)
    session.clear()  # this browser is signed out whatever happens next
    g._login_user = login_manager.anonymous_user()
    sessions.end(sid, user_id, current_app.permanent_session_lifetime)
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@any_account  # trainees (学员) too
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        error = change_password(current_user, form.current_password.data, form.new_password.data)
        if error is None:
            login_user(current_user._get_current_object())  # keep this session; others end
            flash("密码已修改。", "success")
            return redirect(url_for("home.index"))
        field = form.current_password if error == WRONG_CURRENT_PASSWORD else form.new_password
        field.errors.append(error)
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status
