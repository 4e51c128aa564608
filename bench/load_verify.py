"""After `python -m bench load`: check the database against what the simulated users were told.

Each check returns (label, ok, detail). Runs inside an app context on the bench's database.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa

from bench.load_users import Log


def verify(log: Log) -> list[tuple[str, bool, str]]:
    from portal.extensions import db
    from portal.models import AuditEntry, ChecklistItem, DutyNote, MonthlyReport

    checks = []
    kinds = Counter(w.kind for w in log.writes if w.acknowledged)
    checks.append(("writes exercised: notes, ticks and report saves acknowledged",
                   all(kinds[k] for k in ("note", "tick", "report")), ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))))
    server_errors = [s for s in log.samples if s.status >= 500]
    by_status = Counter(s.status for s in server_errors)
    checks.append(("zero 5xx", not server_errors,
                   f"{len(server_errors)} of {len(log.samples)} requests" + (f" {dict(by_status)}" if by_status else "")))

    # Notes: each acknowledged note exactly once, with exactly one audit entry; refused ones absent.
    notes = [w for w in log.writes if w.kind == "note"]
    bodies = Counter(db.session.scalars(sa.select(DutyNote.body).where(DutyNote.body.like("压测记录-%"))))
    audited = Counter(entry.after.get("note") for entry in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "note")) if entry.after)
    lost = [w.token for w in notes if w.acknowledged and (bodies[w.token] != 1 or audited[w.token] != 1)]
    ghost = [w.token for w in notes if not w.acknowledged and (bodies[w.token] or audited[w.token])]
    acked = sum(w.acknowledged for w in notes)
    checks.append(("notes: acknowledged present once, one audit entry each", not lost,
                   f"{acked} acknowledged, {len(lost)} missing or duplicated"))
    checks.append(("notes: refused absent", not ghost, f"{len(notes) - acked} refused, {len(ghost)} found anyway"))

    # Reports: each acknowledged save has one audit entry; refused saves left no trace; the final
    # text of each report is the last audited save.
    reports = [w for w in log.writes if w.kind == "report"]
    saved = Counter()
    last_audit: dict[int, str] = {}
    for entry in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.in_(["save_report", "submit_report"]))
                                    .order_by(AuditEntry.id)):
        progress = (entry.after or {}).get("progress", "")
        saved[progress] += 1
        last_audit[int(entry.object_id)] = progress
    bad = [w.token for w in reports if w.acknowledged and saved[w.token] != 1]
    ghost = [w.token for w in reports if not w.acknowledged and saved[w.token]]
    finals = {r.id: r.progress for r in db.session.scalars(sa.select(MonthlyReport))}
    mismatched = [rid for rid, text in finals.items() if rid in last_audit and last_audit[rid] != text]
    acked = sum(w.acknowledged for w in reports)
    checks.append(("reports: acknowledged saves audited once, refused absent, final = last save",
                   not bad and not ghost and not mismatched,
                   f"{acked} acknowledged, {len(reports) - acked} refused as edits of the same report; "
                   f"{len(bad)} missing, {len(ghost)} ghost, {len(mismatched)} mismatched"))

    # Ticks: per item, the audited tick/untick sequence alternates from "not done" and ends in the
    # item's final state; every acknowledged tick's wanted state was reached at some point.
    ticks = [w for w in log.writes if w.kind == "tick"]
    history: dict[tuple[int, str], list[bool]] = defaultdict(list)
    for entry in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.in_(["tick", "untick"]))
                                    .order_by(AuditEntry.id)):
        history[(int(entry.object_id), (entry.after or {}).get("item", ""))].append(entry.action == "tick")
    inconsistent = []
    items = db.session.scalars(sa.select(ChecklistItem).where(ChecklistItem.id.in_({w.item_id for w in ticks}))).all() \
        if ticks else []
    for item in items:
        seq = history.get((item.instance_id, item.title), [])
        alternates = all(state == (n % 2 == 0) for n, state in enumerate(seq))
        final = seq[-1] if seq else False
        if not alternates or final != item.done:
            inconsistent.append(item.id)
    acked = sum(w.acknowledged for w in ticks)
    checks.append(("ticks: histories consistent with final states", not inconsistent,
                   f"{acked} acknowledged on {len(items)} items, {len(inconsistent)} inconsistent"))

    # False conflicts: a note or a tick must never be refused (they commute).
    false_conflicts = [w for w in notes + ticks if not w.acknowledged]
    checks.append(("zero false conflicts (notes, ticks)", not false_conflicts,
                   f"{len(false_conflicts)} refused" + (f": {Counter(w.refusal for w in false_conflicts).most_common(3)}"
                                                         if false_conflicts else "")))
    return checks
