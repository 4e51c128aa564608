import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal import refdata
from portal.access import any_account, public, safe_next
from portal.auth import bp
from portal.auth.forms import ChangePasswordForm, LoginForm, LogoutForm
from portal.auth.services import WRONG_CURRENT_PASSWORD, authenticate, change_password
from portal.extensions import login_manager, db
from portal.models import User
from portal.security import sessions


@login_manager.user_loader
def load_user(session_id: str):
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit() or not stamp.isdigit() or int(user_id) > 2**31 - 1:
        return None
    # One statement for what every page asks of the user: the account, its roles and its unit.
    # The reference-data stamp rides along (portal/refdata.py): the caches cost no statement of their own.
    # An ended session (退出) rides along too: a late response may have set its cookie again.
    row = db.session.execute(sa.select(User, refdata.stamp_column(), sessions.ended_column(session))
                             .where(User.id == int(user_id))
                             .options(so.joinedload(User.unit), so.joinedload(User.role_rows))).unique().first()
    if row is None:
        return None
    user, token, ended = row
    refdata.note_stamp(token)
    if user is None or str(user.password_stamp) != stamp or ended:
        return None  # the password changed since this session began, or the session was ended
    user.remember_roles()
    return user


# What an account that must first set its own password may still reach.
_BEFORE_NEW_PASSWORD = {"auth.password", "auth.logout", "auth.login", "static"}


@bp.before_app_request
def require_own_password():
    """An account whose password someone else chose (a roster import, an admin reset) sets its own before anything else.

    The endpoint is checked first: a static file (or the login page) never loads the signed-in user,
    so it costs no database round trip."""
    if request.endpoint in _BEFORE_NEW_PASSWORD or (request.endpoint or "").endswith(".static"):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        if request.path.startswith("/api/"):
            return {"error": "请先修改初始密码"}, 403
        return redirect(url_for("auth.password"))
    return None


def landing(user) -> str:
    """Leaders and the office start on the progress board; everyone else on the home page."""
    return url_for("board.index") if user.has_role("leader", "admin") else url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = authenticate(form.username.data, form.password.data, request.remote_addr or "")
        if result.user:
            session.clear()  # a fresh session after login
            login_user(result.user)
            sessions.begin(session)
            session.permanent = True
            if result.user.must_change_password:
                flash("您现在的密码是他人为您设置的：请先改为只有您自己知道的新密码。", "info")
                return redirect(url_for("auth.password"))
            return redirect(safe_next(request.args.get("next")) or landing(result.user))
        error = result.error
    status = 200 if request.method == "GET" or (not error and not form.errors) else 422
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@any_account  # trainees (学员) too
def logout():
    if not LogoutForm().validate():
        abort(400)
    sessions.end(session, current_app.permanent_session_lifetime)
    logout_user()
    session.clear()
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
