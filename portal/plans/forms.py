"""The forms behind every POST on plans (CSRF and parsing here; the services check the rules)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal import limits
from portal.limits import length_message
from portal.web.forms import IdField, IsoDateField, VersionField, choice, text

TITLE_MAX = 60
STEP_MAX = 200


class ArchiveForm(FlaskForm):
    """归档 / 恢复: CSRF only."""


class PublishForm(FlaskForm):
    """发布 / 开始修订 / 新增任务 / 删除任务: CSRF only."""


class UploadForm(FlaskForm):
    file = FileField()  # checked by portal.plans.imports.check_file (type, size, package limits)


class UnitsField(SelectMultipleField):
    """Units chosen by id from the register (the names shown); an unknown id is a Chinese message."""

    def pre_validate(self, form):
        known = {value for value, _ in self.choices}
        if any(v not in known for v in self.data or []):
            raise ValidationError(f"所选{self.label.text}无效，请重新选择。")


class DraftForm(FlaskForm):
    title = StringField("任务名称", validators=[DataRequired("请填写任务名称。"),
                                            Length(max=TITLE_MAX, message=length_message("任务名称", TITLE_MAX))])
    clauses = text("来源条款", 200)
    lead = UnitsField("牵头单位", coerce=int, validate_choice=False)
    cooperating = UnitsField("配合单位", coerce=int, validate_choice=False)
    scope = choice("city", "per-county", message="请选择落实范围。")
    deadline_text = text("完成时限（原文）", 200)
    deadline = IsoDateField("截止日期")
    checklist = TextAreaField("方案原文的工作步骤")
    arranged = TextAreaField("督查室的工作安排（步骤）")
    version = VersionField()
    arrangement = TextAreaField("督查室的工作安排（说明）", validators=[
        Length(max=limits.REASON, message=length_message("工作安排", limits.REASON))])

    def set_units(self, units) -> None:
        choices = [(u.id, u.name) for u in units]
        self.lead.choices = choices
        self.cooperating.choices = choices


def lines(raw: str | None) -> list[str]:
    """A textarea's steps, one a line; blank lines dropped."""
    return [line.strip()[:STEP_MAX] for line in (raw or "").splitlines() if line.strip()]


class NameForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired("请选择要对应的名称。"), Length(max=120)])
    unit = IdField("单位")  # none chosen: the view says 请选择单位


class NewUnitForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired("请填写单位名称。"), Length(max=120)])
    level = choice("市级", "县级", "机构", message="请选择层级。")
    parent = IdField("上级单位")


class NoDutyForm(FlaskForm):
    clause = StringField("条款", validators=[DataRequired("请选择条款。"), Length(max=60)])
    reason = text("理由", limits.REASON)
