"""Forms for what the board changes: a unit's figures on a duty, a leader's 批示."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.board.services import INDICATOR_MAX
from portal.limits import FIGURE_NOTE, REASON, length_message
from portal.training.forms import choices  # SelectChoice where wtforms has it
from portal.web.forms import VersionField, WholeNumberField


class IndicatorForm(FlaskForm):
    name = StringField("指标", validators=[DataRequired("请选择指标"), Length(max=40)])  # checked by the service
    value = WholeNumberField("数值", validators=[InputRequired("请填写数值（整数）")], high=INDICATOR_MAX,
                             message=f"数值应为 0 到 {INDICATOR_MAX} 之间不带小数点的整数，如 12")
    note = StringField("说明（可选）", validators=[Length(max=FIGURE_NOTE, message=length_message("说明", FIGURE_NOTE))])


class InstructionForm(FlaskForm):
    body = TextAreaField("批示", validators=[DataRequired("请填写批示内容"),
                                           Length(max=REASON, message=length_message("批示", REASON))])


class AssessmentSettingsForm(FlaskForm):
    """The office's 考核 settings: weights 0–100, the overdue cap, the bands, the 批示 follow-up days."""

    w_on_time = WholeNumberField("按时完成率权重", validators=[InputRequired("请填写按时完成率权重")], high=100)
    w_overdue = WholeNumberField("逾期天数权重", validators=[InputRequired("请填写逾期天数权重")], high=100)
    w_returns = WholeNumberField("销号退回权重", validators=[InputRequired("请填写销号退回权重")], high=100)
    w_reports = WholeNumberField("月度报告权重", validators=[InputRequired("请填写月度报告权重")], high=100)
    w_training = WholeNumberField("培训覆盖率权重", validators=[InputRequired("请填写培训覆盖率权重")], high=100)
    w_signoff = WholeNumberField("签收及时性权重", validators=[InputRequired("请填写签收及时性权重")], high=100)
    overdue_cap_days = WholeNumberField("逾期封顶天数", validators=[InputRequired("请填写逾期封顶天数")], low=1, high=365)
    green_min = WholeNumberField("绿色最低分", validators=[InputRequired("请填写绿色最低分")], high=100)
    yellow_min = WholeNumberField("黄色最低分", validators=[InputRequired("请填写黄色最低分")], high=100)
    instruction_days = WholeNumberField("批示落实期限（天）", validators=[InputRequired("请填写批示落实期限")],
                                        low=1, high=365)
    checkin_period = SelectField("长期任务报告进展周期", default="", choices=choices(
        [("", "不要求"), ("monthly", "每月"), ("quarterly", "每季度"), ("yearly", "每年")]))
    version = VersionField()
