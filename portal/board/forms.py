"""Forms for what the board changes: a unit's figures on a duty, a leader's 批示."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.board.services import INDICATOR_MAX
from portal.limits import FIGURE_NOTE, REASON, length_message
from portal.forms import WholeNumberField


class IndicatorForm(FlaskForm):
    name = StringField("指标", validators=[DataRequired("请选择指标"), Length(max=40)])  # checked by the service
    value = WholeNumberField("数值", validators=[InputRequired("请填写数值（整数）")], high=INDICATOR_MAX,
                             message=f"数值应为 0 到 {INDICATOR_MAX} 之间不带小数点的整数，如 12")
    note = StringField("说明（可选）", validators=[Length(max=FIGURE_NOTE, message=length_message("说明", FIGURE_NOTE))])


class InstructionForm(FlaskForm):
    body = TextAreaField("批示", validators=[DataRequired("请填写批示内容"),
                                           Length(max=REASON, message=length_message("批示", REASON))])
