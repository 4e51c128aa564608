"""The form of a course (课程): the office's 工作安排, one Flask-WTF form for create and edit."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import refdata
from portal.core.training_rules import POST_LABELS, TIER_LABELS
from portal.training.forms import choices
from portal.web.forms import VersionField


class _Modules(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CourseForm(FlaskForm):
    title = StringField("课程名称", validators=[DataRequired("请填写课程名称"), Length(max=60, message="课程名称不超过60字")])
    tier = SelectField("课程等级", validators=[DataRequired("请选择课程等级")])
    role = SelectField("培训对象", validators=[DataRequired("请选择培训对象")])
    modules = _Modules("包含的培训模块", coerce=int, validate_choice=True)
    clause_id = SelectField("依据的方案条款", validators=[DataRequired("请选择课程依据的方案条款")])
    description = TextAreaField("课程说明（本办工作安排）", validators=[Length(max=400, message="课程说明不超过400字")])
    validity_months = IntegerField("结业证书有效期（月，留空为长期有效）", validators=[
        Optional(), NumberRange(1, 120, "有效期请填写 1 到 120 个月，或留空")])
    active = BooleanField("在用（取消勾选则停用，已颁发的证书保留）", default=True)
    version = VersionField()


def course_form(modules, formdata=None, **kwargs) -> CourseForm:
    """The form with the modules in use and the 方案's clauses as its choices."""
    form = CourseForm(formdata=formdata, **kwargs) if formdata is not None else CourseForm(**kwargs)
    form.tier.choices = choices([("", "请选择"), *TIER_LABELS.items()])
    form.role.choices = choices([("", "请选择"), *POST_LABELS.items()])
    form.modules.choices = choices([(m.id, m.title) for m in modules])
    form.clause_id.choices = choices([("", "请选择"), *((c.id, f"{c.label} {c.text[:30]}")
                                                      for c in refdata.clauses().values() if not c.retired and c.text)])
    return form
