"""Village sign-in: numbered sheets, ticking from typed numbers, and a trainee's own scan.

Signing in by scan needs the trainee's own portal account (学员账号), not a number and a phone number:
the paper sheet lists every name beside its number, and phone numbers are no secret among colleagues,
so a number+phone check would let anyone holding the sheet sign a neighbour in — and an open page
answering "this phone is on the roster" would leak the roster. The login the trainee already has for
their own training and quizzes proves who is at the phone; the code proves they are at the training.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import SheetSeat, SignInSheet, Trainee, User
from portal.training import services as s
from portal.training import sheet_rules
from portal.training.scope import TrainingError, can_manage, require

SCANNED = "扫码签到"


def _key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode("utf-8")


def screen_code(sheet: SignInSheet) -> str:
    return sheet_rules.screen_code(_key(), sheet.id, time.time())


def paper_code(sheet: SignInSheet) -> str:
    return sheet_rules.paper_code(_key(), sheet.id, sheet.held_on)


def code_problem(sheet: SignInSheet, code: str) -> str | None:
    return sheet_rules.code_problem(_key(), sheet.id, sheet.held_on, code, time.time(), today())


def seats(sheet: SignInSheet) -> list[tuple[int, Trainee]]:
    """The sheet's people with their numbers, in number order. A number once given stays with its person
    (the signed paper says so); people who joined the sheet later get the next numbers."""
    people = s.sheet_people(sheet)
    numbered = _numbers(sheet.id)
    for _attempt in range(3):
        new = [p for p in people if p.id not in numbered]
        if not new:
            break
        start = max(numbered.values(), default=0) + 1
        db.session.add_all(SheetSeat(session_id=sheet.id, number=start + i, trainee_id=p.id) for i, p in enumerate(new))
        try:
            db.session.commit()
            numbered.update((p.id, start + i) for i, p in enumerate(new))
        except IntegrityError:  # someone else opened the sheet at the same moment: read their numbers
            db.session.rollback()
            numbered = _numbers(sheet.id)
    return sorted(((numbered[p.id], p) for p in people if p.id in numbered), key=lambda pair: pair[0])


def _numbers(session_id: int) -> dict[int, int]:
    rows = db.session.execute(sa.select(SheetSeat.trainee_id, SheetSeat.number).where(SheetSeat.session_id == session_id))
    return {trainee_id: number for trainee_id, number in rows}


@dataclass
class Ticked:
    new: list[str]
    already: list[str]

    def message(self) -> str:
        parts = [f"已勾选到场 {len(self.new)} 人" + (f"：{'、'.join(self.new)}" if self.new else "")]
        if self.already:
            parts.append(f"此前已到场 {len(self.already)} 人：{'、'.join(self.already)}")
        return "；".join(parts) + "。"


def tick_numbers(user: User, sheet: SignInSheet, text: str) -> Ticked:
    """Tick everyone whose sheet number is typed (「1 3 5-9」), all or nothing: a number not on the sheet
    refuses the whole entry, so a slip never ticks a wrong half."""
    require(can_manage(user, sheet.county_id))
    if not training_rules.sheet_open(sheet.held_on, today()):
        raise TrainingError("这次培训尚未举办，当天起才能登记到场。")
    try:
        wanted = sheet_rules.parse_numbers(text)
    except sheet_rules.NumbersProblem as exc:
        raise TrainingError(str(exc)) from None
    by_number = {number: person for number, person in seats(sheet)}
    unknown = [n for n in wanted if n not in by_number]
    if unknown:
        raise TrainingError(f"签到表上没有编号 {sheet_rules.numbers_text(unknown)}（本表编号为 1-{max(by_number, default=0)}），"
                            "未作任何勾选，请核对后重新输入。")
    result = Ticked([], [])
    for n in wanted:
        person = by_number[n]
        changed = s.attend(user, sheet, person, True, note="按纸质签到表编号登记")
        (result.new if changed else result.already).append(f"{n}号{person.name}")
    record("tick_numbers", "training_session", sheet.id, label=f"{sheet.module.title} {sheet.held_on.isoformat()}",
           after={"numbers": sheet_rules.numbers_text(wanted), "new": len(result.new)}, actor=user)
    db.session.commit()
    return result


def self_sign_in(user: User, sheet: SignInSheet, code: str) -> bool:
    """The trainee at the phone signs themself in; False when they already were."""
    trainee = s.trainee_of(user)
    if trainee is None or not trainee.active:
        raise TrainingError("扫码签到需要用学员本人的账号登录。")
    problem = code_problem(sheet, code)
    if problem:
        raise TrainingError(problem)
    if trainee.id not in {p.id for p in s.sheet_people(sheet)}:
        raise TrainingError("您不在这次培训的签到名单中，请在纸质签到表上签名或联系授课人。")
    changed = s.attend(user, sheet, trainee, True, note=SCANNED)
    db.session.commit()
    return changed


def signed_in(user: User, sheet: SignInSheet) -> bool:
    trainee = s.trainee_of(user)
    return trainee is not None and trainee.id in s.sheet_ticks(sheet)


def number_of(sheet: SignInSheet, trainee: Trainee) -> int | None:
    return _numbers(sheet.id).get(trainee.id)
