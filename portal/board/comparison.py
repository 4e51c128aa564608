"""「本期与上期相比」 for a 通报: the snapshots at the two 通报 dates, compared (`portal.board.changes`).

The previous 通报's date is the day before this period starts (the end of the previous period); this
通报's is its end — today's live board when the period runs to today, else the snapshot of that day.
Each is read as the nearest snapshot on or before the date (a day the job missed reads the day
before). 批示 come from the duty notes: one not followed by any note (state changes write notes),
tick or file of the duty within N days (the office's setting) is listed.

One statement reads both pictures and the 批示 (UNION ALL of tagged rows): a day's picture is a
read of the snapshot key's prefix, the 批示 a read of notes by (kind, at), so the cost does not
grow with the years of snapshots kept.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.board import assessment, changes, rollup, snapshots
from portal.core import duty_rules
from portal.core.time import day_start_utc, to_local
from portal.extensions import db
from portal.models import ChecklistItem, DutyNote, DutySnapshot, Evidence


def for_period(rows: list[rollup.Row], start: date, end: date, on: date) -> changes.Comparison:
    """The comparison over the rows a 通报 covers (visible and filtered)."""
    days = assessment.current_settings().instruction_days
    previous_end = start - timedelta(days=1)
    names = {r.instance_id: changes.Named(r.title, r.unit_name, (r.unit_order, r.position)) for r in rows}
    live = end >= on
    pictures: dict[str, dict[int, changes.Snap]] = {"before": {}, "after": {}}
    found: dict[str, date] = {}
    instructions = []
    for tag, day, iid, state, light, progress, deadline, at, body in db.session.execute(
            _statement(previous_end, None if live else end, end)):
        if tag == "note":
            instructions.append((iid, at, to_local(at).date(), body))
        else:
            found[tag] = day
            if iid in names:
                pictures[tag][iid] = changes.Snap(state, light, progress, deadline)
    comp = changes.Comparison(found.get("before"), found.get("after"), previous_end, days)
    if comp.before_day is not None:
        after = snapshots.live_picture(rows) if live else pictures["after"]
        comp.new_red, comp.back_from_red, comp.extended = changes.compare(pictures["before"], after, names)
    comp.instructions = changes.unacted(instructions, names, end, days)
    return comp


def _picture(tag: str, on_or_before: date) -> sa.Select:
    latest = sa.select(sa.func.max(DutySnapshot.day)).where(DutySnapshot.day <= on_or_before).scalar_subquery()
    return sa.select(sa.literal(tag).label("tag"), DutySnapshot.day, DutySnapshot.instance_id, DutySnapshot.state,
                     DutySnapshot.light, DutySnapshot.progress, DutySnapshot.deadline,
                     sa.cast(sa.null(), sa.DateTime).label("at"), sa.cast(sa.null(), sa.Text).label("body")
                     ).where(DutySnapshot.day == latest)


def _statement(previous_end: date, after: date | None, end: date) -> sa.CompoundSelect:
    parts = [_picture("before", previous_end)]
    if after is not None:
        parts.append(_picture("after", after))
    return sa.union_all(*parts, unacted_instructions(end))


def unacted_instructions(end: date) -> sa.Select:
    """Every 批示 given by the end of `end` and not followed, by then, by any other note, tick or
    file of its duty (in the columns of a picture row, tagged "note")."""
    until = day_start_utc(end + timedelta(days=1))
    later = sa.orm.aliased(DutyNote)
    acted = sa.or_(
        sa.exists().where(later.instance_id == DutyNote.instance_id, later.kind != duty_rules.NOTE_INSTRUCTION,
                          later.at > DutyNote.at, later.at < until),
        sa.exists().where(Evidence.instance_id == DutyNote.instance_id, Evidence.at > DutyNote.at, Evidence.at < until),
        sa.exists().where(ChecklistItem.instance_id == DutyNote.instance_id, ChecklistItem.done_at > DutyNote.at,
                          ChecklistItem.done_at < until))
    return (sa.select(sa.literal("note"), sa.cast(sa.null(), sa.Date), DutyNote.instance_id,
                      sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.SmallInteger),
                      sa.cast(sa.null(), sa.Date), DutyNote.at, DutyNote.body)
            .where(DutyNote.kind == duty_rules.NOTE_INSTRUCTION, DutyNote.at < until, ~acted))
