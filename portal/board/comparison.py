"""「本期与上期相比」 for a 通报: the snapshots at the two 通报 dates, compared (`portal.board.changes`).

The previous 通报's date is the day before this period starts (the end of the previous period); this
通报's is its end — today's live board when the period runs to today, else the snapshot of that day.
Each is read as the nearest snapshot on or before the date (a day the job missed reads the day
before). 批示 come from the duty notes: one not followed by any note, tick or file of the duty within
N days (the office's setting) is listed.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.board import assessment, changes, rollup, snapshots
from portal.duties import rules
from portal.extensions import db
from portal.models import ChecklistItem, DutyNote, Evidence
from portal.timeutil import day_start_utc, to_local


def for_period(rows: list[rollup.Row], start: date, end: date, on: date) -> changes.Comparison:
    """The comparison over the rows a 通报 covers (visible and filtered)."""
    days = assessment.current_settings().instruction_days
    previous_end = start - timedelta(days=1)
    names = {r.instance_id: changes.Named(r.title, r.unit_name, (r.unit_order, r.position)) for r in rows}
    ids = set(names)
    before_day = snapshots.day_on_or_before(previous_end)
    comp = changes.Comparison(before_day, None, previous_end, days)
    if before_day is not None:
        if end >= on:
            after = snapshots.live_picture(rows)
        else:
            comp.after_day = snapshots.day_on_or_before(end)
            after = snapshots.picture(comp.after_day, ids) if comp.after_day else {}
        before = snapshots.picture(before_day, ids)
        comp.new_red, comp.back_from_red, comp.extended = changes.compare(before, after, names)
    comp.instructions = changes.unacted(unacted_instructions(end, days), names, end, days)
    return comp


def unacted_instructions(end: date, days: int) -> list[tuple[int, object, date, str]]:
    """(instance, at, local day, body) of every 批示 given more than `days` days before `end` and not
    followed, by the end of `end`, by any other note (state changes write notes), tick or file."""
    until = day_start_utc(end + timedelta(days=1))
    cutoff = day_start_utc(end - timedelta(days=days))
    later = sa.orm.aliased(DutyNote)
    acted = sa.or_(
        sa.exists().where(later.instance_id == DutyNote.instance_id, later.kind != rules.NOTE_INSTRUCTION,
                          later.at > DutyNote.at, later.at < until),
        sa.exists().where(Evidence.instance_id == DutyNote.instance_id, Evidence.at > DutyNote.at, Evidence.at < until),
        sa.exists().where(ChecklistItem.instance_id == DutyNote.instance_id, ChecklistItem.done_at > DutyNote.at,
                          ChecklistItem.done_at < until))
    stmt = (sa.select(DutyNote.instance_id, DutyNote.at, DutyNote.body)
            .where(DutyNote.kind == rules.NOTE_INSTRUCTION, DutyNote.at < cutoff, ~acted))
    return [(iid, at, to_local(at).date(), body) for iid, at, body in db.session.execute(stmt)]
