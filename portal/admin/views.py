from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import locking
from portal.admin import bp
from portal.admin.forms import ActiveForm, ResetPasswordForm, UserForm, VersionForm
from portal.admin.services import (
    AccountError,
    AccountInput,
    StaleAccount,
    create_account,
    reset_password,
    reset_second_factor,
    search_users,
    set_active,
    update_account,
    validate_account,
)
from portal.core.refusals import FormKey
from portal.core.roles import ROLE_LABELS
from portal.extensions import db
from portal.models import User
from portal.security.second_factor import requires_second_factor
from portal.units.services import active_units
from portal.web.access import requires
from portal.web.actions import attempt
from portal.web.forms import INVALID, NOTHING_REFUSED, Refused, expected_version
from portal.web.htmx import is_partial_request
from portal.web.query_args import parse_page_arg


def _posted_roles_and_unit(form: UserForm) -> tuple[list[str], str]:
    return list(form.roles.data or []), (form.unit.data or "")[:40]


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@requires("manage_users")
def users():
    text = request.args.get("q", "").strip()[:64]
    role = request.args.get("role", "")
    unit = request.args.get("unit", "")[:40]
    status = request.args.get("status", "active")
    page = db.paginate(search_users(text, role, unit, status), page=parse_page_arg(), per_page=50, error_out=False)
    context = dict(page=page, q=text, role=role, unit=unit, status=status, units=active_units())
    if is_partial_request():
        return render_template("admin/_user_rows.html", **context)
    return render_template("admin/users.html", **context)


@bp.route("/users/new", methods=["GET", "POST"])
@requires("manage_users")
def user_new():
    form = UserForm()
    chosen_roles, chosen_unit = _posted_roles_and_unit(form)
    error = None
    if form.validate_on_submit():
        try:
            user = create_account(
                AccountInput(form.username.data or "", form.display_name.data or "", chosen_roles,
                             chosen_unit, form.password.data or ""),
                actor=current_user,
            )
        except AccountError as exc:
            error = str(exc)
        else:
            flash(f"已创建{user.display_name}的账号。初始密码请通过安全渠道告知本人：首次登录时须改为自己的密码。", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    if request.method == "POST" and form.errors and not error:
        error = " ".join(validate_account(AccountInput(form.username.data or "", form.display_name.data or "",
                                                       chosen_roles, chosen_unit, form.password.data or ""),
                                          creating=True)) or None
    status = 422 if (error or form.errors) else 200
    if error:  # the service's list says every problem, the form's included: each said once
        for field in form:
            if field.name != "csrf_token":
                field.errors = []
    return (
        render_template("admin/user_form.html", form=form, error=error, user=None,
                        chosen_roles=chosen_roles, chosen_unit=chosen_unit, units=active_units()),
        status,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("manage_users")
def user_edit(user_id: int):
    user = _get_user(user_id)
    form = UserForm(obj=None if request.method == "POST" else user)
    if request.method == "POST":
        chosen_roles, chosen_unit = _posted_roles_and_unit(form)
    else:
        chosen_roles, chosen_unit = user.roles, (user.unit.code if user.unit else "")
        form.version.data = user.version
    error = conflict = None
    if form.validate_on_submit():
        try:
            if form.version.data is None:
                raise AccountError("缺少版本号，请刷新页面后重试。")
            update_account(
                user,
                AccountInput(user.username, form.display_name.data or "", chosen_roles, chosen_unit),
                expected_version(form),
                actor=current_user,
            )
        except StaleAccount as exc:
            db.session.rollback()
            error, conflict = str(exc), _account_conflict(user, form.display_name.data or "", chosen_roles, chosen_unit)
        except AccountError as exc:
            error = str(exc)
        else:
            flash("已保存。", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    status = 422 if (error or form.errors) else 200
    return _edit_page(user, form, error, chosen_roles, chosen_unit, conflict), status


def _edit_page(user: User, form: UserForm, error: str | None, chosen_roles: list[str], chosen_unit: str,
               conflict: locking.Conflict | None = None, refused: Refused = NOTHING_REFUSED) -> str:
    """An account's page: its form, and beside it the forms of 重置密码, 动态验证码 and 账号状态;
    `refused`: one of those refused, its reason beside it."""
    return render_template("admin/user_form.html", form=form, error=error, user=user, units=active_units(),
                           chosen_roles=chosen_roles, chosen_unit=chosen_unit, conflict=conflict,
                           reset_form=ResetPasswordForm(formdata=None, version=user.version),
                           active_form=VersionForm(formdata=None, version=user.version), refused=refused)


def _refused_page(user: User, key: str, why: str):
    """The account's page again (the account as saved) with `why` beside the form `key`, at 422."""
    form = UserForm(formdata=None, obj=user)
    form.version.data = user.version
    page = _edit_page(user, form, None, user.roles, user.unit.code if user.unit else "",
                      refused=Refused(key, why, request.form))
    return page, 422


ACCOUNT_FIELDS = {"display_name": "姓名", "roles": "角色", "unit": "所属单位"}


def _account_conflict(user: User, display_name: str, roles: list[str], unit_code: str) -> locking.Conflict:
    """The account as a colleague saved it beside this admin's edit."""
    units = {u.code: u.name for u in active_units()}
    theirs = {"display_name": user.display_name, "roles": [ROLE_LABELS[r] for r in user.roles],
              "unit": user.unit.name if user.unit else ""}
    mine = {"display_name": display_name, "roles": [ROLE_LABELS.get(r, r) for r in roles], "unit": units.get(unit_code, "")}
    return locking.conflict(ACCOUNT_FIELDS, theirs, mine, user.version, changed=("user", user.id, ("update",)))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires("manage_users")
def user_set_active(user_id: int):
    user = _get_user(user_id)
    form = ActiveForm()
    wanted = form.active.data == "1"
    if not form.validate():
        return _refused_page(user, FormKey.USER_ACTIVE, INVALID)
    refusal = attempt(lambda: set_active(user, wanted, form.version.data, actor=current_user), AccountError)
    if refusal is not None:
        return _refused_page(_get_user(user_id), FormKey.USER_ACTIVE, str(refusal))
    flash(f"账号 {user.username} 已{'启用' if wanted else '停用'}。", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@requires("manage_users")
def user_reset_password(user_id: int):
    user = _get_user(user_id)
    form = ResetPasswordForm()
    if not form.validate():
        return _refused_page(user, FormKey.USER_PASSWORD, "请输入新密码。")
    refusal = attempt(lambda: reset_password(user, form.new_password.data, actor=current_user), AccountError)
    if refusal is not None:
        return _refused_page(_get_user(user_id), FormKey.USER_PASSWORD, str(refusal))
    flash(f"已重置{user.display_name}的密码，请通过安全渠道告知本人。", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/second-factor/reset", methods=["POST"])
@requires("manage_users")
def user_reset_second_factor(user_id: int):
    user = _get_user(user_id)
    form = VersionForm()
    if not form.validate():
        return _refused_page(user, FormKey.USER_SECOND_FACTOR, INVALID)
    refusal = attempt(lambda: reset_second_factor(user, form.version.data, actor=current_user), AccountError)
    if refusal is not None:
        return _refused_page(_get_user(user_id), FormKey.USER_SECOND_FACTOR, str(refusal))
    flash(f"已重置{user.display_name}的动态验证码。", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.app_template_global()
def second_factor_required(user) -> bool:
    return requires_second_factor(user)


@bp.app_template_global()
def role_labels(codes):
    return "、".join(ROLE_LABELS[c] for c in codes)
