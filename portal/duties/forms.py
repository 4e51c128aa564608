"""The forms behind every POST on a duty (CSRF and parsing in one place; services check the rules)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField

from portal import limits
from portal.web.forms import OverwriteField, VersionField, choice, text
from portal.web.zhcontrols import ZhDateField


class BackForm(FlaskForm):
    back = HiddenField()  # "queue": return to the 督查室 queue after a decision

    @property
    def to_queue(self) -> bool:
        return self.back.data == "queue"


class TickForm(BackForm):
    done = choice("0", "1")


class NoteForm(BackForm):
    body = TextAreaField()  # length is checked by the service, which keeps the draft with its message


class EvidenceForm(BackForm):
    file = FileField()


class StateForm(BackForm):
    action = choice("request_close", "block", "unblock", message="未知操作。")
    reason = text("理由", limits.REASON)
    version = VersionField()


class ExtensionForm(BackForm):
    reason = text("延期理由", limits.REASON)
    proposed = ZhDateField("拟延至")  # 2027年6月30日 or 2027-06-30, whatever the browser's language


class CloseDecisionForm(BackForm):
    decision = choice("close", "return")
    comment = text("意见", limits.REASON)
    version = VersionField()


class ExtensionDecisionForm(BackForm):
    decision = choice("approve", "reject")
    comment = text("意见", limits.REASON)


class ResponsibleForm(BackForm):
    name = text("具体责任人", limits.RESPONSIBLE_NAME)
    phone = text("联系电话", limits.RESPONSIBLE_PHONE)
    seen_name = HiddenField()  # what the form showed: a change made since is not overwritten
    seen_phone = HiddenField()
    overwrite = OverwriteField()  # unless this person chose to replace it (portal.locking.Conflict)
