"""The forms of 督办: one per POST (CSRF through Flask-WTF)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.limits import REASON, length_message
from portal.models.supervision import ACK_KINDS
from portal.web.forms import IdField, VersionField, WholeNumberField, choice

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
                                              Length(max=MESSAGE, message=length_message("催办内容", MESSAGE))])


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
