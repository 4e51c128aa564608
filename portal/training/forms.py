"""Every training POST goes through one of these (CSRF included)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import limits as lim
from portal.core.training_rules import POST_LABELS
from portal.web.forms import IdField, OverwriteField, VersionField
from portal.web.inputs import parse_int
from portal.web.zhcontrols import DATE_REQUIRED as DATE_MSG
from portal.web.zhcontrols import ZhDateField

try:  # wtforms >= 3.3 declares options as SelectChoice (tuples are deprecated there)
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older wtforms
    SelectChoice = None


def choices(pairs) -> list:
    return [SelectChoice(v, label) if SelectChoice else (v, label) for v, label in pairs]


class UploadRosterForm(FlaskForm):
    file = FileField("花名册文件（.xlsx 或 .csv）", validators=[FileRequired("请选择花名册文件")])


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired("导入已过期，请重新上传")])


class CohortAssignForm(FlaskForm):
    module = SelectField("培训模块", validators=[DataRequired("请选择培训模块")])
    role = SelectField("对象", choices=choices([("", "儿童督导员和儿童主任"), *POST_LABELS.items()]), validate_choice=True)
    county = SelectField("县（市、区）", validators=[Optional()])
    township = IdField("乡镇（街道）")
    due = ZhDateField("完成时限", validators=[InputRequired(DATE_MSG)])


class AssignOneForm(FlaskForm):
    module = SelectField("培训模块", validators=[DataRequired("请选择培训模块")])
    due = ZhDateField("完成时限", validators=[InputRequired(DATE_MSG)])


class ReasonForm(FlaskForm):
    reason = StringField("理由", validators=[DataRequired("请填写理由"), Length(max=lim.TRAINING_REASON,
                                                                         message=lim.length_message("理由", lim.TRAINING_REASON))])


class MarkCompleteForm(FlaskForm):
    module = SelectField("培训模块", validators=[DataRequired("请选择培训模块")])
    completed_on = ZhDateField("完成日期", validators=[InputRequired(DATE_MSG)])
    note = StringField("备注", validators=[Length(max=lim.TRAINING_REASON, message=lim.length_message("备注", lim.TRAINING_REASON))])


class SessionForm(FlaskForm):
    module = SelectField("培训模块", validators=[DataRequired("请选择培训模块")])
    county = SelectField("县（市、区）", validators=[DataRequired("请选择县（市、区）")])
    township = IdField("乡镇（街道）")
    held_on = ZhDateField("培训日期", validators=[InputRequired(DATE_MSG)])
    place = StringField("地点", validators=[DataRequired("请填写培训地点"),
                                          Length(max=lim.SESSION_PLACE, message=lim.length_message("地点", lim.SESSION_PLACE))])
    trainer_name = StringField("授课人", validators=[DataRequired("请填写授课人"), Length(
        max=lim.TRAINER_NAME, message=lim.length_message("授课人", lim.TRAINER_NAME))])


class TickForm(FlaskForm):
    present = BooleanField("到场")


class TraineeForm(FlaskForm):
    """Correcting one trainee; the values are checked by the roster file's rules (roster_edit)."""

    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=40, message="姓名不超过40个字")])
    role = SelectField("角色", choices=choices(POST_LABELS.items()), validate_choice=True)
    county = SelectField("县（市、区）", validators=[DataRequired("请选择县（市、区）")])
    township = StringField("乡镇（街道）", validators=[DataRequired("请填写乡镇（街道）"), Length(max=60)])
    village = StringField("村（社区）", validators=[Length(max=60)])
    phone = StringField("手机号", validators=[DataRequired("请填写手机号"), Length(max=20)])
    account = StringField("登录账号", validators=[Length(max=64)])
    note = StringField("备注", validators=[Length(max=200, message="备注不超过200字")])
    active = BooleanField("在册（停用后历史记录保留，不再计入花名册人数）")
    version = VersionField()  # the version the form was opened at
    overwrite = OverwriteField()  # a colleague's version this trainer chose to replace


class ActiveForm(FlaskForm):
    active = BooleanField("在册")


class RenameAreaForm(FlaskForm):
    name = StringField("新名称", validators=[DataRequired("请填写名称"),
                                          Length(max=lim.AREA_NAME, message=lim.length_message("名称", lim.AREA_NAME))])


class MergeAreaForm(FlaskForm):
    target = IdField("并入", validators=[InputRequired("请选择要并入的地名")])


class EmptyForm(FlaskForm):
    """A button that only needs CSRF."""


class _MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def quiz_form(quiz: dict, formdata=None):
    """A form with one field per question: radio buttons for 单选, checkboxes for 多选; filled from
    `formdata` only when given."""
    class QuizForm(FlaskForm):
        pass

    for q in quiz["questions"]:
        options = choices((str(i), o["text"]) for i, o in enumerate(q["options"]))
        if q["multiple"]:
            field = _MultiCheckbox(q["text"], choices=options)
        else:
            field = RadioField(q["text"], choices=options, validators=[Optional()], validate_choice=False)
        setattr(QuizForm, f"q{q['number']}", field)
    return QuizForm(formdata=formdata)  # never the request's own form: a new draw starts empty


def quiz_answers(form, quiz: dict) -> dict[int, set[int]]:
    answers = {}
    for q in quiz["questions"]:
        data = form[f"q{q['number']}"].data
        values = data if isinstance(data, list) else ([data] if data else [])
        answers[q["number"]] = {n for v in values if (n := parse_int(v, 0, len(q["options"]) - 1)) is not None}
    return answers


class SheetNumbersForm(FlaskForm):
    numbers = StringField("已签名人员的编号", validators=[Length(max=400, message="编号过长，请分几次输入。")])


class SheetPhotoForm(FlaskForm):
    photo = FileField("签到表照片")


class SignInForm(FlaskForm):
    code = HiddenField()


class FeedbackForm(FlaskForm):
    useful = RadioField("这次培训对工作有用吗？", choices=choices([("1", "有用"), ("2", "一般"), ("3", "没什么用")]),
                        validators=[DataRequired("请选择是否有用")])
    clear = RadioField("内容讲得清楚吗？", choices=choices([("1", "清楚"), ("2", "一般"), ("3", "不清楚")]),
                       validators=[DataRequired("请选择是否清楚")])
    missing = StringField("还缺什么？（选填）", validators=[Length(max=200, message=lim.length_message("还缺什么", 200))])


def feedback_form(given=None, formdata=None) -> FeedbackForm:
    """The form, filled with what the trainee sent before (they may change it)."""
    if formdata is not None:
        return FeedbackForm(formdata=formdata)
    form = FeedbackForm()
    if given is not None:
        form.useful.data, form.clear.data, form.missing.data = str(given.useful), str(given.clear), given.missing
    return form
