"""具体责任人: the person the lead unit names for one duty, with a phone number.

Set by the lead unit's liaison (the 督查室 may correct it); shown on the 台账 and the duty page and
exported. Naming a person is an edit of that field only: it never conflicts with ticks, notes or a
state change made at the same time (compare-and-set on the field, the duty's version untouched).
"""
from __future__ import annotations

import re

from portal import locking
from portal.audit.services import record
from portal.core.refusals import NotAllowed
from portal.duties.services import DutyError, can_edit
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


LABELS = {"name": "具体责任人", "phone": "联系电话"}
STALE = "具体责任人已被他人修改，您填写的尚未保存：请对照下方两个版本后再保存。"


class ResponsibleConflict(DutyError):
    def __init__(self, conflict: locking.Conflict) -> None:
        super().__init__(STALE)
        self.conflict = conflict


def token(inst: DutyInstance) -> str:
    """The version of the field as stored (it has no version column of its own)."""
    return locking.fingerprint(inst.responsible_name, inst.responsible_phone)


def set_responsible(user: User, inst: DutyInstance, name: str, phone: str, seen: tuple[str, str],
                    overwrite: str | None = None) -> None:
    """``seen``: the (name, phone) the form showed; if someone changed them since, refuse — unless
    ``overwrite`` is the token of the pair now stored (the person chose to replace it)."""
    if not can_edit(user, inst):
        raise NotAllowed()
    name, phone = check(name, phone)
    before = {"responsible_name": inst.responsible_name, "responsible_phone": inst.responsible_phone}
    if (name, phone) == (inst.responsible_name, inst.responsible_phone):
        return
    if overwrite and overwrite == token(inst):
        seen = (inst.responsible_name, inst.responsible_phone)
    changed = locking.set_if(DutyInstance, inst.id,
                             {"responsible_name": seen[0], "responsible_phone": seen[1]},
                             responsible_name=name, responsible_phone=phone)
    if not changed:
        db.session.rollback()
        now = db.session.get(DutyInstance, inst.id)
        raise ResponsibleConflict(locking.conflict(
            LABELS, {"name": now.responsible_name, "phone": now.responsible_phone}, {"name": name, "phone": phone},
            token(now), changed=("duty_instance", inst.id, ("set_responsible",))))
    record("set_responsible", "duty_instance", inst.id, label=inst.key, before=before,
           after={"responsible_name": name, "responsible_phone": phone}, actor=user)
    db.session.commit()
