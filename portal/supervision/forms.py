"""The forms of 督办: one per POST (CSRF through Flask-WTF)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.limits import REASON, length_message
from portal.models.supervision import ACK_KINDS
from portal.web.forms import IdField, VersionField, WholeNumberField, choice
from portal.web.inputs import parse_int
from portal.web.zhcontrols import ZhDateField

# The 交办 form's choices (the labels are portal.supervision.assign's; kept here so the form module
# needs no service import).
SOURCE_CHOICES = (("instruction", "领导批示"), ("meeting", "会议议定"), ("document", "文件要求"), ("other", "其他"))
IMPORTANCE_CHOICES = (("normal", "一般"), ("important", "重要"), ("urgent", "紧急"))
MESSAGE = 4000
SUBJECT = 200


class AckForm(FlaskForm):
    kind = choice(*ACK_KINDS)
    object_id = IdField("事项", validators=[InputRequired("请求无效，请刷新页面后重试。")])
    back = HiddenField()


class UrgeForm(FlaskForm):
    """The 催办 as the office edited it; the targets ride in the page's query string (`targets.from_args`)."""

    subject = StringField("标题", validators=[DataRequired("请填写标题"),
                                            Length(max=SUBJECT, message=length_message("标题", SUBJECT))])
    body = TextAreaField("催办内容", validators=[DataRequired("请填写催办内容"),
                                              Length(max=MESSAGE, message=length_message("催办内容", MESSAGE))],
                         render_kw={"rows": 8})  # the whole prefilled message in view


class ReplyForm(FlaskForm):
    body = TextAreaField("回复", validators=[DataRequired("请填写回复内容"),
                                           Length(max=REASON, message=length_message("回复", REASON))])
    back = HiddenField()


class SettingsForm(FlaskForm):
    remind_days = WholeNumberField("到期前提醒（工作日）", validators=[InputRequired("请填写到期前提醒的工作日数")],
                                   low=0, high=60)
    order_days = WholeNumberField("督办通知单限期（工作日）", validators=[InputRequired("请填写督办通知单的限期")],
                                  low=1, high=60)
    red_days = WholeNumberField("升级红色督办单（工作日）", validators=[InputRequired("请填写升级红色督办单的工作日数")],
                                low=1, high=60)
    issuer = StringField("发文机关", validators=[DataRequired("请填写发文机关"),
                                             Length(max=60, message=length_message("发文机关", 60))])
    number_prefix = StringField("文号机关代字", validators=[DataRequired("请填写文号机关代字"),
                                                      Length(max=20, message=length_message("文号机关代字", 20))])
    version = VersionField()


class LeaderForm(FlaskForm):
    unit_id = IdField("单位", validators=[InputRequired("请选择单位")])
    account = WholeNumberField("领导账号", low=0, message="所选账号无效，请重新选择。")
    name = StringField("姓名", validators=[Length(max=40, message=length_message("姓名", 40))])
    title = StringField("职务", validators=[Length(max=40, message=length_message("职务", 40))])


class IdListField(Field):
    """Units chosen in a multiple select: their ids (a value that is not a whole number is refused)."""

    def process_formdata(self, valuelist):
        self.data = []
        for raw in valuelist[:200]:
            value = parse_int(str(raw).strip(), 1)
            if value is None:
                raise ValueError(f"所选{self.label.text}无效，请重新选择。")
            self.data.append(value)

    def _value(self):
        return ""


class AssignForm(FlaskForm):
    """A 交办事项: what, where it came from, who leads and who helps, by when, the steps (one a line)."""

    title = StringField("事项名称", validators=[DataRequired("请填写交办事项的名称"),
                                            Length(max=120, message=length_message("事项名称", 120))])
    source_kind = StringField("交办来源", default="instruction")  # checked by the service (SOURCE_CHOICES)
    instructed_by = StringField("批示领导", validators=[Length(max=60, message=length_message("批示领导", 60))])
    source_date = ZhDateField("批示或会议、文件日期")
    source_ref = StringField("会议名称或文件文号", validators=[Length(max=200, message=length_message("会议名称或文件文号", 200))])
    source_text = TextAreaField("批示内容或议定事项", validators=[Length(max=2000, message=length_message("批示内容或议定事项", 2000))])
    lead = IdListField("牵头单位")
    cooperating = IdListField("配合单位")
    deadline = ZhDateField("完成时限")
    steps = TextAreaField("工作步骤（每行一项）", validators=[Length(max=6000, message=length_message("工作步骤", 6000))])
    importance = StringField("重要程度", default="normal")  # checked by the service (IMPORTANCE_CHOICES)
    arrangement = TextAreaField("工作要求", validators=[Length(max=2000, message=length_message("工作要求", 2000))])
    attachment = FileField("附件（批示件、会议纪要或文件）")


class CloseUrgeForm(FlaskForm):
    back = HiddenField()


class BulletinScheduleForm(FlaskForm):
    """The 通报 emailed to leaders: the day of each month (0: not sent) and the accounts it goes to."""

    day = WholeNumberField("每月发送日", validators=[InputRequired("请填写每月发送日（不发送填 0）")], low=0, high=28)
    recipients = IdListField("接收人")
    version = VersionField()


class ReadForm(FlaskForm):
    """A notice's read receipt (posted by the notice page as it opens)."""
