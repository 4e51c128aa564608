"""The monthly report form: three texts, the version it was edited from, and save or submit."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from portal.reports.services import FIELDS, ReportInput
from portal.web.forms import OverwriteField, VersionField, choice


class ReportForm(FlaskForm):
    progress = TextAreaField("进展情况")
    problems = TextAreaField("存在问题")
    next_steps = TextAreaField("下步打算")
    version = VersionField()  # the version the text was edited from
    overwrite = OverwriteField()  # the colleague's version this person chose to replace
    submit = choice("0", "1", "correct")  # which button: 保存草稿 / 提交报告 / 提交更正

    @property
    def submitting(self) -> bool:
        return self.submit.data == "1"

    @property
    def correcting(self) -> bool:
        return self.submit.data == "correct"

    def report_input(self) -> ReportInput:
        return ReportInput(*(getattr(self, f).data or "" for f in FIELDS))

    def values(self) -> dict[str, str]:
        return {f: getattr(self, f).data or "" for f in FIELDS}
