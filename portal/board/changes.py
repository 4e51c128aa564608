"""「本期与上期相比」: what changed between two pictures of the duties (pure: plain values in and out).

A picture maps a duty instance to what the board showed of it on a day (`Snap`): from the daily
snapshots (`portal.board.snapshots`) or, for today, from the board's live rows. The 通报 compares
the picture at the end of the previous period with the one at the end of this period.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from portal.core import duty_rules


@dataclass(frozen=True)
class Snap:
    state: str
    light: str
    progress: int
    deadline: date | None


@dataclass(frozen=True)
class Change:
    """One duty instance that changed; `title` and `unit_name` name it, `order` sorts it."""

    instance_id: int
    title: str
    unit_name: str
    before: Snap | None
    after: Snap
    order: tuple = ()


@dataclass(frozen=True)
class Instruction:
    """A leader's 批示 the unit has not acted on (no note, tick, file or state change since)."""

    instance_id: int
    title: str
    unit_name: str
    at: datetime
    body: str
    days: int  # days from the 批示 to the end of the period


@dataclass
class Comparison:
    before_day: date | None  # the snapshot read for the previous period's end (None: there is none)
    after_day: date | None   # the snapshot read for this period's end (None: today's live board)
    previous_end: date
    instruction_days: int
    new_red: list[Change] = field(default_factory=list)
    back_from_red: list[Change] = field(default_factory=list)
    extended: list[Change] = field(default_factory=list)
    instructions: list[Instruction] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.before_day is not None

    @property
    def empty(self) -> bool:
        return not (self.new_red or self.back_from_red or self.extended or self.instructions)


@dataclass(frozen=True)
class Named:
    title: str
    unit_name: str
    order: tuple


def compare(before: Mapping[int, Snap], after: Mapping[int, Snap], names: Mapping[int, Named]
            ) -> tuple[list[Change], list[Change], list[Change]]:
    """(new red lights, back from red, deadlines moved later by 延期) between two pictures, among
    the instances named in `names` (the ones this 通报 covers). A duty new since the previous
    picture that is red now counts as a new red light."""
    new_red, back, extended = [], [], []
    for iid, now in after.items():
        name = names.get(iid)
        if name is None:
            continue
        was = before.get(iid)
        change = Change(iid, name.title, name.unit_name, was, now, name.order)
        if now.light == duty_rules.RED and (was is None or was.light != duty_rules.RED):
            new_red.append(change)
        if was is not None and was.light == duty_rules.RED and now.light != duty_rules.RED:
            back.append(change)
        if was is not None and was.deadline and now.deadline and now.deadline > was.deadline:
            extended.append(change)
    return sorted(new_red, key=_order), sorted(back, key=_order), sorted(extended, key=_order)


def _order(c: Change) -> tuple:
    return c.order


def unacted(instructions: Iterable[tuple[int, datetime, date, str]], names: Mapping[int, Named], end: date,
            days: int) -> list[Instruction]:
    """The 批示 (instance, at, its local day, body) older than `days` at `end` among the named
    instances, oldest first."""
    out = []
    for iid, at, day, body in instructions:
        name = names.get(iid)
        if name is None or (end - day).days <= days:
            continue
        out.append(Instruction(iid, name.title, name.unit_name, at, body, (end - day).days))
    return sorted(out, key=lambda i: (i.at, names[i.instance_id].order))
