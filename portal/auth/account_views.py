"""我的账号: the person's own account — password, and the second factor (on, off, recovery codes)."""
from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user

from portal.auth import bp
from portal.auth import second_factor as own
from portal.auth.forms import SecondFactorConfirmForm, SecondFactorSetupForm
from portal.core.refusals import FormKey
from portal.security import second_factor
from portal.web.access import any_account
from portal.web.forms import NOTHING_REFUSED, Refused

ENROL_KEY = "enrol_secret"
UNFILLED = "请填写当前密码和验证码。"


@bp.route("/account/")
@any_account  # trainees (学员) too
def account():
    return _account_page()


def _account_page(refused: Refused = NOTHING_REFUSED):
    """我的账号; `refused`: its 生成新的恢复码 or 关闭动态验证码 form refused, the reason beside it, at 422
    (the password and the code are not typed back: both are secrets, and a code is spent or wrong)."""
    user = current_user
    page = render_template("auth/account.html", required=second_factor.requires_second_factor(user),
                           codes_left=second_factor.recovery_codes_left(user) if user.has_second_factor else 0,
                           off_form=SecondFactorConfirmForm(prefix="off", formdata=None),
                           codes_form=SecondFactorConfirmForm(prefix="rc", formdata=None), refused=refused)
    return (page, 422) if refused.key else page


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
        return _account_page(Refused(FormKey.SECOND_FACTOR_OFF, UNFILLED))
    outcome = own.disable(current_user, form.password.data, form.code.data)
    if outcome.error:
        return _account_page(Refused(FormKey.SECOND_FACTOR_OFF, outcome.error))
    flash("动态验证码已关闭。", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/second-factor/recovery-codes", methods=["POST"])
@any_account
def recovery_codes():
    form = SecondFactorConfirmForm(prefix="rc")
    if not form.validate_on_submit():
        return _account_page(Refused(FormKey.RECOVERY_CODES, UNFILLED))
    outcome = own.new_recovery_codes(current_user, form.password.data, form.code.data)
    if outcome.error:
        return _account_page(Refused(FormKey.RECOVERY_CODES, outcome.error))
    return render_template("auth/recovery_codes.html", codes=outcome.recovery_codes, first=False)
