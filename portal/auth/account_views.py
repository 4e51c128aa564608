"""我的账号: the person's own account — password, and the second factor (on, off, recovery codes)."""
from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user

from portal.auth import bp
from portal.auth import second_factor as own
from portal.auth.forms import SecondFactorConfirmForm, SecondFactorSetupForm
from portal.security import second_factor
from portal.web.access import any_account

ENROL_KEY = "enrol_secret"


@bp.route("/account/")
@any_account  # trainees (学员) too
def account():
    user = current_user
    return render_template("auth/account.html", required=second_factor.requires_second_factor(user),
                           codes_left=second_factor.recovery_codes_left(user) if user.has_second_factor else 0,
                           off_form=SecondFactorConfirmForm(prefix="off"), codes_form=SecondFactorConfirmForm(prefix="rc"))


@bp.route("/account/second-factor/setup", methods=["GET", "POST"])
@any_account
def second_factor_setup():
    form = SecondFactorSetupForm()
    secret = session.get(ENROL_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[ENROL_KEY] = second_factor.new_secret()
    if form.validate_on_submit():
        outcome = own.enable(current_user, secret, form.code.data, form.password.data)
        if outcome.error is None:
            session.pop(ENROL_KEY, None)
            flash("动态验证码已启用：以后登录时，输入密码后还须输入验证器上的 6 位数字。", "success")
            return render_template("auth/recovery_codes.html", codes=outcome.recovery_codes, first=True)
        getattr(form, outcome.on).errors.append(outcome.error)
    uri = second_factor.provisioning_uri(secret, current_user)
    status = 422 if form.errors else 200
    return render_template("auth/second_factor_setup.html", form=form, qr=second_factor.qr_data_uri(uri),
                           secret=second_factor.grouped(secret),
                           required=second_factor.requires_second_factor(current_user)), status


@bp.route("/account/second-factor/disable", methods=["POST"])
@any_account
def second_factor_disable():
    form = SecondFactorConfirmForm(prefix="off")
    if not form.validate_on_submit():
        flash("请填写当前密码和验证码。", "error")
        return redirect(url_for("auth.account"))
    outcome = own.disable(current_user, form.password.data, form.code.data)
    flash(outcome.error or "动态验证码已关闭。", "error" if outcome.error else "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/second-factor/recovery-codes", methods=["POST"])
@any_account
def recovery_codes():
    form = SecondFactorConfirmForm(prefix="rc")
    if not form.validate_on_submit():
        flash("请填写当前密码和验证码。", "error")
        return redirect(url_for("auth.account"))
    outcome = own.new_recovery_codes(current_user, form.password.data, form.code.data)
    if outcome.error:
        flash(outcome.error, "error")
        return redirect(url_for("auth.account"))
    return render_template("auth/recovery_codes.html", codes=outcome.recovery_codes, first=False)
