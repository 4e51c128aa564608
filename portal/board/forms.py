"""Forms for what the board changes: a unit's figures on a duty, a leader's 批示."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.board.services import INDICATOR_MAX


class WholeNumberField(IntegerField):
    """An integer field whose parse error is in Chinese (WTForms' own is English)."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip() and not valuelist[0].strip().isdigit():
            self.data = None
            raise ValueError("数值应为不带小数点的整数，如 12")
        super().process_formdata([v.strip() for v in valuelist])


class IndicatorForm(FlaskForm):
    name = StringField("指标", validators=[DataRequired("请选择指标"), Length(max=40)])  # checked by the service
    value = WholeNumberField("数值", validators=[InputRequired("请填写数值（整数）"),
                                             NumberRange(0, INDICATOR_MAX, f"数值应为 0 到 {INDICATOR_MAX} 之间的整数")])
    note = StringField("说明（可选）", validators=[Length(max=200, message="说明不能超过 200 字")])


class InstructionForm(FlaskForm):
    body = TextAreaField("批示", validators=[DataRequired("请填写批示内容"), Length(max=2000, message="批示不能超过 2000 字")])
