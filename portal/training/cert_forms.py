"""The forms of the certificate and 学时 pages (the office's 工作安排)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

HOURS_MSG = "请填写 0 到 50 之间的数，最多一位小数，如 0.5"


class ArrangementForm(FlaskForm):
    issuer = StringField("发证机关（留空则为市民政局）", validators=[Length(max=60, message="不超过60字")])
    number_prefix = StringField("证书编号字头", validators=[DataRequired("请填写证书编号字头"),
                                                      Length(max=12, message="不超过12字")])
    minutes_per_hour = IntegerField("每满多少分钟计1学时", validators=[
        InputRequired("请填写分钟数"), NumberRange(1, 600, "请填写 1 到 600 之间的整数")])
    quiz_hours = DecimalField("通过测验加计学时", places=1, validators=[InputRequired(HOURS_MSG), NumberRange(0, 50, HOURS_MSG)])
    attendance_hours = DecimalField("到场签到加计学时", places=1,
                                    validators=[InputRequired(HOURS_MSG), NumberRange(0, 50, HOURS_MSG)])
    yearly_target = DecimalField("年度学时目标（留空则不设）", places=1,
                                 validators=[Optional(), NumberRange(0, 500, "请填写 0 到 500 之间的数")])
    version = HiddenField()


def validity_field(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(1, 120, "有效期请填写 1 到 120 个月，或留空")])


def arrangement_form(modules, formdata=None, **kwargs) -> ArrangementForm:
    """The settings form with one 有效期（月） field per module in use."""
    class WithTerms(ArrangementForm):
        pass

    for m in modules:
        setattr(WithTerms, f"valid_{m.id}", validity_field(f"“{m.title}”证书有效期（月，留空为长期有效）"))
    return WithTerms(formdata=formdata, **kwargs) if formdata is not None else WithTerms(**kwargs)


def tenths(value) -> int:
    """0.5 -> 5 (the form's DecimalField value to the stored tenths)."""
    return int(round(value * 10))
