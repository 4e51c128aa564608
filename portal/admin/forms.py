from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length


class UserForm(FlaskForm):
    """Roles and unit are read from the request and checked by the account service."""

    username = StringField("用户名", validators=[Length(max=64, message="用户名不能超过 64 个字符")])
    display_name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64, message="姓名不能超过 64 个字")])
    password = PasswordField("初始密码", validators=[Length(max=256, message="密码不能超过 256 个字符")])
    version = HiddenField()


class VersionForm(FlaskForm):
    """A state change on an account seen at a given version."""

    version = IntegerField(validators=[InputRequired("缺少版本号，请刷新页面后重试")])


class ResetPasswordForm(VersionForm):
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(max=256)])
