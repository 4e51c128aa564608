from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.auth.services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=256)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new_password = PasswordField(
        "新密码",
        validators=[
            DataRequired("请输入新密码"),
            Length(min=MIN_PASSWORD_LENGTH, max=256, message=f"新密码至少 {MIN_PASSWORD_LENGTH} 位"),
        ],
    )
    confirm = PasswordField(
        "确认新密码", validators=[DataRequired("请再次输入新密码"), EqualTo("new_password", "两次输入的新密码不一致")]
    )


class LogoutForm(FlaskForm):
    """Signing out is a state change: a POST with the CSRF token."""


class LoginCodeForm(FlaskForm):
    code = StringField("验证码", validators=[DataRequired("请输入验证码"), Length(max=40, message="验证码太长")])


class SecondFactorSetupForm(FlaskForm):
    code = StringField("验证器上显示的 6 位数字", validators=[DataRequired("请输入验证码"), Length(max=12, message="验证码太长")])
    password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码"), Length(max=256)])


class SecondFactorConfirmForm(FlaskForm):
    """Turning the second factor off, or new recovery codes: the password and a current code."""

    password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码"), Length(max=256)])
    code = StringField("验证码或恢复码", validators=[DataRequired("请输入验证码"), Length(max=40, message="验证码太长")])
