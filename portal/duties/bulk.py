"""Deciding several 销号 or 延期 requests at once in the 督查室 queue.

Each selected request is decided by the same service as a single decision (same rules, its own
transaction, its own audit entry); one refused request does not stop the others, and the office
is told which were decided and which were not, and why.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length

from portal.core.refusals import NotAllowed
from portal.duties.services import DutyError, StaleDuty, decide_close, decide_extension, get_instance
from portal.extensions import db
from portal.limits import REASON, length_message
from portal.locking import parse_version
from portal.models import ExtensionRequest, User
from portal.web.inputs import parse_int


class BulkCloseForm(FlaskForm):
    selected = SelectMultipleField("选择", coerce=str, validate_choice=False)  # "instance id:version seen"
    decision = StringField("决定", validators=[AnyOf(["close", "return"], message="请选择销号或退回。")])
    comment = TextAreaField("意见", validators=[Length(max=REASON, message=length_message("意见", REASON))])


class BulkExtensionForm(FlaskForm):
    selected = SelectMultipleField("选择", coerce=str, validate_choice=False)  # extension ids
    decision = StringField("决定", validators=[AnyOf(["approve", "reject"], message="请选择批准或驳回。")])
    comment = TextAreaField("意见", validators=[Length(max=REASON, message=length_message("意见", REASON))])


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # "任务 · 单位"
    refused: list[str] = field(default_factory=list)  # "任务 · 单位：原因"


def _label(inst) -> str:
    return f"{inst.duty.title} · {inst.unit.short_name}"


def _run(result: BulkResult, inst, action) -> None:
    try:
        action()
    except NotAllowed:
        db.session.rollback()
        result.refused.append(f"{_label(inst)}：无权处理。")
    except (DutyError, StaleDuty) as exc:
        db.session.rollback()
        result.refused.append(f"{_label(inst)}：{exc}")
    else:
        result.done.append(_label(inst))


def decide_closes(user: User, selected: list[str], approve: bool, comment: str) -> BulkResult:
    result = BulkResult()
    for token in dict.fromkeys(selected):
        raw_id, _, raw_version = token.partition(":")
        inst = get_instance(iid) if (iid := parse_int(raw_id, 1)) is not None else None
        if inst is None:
            result.refused.append("有一项申请已不存在。")
            continue
        version = parse_version(raw_version)
        _run(result, inst, lambda inst=inst, version=version: decide_close(user, inst, approve, comment, version))
    return result


def decide_extensions(user: User, selected: list[str], approve: bool, comment: str) -> BulkResult:
    result = BulkResult()
    for raw_id in dict.fromkeys(selected):
        ext = db.session.get(ExtensionRequest, eid) if (eid := parse_int(raw_id, 1)) is not None else None
        if ext is None:
            result.refused.append("有一项申请已不存在。")
            continue
        _run(result, ext.instance, lambda ext=ext: decide_extension(user, ext, approve, comment))
    return result


def summary(result: BulkResult, verb: str) -> tuple[str | None, str | None]:
    """(success message, error message) for the flash."""
    ok = f"已{verb} {len(result.done)} 项：{'、'.join(result.done)}。" if result.done else None
    bad = (f"{len(result.refused)} 项未处理：" + "；".join(result.refused)) if result.refused else None
    return ok, bad
