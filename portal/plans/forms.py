"""The forms behind every POST on plans (CSRF and parsing here; the services check the rules)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal import limits
from portal.limits import length_message
from portal.web.forms import IdField, VersionField, WholeNumberField, choice, text
from portal.web.inputs import parse_int
from portal.web.zhcontrols import ZhDateField

TITLE_MAX = 60
STEP_MAX = 200
STEPS_MAX = 10_000  # a step's place in a checklist (no checklist is longer)


class ArchiveForm(FlaskForm):
    """归档 / 恢复: the page the button was on (the plans list, with its state filter, or the plan's page)."""
    listed = HiddenField()
    state = HiddenField()


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
    arranged_cooperating = UnitsField("督查室安排的配合单位", coerce=int, validate_choice=False)
    scope = choice("city", "per-county", message="请选择落实范围。")
    deadline_text = text("完成时限（原文）", 200)
    deadline = ZhDateField("截止日期")  # 2026年6月30日 or 2026-06-30: the shared Chinese date control
    checklist = TextAreaField("方案原文的工作步骤")
    arranged = TextAreaField("督查室的工作安排（步骤）")
    version = VersionField()
    arrangement = TextAreaField("督查室的工作安排（说明）", validators=[
        Length(max=limits.REASON, message=length_message("工作安排", limits.REASON))])

    def set_units(self, units) -> None:
        choices = [(u.id, u.name) for u in units]
        self.lead.choices = choices
        self.cooperating.choices = choices
        self.arranged_cooperating.choices = choices


def lines(raw: str | None) -> list[str]:
    """A textarea's steps, one a line; blank lines dropped."""
    return [line.strip()[:STEP_MAX] for line in (raw or "").splitlines() if line.strip()]


class StepsField(SelectMultipleField):
    """The steps of a drafted duty chosen by their place in its checklist (0, 1, …)."""

    def process_formdata(self, valuelist):
        values = [parse_int(v, 0, STEPS_MAX) for v in valuelist]
        if any(v is None for v in values):
            raise ValueError("所选工作步骤已不在这项任务中，请刷新页面后再试。")
        self.data = values

    def pre_validate(self, form):
        if any(v not in {value for value, _ in self.choices} for v in self.data or []):
            raise ValidationError("所选工作步骤已不在这项任务中，请刷新页面后再试。")


class SplitForm(FlaskForm):
    """拆分: the new duty's title and the steps that move to it."""
    title = StringField("新任务名称", validators=[DataRequired("请填写拆出的新任务名称。"),
                                             Length(max=TITLE_MAX, message=length_message("新任务名称", TITLE_MAX))])
    moved = StepsField("移到新任务的工作步骤", coerce=int, validate_choice=False)
    version = VersionField()

    def set_steps(self, count: int) -> None:
        self.moved.choices = [(i, str(i)) for i in range(count)]


class MergeForm(FlaskForm):
    """合并: the other duty by its 序号 on the review page (第 n 项)."""
    other = WholeNumberField("要合并的任务序号", low=1, message="请填写要合并进来的任务序号（页面上的“第几项”）。")
    version = VersionField()


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
