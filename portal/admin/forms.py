from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from portal.admin.services import USERNAME_RULE
from portal.web.forms import OverwriteField, VersionField, choice, version_required


class RolesField(SelectMultipleField):
    """Role codes as posted; the account service checks them and says what is wrong in Chinese."""

    def pre_validate(self, form):
        pass

    def process_formdata(self, valuelist):
        self.data = [str(v)[:20] for v in valuelist[:10]]


class UserForm(FlaskForm):
    # The same words as portal.admin.services.validate_account for the same limits (位 for a login name or
    # password, 字 for a name), so a refused form never says one limit two ways.
    username = StringField("用户名", validators=[Length(max=64, message=USERNAME_RULE)])
    display_name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=64, message="姓名不能超过 64 个字。")])
    password = PasswordField("初始密码", validators=[Length(max=256, message="初始密码不能超过 256 位。")])
    roles = RolesField("角色")
    unit = StringField("所属单位", validators=[Length(max=40)])
    version = VersionField()
    overwrite = OverwriteField()  # a colleague's version this admin chose to replace (portal.locking.Conflict)


class VersionForm(FlaskForm):
    """A state change on an account seen at a given version."""

    version = VersionField(validators=[version_required])


class ActiveForm(VersionForm):
    active = choice("0", "1")


class ResetPasswordForm(VersionForm):
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(max=256)])
