"""具体责任人: the person the lead unit names for one duty, with a phone number.

Set by the lead unit's liaison (the 督查室 may correct it); shown on the 台账 and the duty page and
exported. Naming a person is an edit of that field only: it never conflicts with ticks, notes or a
state change made at the same time (compare-and-set on the field, the duty's version untouched).
"""
from __future__ import annotations

import re

from portal import locking
from portal.audit.services import record
from portal.duties.services import DutyError, NotAllowed, can_edit
from portal.extensions import db
from portal.limits import RESPONSIBLE_NAME, too_long
from portal.models import DutyInstance, User

PHONE_RE = re.compile(r"^[0-9０-９+\-－ ()（）转]{5,30}$")


def check(name: str, phone: str) -> tuple[str, str]:
    name, phone = name.strip(), phone.strip()
    problem = too_long("具体责任人姓名", name, RESPONSIBLE_NAME)
    if problem:
        raise DutyError(problem)
    if phone and not PHONE_RE.match(phone):
        raise DutyError("联系电话只能包含数字、空格、“-”、“+”、括号和“转”，5 至 30 位。")
    if phone and not name:
        raise DutyError("请先填写具体责任人姓名。")
    return name, phone


def set_responsible(user: User, inst: DutyInstance, name: str, phone: str, seen: tuple[str, str]) -> None:
    """``seen``: the (name, phone) the form showed; if someone changed them since, refuse."""
    if not can_edit(user, inst):
        raise NotAllowed()
    name, phone = check(name, phone)
    before = {"responsible_name": inst.responsible_name, "responsible_phone": inst.responsible_phone}
    if (name, phone) == (inst.responsible_name, inst.responsible_phone):
        return
    changed = locking.set_if(DutyInstance, inst.id,
                             {"responsible_name": seen[0], "responsible_phone": seen[1]},
                             responsible_name=name, responsible_phone=phone)
    if not changed:
        db.session.rollback()
        raise DutyError("具体责任人已被他人修改，请查看后再保存。")
    record("set_responsible", "duty_instance", inst.id, label=inst.key, before=before,
           after={"responsible_name": name, "responsible_phone": phone}, actor=user)
    db.session.commit()
