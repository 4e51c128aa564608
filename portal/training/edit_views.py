"""Correcting one trainee (name, role, place, phone, account, 备注, 在册): a form over roster_edit."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import locking
from portal.core import training_rules
from portal.core.refusals import FormKey
from portal.extensions import db
from portal.models import Trainee
from portal.training import bp
from portal.training.forms import EmptyForm, TraineeForm, choices
from portal.training.roster_edit import TraineeEdit, edit_trainee, form_values, renew_password
from portal.training.scope import visible_counties
from portal.training.views import _trainee_or_404, _trainee_page, passwords_page
from portal.web.access import no_store, requires
from portal.web.forms import INVALID, Refused, expected_version

# The roster file's column names → the form's fields, so a rule's message lands beside its field.
FIELD_OF_COLUMN = {"姓名": "name", "角色": "role", "县（市、区）": "county", "乡镇（街道）": "township",
                   "村（社区）": "village", "手机号": "phone", "账号": "account", "备注": "note"}


@bp.route("/training/trainees/<int:trainee_id>/edit", methods=["GET", "POST"])
@requires("manage_training")
@no_store  # the person's phone in the form
def trainee_edit(trainee_id: int):
    t = _trainee_or_404(trainee_id)  # within the user's counties
    form = _form(TraineeForm() if request.method == "POST" else TraineeForm(data=form_values(t)))
    error = conflict = None
    if form.validate_on_submit():
        version = expected_version(form)
        version = -1 if version is None else version
        result = edit_trainee(current_user, t, TraineeEdit(
            form.name.data, training_rules.post_label(form.role.data), form.county.data, form.township.data,
            form.village.data or "", form.phone.data, form.account.data or "", form.note.data or "",
            form.active.data, version))
        if result.stale:  # what was typed stays in the form, the colleague's version beside it
            error = STALE
            conflict = _conflict(t, form)
        elif result.clash:  # the form keeps what was typed
            error = "保存时有他人同时登记了相同的手机号或账号，本次未保存任何修改。请核对后重新保存。"
        elif result.problems:
            for p in result.problems:
                getattr(form, FIELD_OF_COLUMN.get(p.column, "name")).errors.append(p.reason)
        else:
            if not result.changed:
                flash("没有需要保存的修改。", "info")
                return redirect(url_for("training.trainee", trainee_id=t.id))
            if result.initial_password:
                return passwords_page([result.initial_password], "学员信息已保存", f"已为{t.name}开通登录账号",
                                      url_for("training.trainee", trainee_id=t.id))
            flash("已保存修改，修改前后的内容记入修改记录。", "success")
            return redirect(url_for("training.trainee", trainee_id=t.id))
    status = 422 if (form.errors or error) else 200
    return render_template("training/trainee_edit.html", t=t, form=form, error=error, conflict=conflict,
                           training_rules=training_rules), status


STALE = "保存前，其他人已修改了这名学员的信息，您的修改尚未保存：请对照下方两个版本后再保存。"
TRAINEE_FIELDS = {"name": "姓名", "role": "角色", "county": "县（市、区）", "township": "乡镇（街道）", "village": "村（社区）",
                  "phone": "手机号", "account": "登录账号", "note": "备注", "active": "在册"}


def _conflict(t, form: TraineeForm) -> locking.Conflict:
    db.session.expire_all()
    theirs = form_values(db.session.get(Trainee, t.id))
    mine = {name: getattr(form, name).data for name in TRAINEE_FIELDS}
    for values in (theirs, mine):
        values["role"] = training_rules.post_label(values["role"]) if values["role"] in training_rules.POST_LABELS else values["role"]
        values["active"] = "在册" if values["active"] else "停用"
    return locking.conflict(TRAINEE_FIELDS, theirs, mine, theirs["version"], changed=("trainee", t.id))


def _form(form: TraineeForm) -> TraineeForm:
    form.county.choices = choices([(c.name, c.name) for c in visible_counties(current_user)])
    return form


@bp.route("/training/trainees/<int:trainee_id>/new-password", methods=["POST"])
@requires("manage_training")
def trainee_new_password(trainee_id: int):
    """Issue a new first password for the trainee's account, shown once (the old one stops working)."""
    t = _trainee_or_404(trainee_id)
    if not EmptyForm().validate_on_submit():
        return _trainee_page(t, Refused(FormKey.NEW_PASSWORD, INVALID))
    issued = renew_password(current_user, t)
    if issued is None:  # the account was ended meanwhile: the reason on top of the page drawn now
        return _trainee_page(t, Refused(FormKey.NEW_PASSWORD, "该学员没有可重置的学员账号。"))
    return passwords_page([issued], "已重新生成初始密码", f"{t.name}原来的密码已失效",
                          url_for("training.trainee", trainee_id=t.id), reset=True)
